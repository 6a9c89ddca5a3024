"""Hand committed jobs to RQ (Redis configured) or run them in-process (no Redis).

A Redis outage here is not an error: the row stays ``pending`` and the worker's relay loop
(jobs/maintenance.py) sends it once Redis answers again.
"""

from __future__ import annotations

import hashlib
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import redis
from flask import Flask, current_app
from rq import Queue, Retry
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tenant_app.clock import utcnow
from tenant_app.extensions import db
from tenant_app.models import Job, JobStatus

log = logging.getLogger(__name__)
_RQ_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="inproc-job")


def redis_connection(app: Flask | None = None) -> redis.Redis:
    app = app or current_app
    return redis.Redis.from_url(
        app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=10
    )


def queue(name: str, conn: redis.Redis) -> Queue:
    return Queue(name, connection=conn)


def dispatch(job_ids: list[str]) -> None:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["REDIS_URL"]:
        send_to_rq(job_ids)
    elif app.config["JOBS_EAGER"]:
        for job_id in job_ids:
            _run_in_new_context(app, job_id)
    else:
        for job_id in job_ids:
            _executor.submit(_run_in_new_context, app, job_id)


def _run_in_new_context(app: Flask, job_id: str) -> None:
    from tenant_app.jobs.runner import run_job_inprocess

    with app.app_context():
        run_job_inprocess(job_id)


def rq_job_id(job_id: str) -> str:
    """The RQ id of a job row. RQ accepts only ``[A-Za-z0-9_-]`` ids, ours have ':' and '.'
    ("periodic:purge-login-failures:20261122T040000"): those get a readable, unique stand-in."""
    if not _RQ_UNSAFE.search(job_id):
        return job_id
    digest = hashlib.sha1(job_id.encode()).hexdigest()[:12]
    return f"{_RQ_UNSAFE.sub('_', job_id)[:120]}-{digest}"


def send_to_rq(job_ids: list[str]) -> int:
    """Push pending jobs to RQ; returns how many went. Reads rows in the current scope and marks
    them queued in it, so the scope must write their tenant (relay_pending sets it per tenant)."""
    cfg = current_app.config
    with Session(db.engine) as s:
        rows = s.execute(
            select(
                Job.id,
                Job.queue,
                Job.name,
                Job.tenant_id,
                Job.timeout_seconds,
                Job.max_attempts,
                Job.attempts,
            ).where(Job.id.in_(job_ids), Job.status == JobStatus.PENDING)
        ).all()
    sent = 0
    try:
        conn = redis_connection()
        for row in rows:
            # RQ counts retries from this delivery on: only the attempts the row has left
            retries = max(0, row.max_attempts - row.attempts - 1)
            queue(row.queue, conn).enqueue(
                "tenant_app.jobs.rq_entry.run",
                row.id,
                job_id=rq_job_id(row.id),
                job_timeout=row.timeout_seconds,
                retry=Retry(max=retries, interval=cfg["JOB_RETRY_SECONDS"]) if retries else None,
                result_ttl=86400,
                failure_ttl=7 * 86400,
                meta={"tenant_id": row.tenant_id, "name": row.name, "job_id": row.id},
            )
            with Session(db.engine) as s:
                s.execute(
                    update(Job)
                    .where(Job.id == row.id, Job.status == JobStatus.PENDING)
                    .values(status=JobStatus.QUEUED, enqueued_at=utcnow())
                )
                s.commit()
            sent += 1
    except redis.RedisError as exc:
        log.warning("Redis unavailable, %d job(s) stay pending: %s", len(rows) - sent, exc)
    return sent


def status_of(conn: redis.Redis, job_id: str) -> Any:
    from rq.job import Job as RQJob

    try:
        return RQJob.fetch(rq_job_id(job_id), connection=conn).get_status()
    except Exception:  # noqa: BLE001 - missing or unreadable both mean "not in Redis"
        return None

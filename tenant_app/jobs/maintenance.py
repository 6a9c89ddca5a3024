"""What the worker does beside running jobs: relay the outbox, reap lost runs, tick periodics."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from tenant_app.clock import utcnow
from tenant_app.extensions import db
from tenant_app.jobs.dispatch import dispatch, redis_connection, send_to_rq, status_of
from tenant_app.jobs.enqueue import enqueue
from tenant_app.jobs.periodic import PERIODIC
from tenant_app.models import Job, JobStatus, Tenant
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope

log = logging.getLogger(__name__)
# What the job's page says of a run whose process stopped answering (killed, out of memory,
# server restarted): the reason in words; the server log has the rest.
WORKER_LOST = "后台处理程序中断（长时间没有响应），任务没有完成"


def relay_pending(limit: int = 500) -> int:
    """Send committed-but-unsent jobs (Redis was down at commit time) to RQ; without Redis, run
    again in this process the rows a previous process left behind or a failed run left to retry."""
    if not current_app.config["REDIS_URL"]:
        return relay_inprocess(limit)
    with use_scope(system_scope()):
        rows = db.session.execute(
            select(Job.id, Job.tenant_id)
            .where(Job.status == JobStatus.PENDING)
            .order_by(Job.created_at)
            .limit(limit)
        ).all()
        db.session.rollback()
    by_tenant: dict[int, list[str]] = {}
    for job_id, tenant_id in rows:
        by_tenant.setdefault(tenant_id, []).append(job_id)
    sent = 0
    for tenant_id, ids in by_tenant.items():
        # marking a row queued is a write: it needs the row's tenant as the write tenant
        with use_scope(system_scope(tenant_id)):
            sent += send_to_rq(ids)
    return sent


def relay_inprocess(limit: int = 500) -> int:
    """In-process mode has no queue that remembers: a row still pending (its process ended before
    running it) or queued for a retry after a failure is run here once it has waited a retry
    interval. A row that is merely waiting in this process's pool is claimed once: the runner's
    claim makes a second delivery a no-op."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["JOB_RETRY_SECONDS"])
    with use_scope(system_scope()):
        ids = list(
            db.session.execute(
                select(Job.id)
                .where(
                    Job.status.in_([JobStatus.PENDING, JobStatus.QUEUED]),
                    func.coalesce(Job.heartbeat_at, Job.created_at) < cutoff,
                )
                .order_by(Job.created_at)
                .limit(limit)
            ).scalars()
        )
        db.session.rollback()
    if ids:
        dispatch(ids)
    return len(ids)


def reap_stale() -> int:
    """A run whose worker died (SIGKILL, OOM, reboot) stops heart-beating: retry it or fail it.
    A queued job that Redis lost (Redis keeps nothing on restart) goes back to pending."""
    stale_after = timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])
    cutoff = utcnow() - stale_after
    n = 0
    with use_scope(system_scope()):
        rows = (
            db.session.execute(
                select(Job).where(Job.status == JobStatus.RUNNING, Job.heartbeat_at < cutoff)
            )
            .scalars()
            .all()
        )
        lost = [(r.id, r.tenant_id, r.attempts >= r.max_attempts) for r in rows]
        queued = db.session.execute(
            select(Job.id, Job.tenant_id).where(
                Job.status == JobStatus.QUEUED, Job.enqueued_at < cutoff
            )
        ).all()
        db.session.rollback()
    for job_id, tenant_id, final in lost:
        with use_scope(system_scope(tenant_id)):
            db.session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
                .values(
                    status=JobStatus.FAILED if final else JobStatus.PENDING,
                    error=WORKER_LOST,
                    finished_at=utcnow() if final else None,
                )
            )
            db.session.commit()
            n += 1
    if queued and current_app.config["REDIS_URL"]:
        conn = redis_connection()
        for job_id, tenant_id in queued:
            if status_of(conn, job_id) is None:
                with use_scope(system_scope(tenant_id)):
                    db.session.execute(
                        update(Job)
                        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
                        .values(status=JobStatus.PENDING)
                    )
                    db.session.commit()
                    n += 1
    return n


def schedule_periodic() -> int:
    now = utcnow()
    made = 0
    with use_scope(system_scope()):
        tenants = db.session.execute(select(Tenant).order_by(Tenant.id)).scalars().all()
        platform = next(t for t in tenants if t.parent_id is None)
        db.session.rollback()
    for spec in PERIODIC:
        targets = tenants if spec.per_tenant else [platform]
        for tenant in targets:
            job_id = spec.job_id(now, tenant.id if spec.per_tenant else None)
            with use_scope(tenant_scope(tenant)):
                try:
                    before = db.session.execute(select(Job.id).where(Job.id == job_id)).scalar()
                    if before is None:
                        enqueue(spec.job, {}, job_id=job_id)
                        db.session.commit()
                        made += 1
                except IntegrityError:  # another worker won the race: same id, nothing to do
                    db.session.rollback()
    return made


def tick() -> None:
    relay_pending()
    reap_stale()
    schedule_periodic()


# Held for the length of each tick. The worker forks its work horses only while it can take
# this lock: a fork copies every lock a running tick holds (SQLAlchemy's mapper-configure and
# cache mutexes, the pool's), and a horse born holding one waits on it forever.
TICK_LOCK = threading.Lock()


def start_maintenance_thread(app: Flask, interval: float = 5.0) -> threading.Event:
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                with TICK_LOCK, app.app_context():
                    tick()
            except Exception:  # noqa: BLE001 - a failed tick is retried on the next one
                log.exception("maintenance tick failed")
            stop.wait(interval)

    threading.Thread(target=loop, name="job-maintenance", daemon=True).start()
    return stop


_inprocess_started = threading.Event()


def start_inprocess_scheduler(app: Flask) -> bool:
    """Without Redis there is no worker: the web process itself ticks the periodic jobs (overdue
    flags, daily scans, deadline recomputation), so the quick start behaves like production.
    Several threads or processes may tick at once: each periodic run has a stable id, so it is
    enqueued once per slot. Returns False when Redis is configured (the worker ticks) or when
    this process already ticks."""
    if app.config["REDIS_URL"] or _inprocess_started.is_set():
        return False
    _inprocess_started.set()
    start_maintenance_thread(app, interval=app.config["SCHEDULER_TICK_SECONDS"])
    return True

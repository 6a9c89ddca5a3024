"""Run one job, the same way under RQ and in-process.

A run claims the row (pending/queued → running) in its own transaction, so a second delivery of
the same job finds it running or done and does nothing: jobs are idempotent at this level, and
each job kind makes its own effects idempotent (keyed on its stable id).
"""

from __future__ import annotations

import logging
import os
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tenant_app.clock import utcnow
from tenant_app.extensions import db
from tenant_app.jobs.registry import kind
from tenant_app.models import Job, JobStatus
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import Scope, use_scope

log = logging.getLogger(__name__)
_worker_app: Flask | None = None
_app_pid: int | None = None


def set_worker_app(app: Flask) -> None:
    global _worker_app, _app_pid
    _worker_app, _app_pid = app, os.getpid()


def app_for_this_process(create_app: Callable[[], Flask]) -> Flask:
    """The worker's app, made once per process (``create_app`` when ``tenant-app worker`` did not
    set it, e.g. under a bare ``rq worker``)."""
    global _worker_app, _app_pid
    if _worker_app is None:
        set_worker_app(create_app())
    assert _worker_app is not None
    if _app_pid != os.getpid():
        # A forked work horse must not share the parent's pooled connections.
        with _worker_app.app_context():
            db.engine.dispose(close=False)
        _app_pid = os.getpid()
    return _worker_app


class _Context:
    def __init__(self, job_id: str, tenant_id: int) -> None:
        self.job_id, self.tenant_id = job_id, tenant_id

    def progress(
        self,
        percent: int,
        message: str = "",
        *,
        done: int | None = None,
        total: int | None = None,
    ) -> None:
        """Visible at once (own transaction) and doubles as the heartbeat. ``done``/``total``:
        the count the job's page shows ("已处理 N / M"); left as they were when not given."""
        values: dict[str, Any] = {
            "progress": max(0, min(100, int(percent))),
            "message": message[:255],
            "heartbeat_at": utcnow(),
        }
        if done is not None:
            values["items_done"] = max(0, int(done))
        if total is not None:
            values["items_total"] = max(0, int(total))
        _update(self.job_id, **values)


@contextmanager
def _heartbeat(job_id: str, scope: Scope) -> Iterator[None]:
    """Beat while the job function runs, whether or not it reports progress: the reaper must
    only take runs whose process is gone, not long steps that are merely quiet."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    every = max(0.2, app.config["JOB_STALE_SECONDS"] / 3)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                with app.app_context(), use_scope(scope), Session(db.engine) as s:
                    s.execute(
                        update(Job)
                        .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
                        .values(heartbeat_at=utcnow())
                    )
                    s.commit()
            except Exception:  # noqa: BLE001 - a missed beat is retried on the next one
                log.warning("heartbeat of job %s failed", job_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"job-heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def _update(job_id: str, **values: Any) -> int:
    with Session(db.engine) as s:
        n = getattr(s.execute(update(Job).where(Job.id == job_id).values(**values)), "rowcount", 0)
        s.commit()
    return n or 0


def _job_tenant(job_id: str) -> int | None:
    with use_scope(system_scope()):
        return db.session.execute(select(Job.tenant_id).where(Job.id == job_id)).scalar()


def run_job(job_id: str) -> Any:
    """One attempt. Raises the job's exception after recording it, so RQ can retry."""
    tenant_id = _job_tenant(job_id)
    if tenant_id is None:
        return None
    db.session.remove()
    with use_scope(Scope(tenant_id=tenant_id, read_ids=(tenant_id,))):
        with Session(db.engine) as s:
            claim = s.execute(
                update(Job)
                .where(Job.id == job_id, Job.status.in_([JobStatus.PENDING, JobStatus.QUEUED]))
                .values(
                    status=JobStatus.RUNNING,
                    attempts=Job.attempts + 1,
                    started_at=utcnow(),
                    heartbeat_at=utcnow(),
                    error=None,
                    # each attempt starts from nothing (the last one's work was rolled back)
                    progress=0,
                    message="",
                    items_done=None,
                    items_total=None,
                )
            )
            claimed: int = getattr(claim, "rowcount", 0)
            s.commit()
            row = s.execute(select(Job).where(Job.id == job_id)).scalar_one()
            name, args, attempts, max_attempts, created_by = (
                row.name,
                dict(row.args or {}),
                row.attempts,
                row.max_attempts,
                row.created_by,
            )
        if not claimed:
            return None  # done, failed, or another worker has it
        with use_scope(Scope(tenant_id=tenant_id, read_ids=(tenant_id,), user_id=created_by)):
            try:
                job_kind, this_run = kind(name), _Context(job_id, tenant_id)
                with _heartbeat(job_id, Scope(tenant_id=tenant_id, read_ids=(tenant_id,))):
                    # Once per run, inside the job's scope: whoever enqueued it acts.
                    result = job_kind.fn(scope_context(), this_run, **args)
                db.session.commit()
            except BaseException as exc:
                db.session.rollback()
                final = attempts >= max_attempts
                _update(
                    job_id,
                    status=JobStatus.FAILED if final else JobStatus.QUEUED,
                    error=user_facing_error(exc, job_id),
                    finished_at=utcnow() if final else None,
                )
                raise
            finally:
                db.session.remove()
        _update(
            job_id,
            status=JobStatus.DONE,
            progress=100,
            # a run that ended well handled every item it counted (its last report may have
            # come before the last batch: on SQLite a report waits for the run's writes)
            items_done=func.coalesce(Job.items_total, Job.items_done),
            result=_jsonable(result),
            finished_at=utcnow(),
            heartbeat_at=utcnow(),
        )
        return result


def user_facing_error(exc: BaseException, job_id: str) -> str:
    """What the job's page and API show. A service's refusal is its Chinese message; anything
    else (a database error carries its SQL and parameters) stays in the server log only."""
    from rq.timeouts import JobTimeoutException

    from tenant_app.core.errors import ServiceError

    if isinstance(exc, ServiceError):
        detail = "；".join(r for reasons in exc.errors.values() for r in reasons)
        return (exc.message + (f"：{detail}" if detail else ""))[:4000]
    if isinstance(exc, JobTimeoutException):
        log.warning("job %s ran past its time limit", job_id)
        return "任务运行超过时限，已被中止"
    log.error(
        "job %s failed: %s",
        job_id,
        "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-8000:],
    )
    return f"任务执行失败（内部错误，详情已记入服务器日志，任务编号 {job_id}）"


def _jsonable(value: Any) -> Any:
    import json

    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)


def run_job_inprocess(job_id: str) -> None:
    """In-process mode: retry right away up to max_attempts; failures stay on the row."""
    while True:
        try:
            run_job(job_id)
            return
        except Exception:  # noqa: BLE001 - recorded on the row by run_job
            with use_scope(system_scope()):
                status = db.session.execute(select(Job.status).where(Job.id == job_id)).scalar()
            if status != JobStatus.QUEUED:
                return

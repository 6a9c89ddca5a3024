"""The one way to ask for a job: a row in the caller's transaction, dispatched after commit."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tenant_app.extensions import db
from tenant_app.jobs.registry import kind
from tenant_app.models import Job
from tenant_app.tenancy.scope import current_scope

_PENDING_KEY = "jobs_to_dispatch"
log = logging.getLogger(__name__)


def enqueue(
    name: str,
    args: dict[str, Any] | None = None,
    *,
    job_id: str | None = None,
    session: Session | None = None,
) -> Job:
    """Record a job in the current transaction. With a stable ``job_id`` a second call returns
    the first job instead of queueing a duplicate."""
    session = session or db.session()
    spec = kind(name)
    job_id = job_id or f"{name}:{uuid.uuid4().hex}"
    existing = session.execute(select(Job).where(Job.id == job_id)).scalar_one_or_none()
    if existing is not None:
        return existing
    cfg = current_app.config
    row = Job(
        id=job_id,
        name=name,
        args=args or {},
        queue=spec.queue,
        timeout_seconds=spec.timeout_seconds or cfg["JOB_TIMEOUT_SECONDS"],
        max_attempts=spec.max_attempts or cfg["JOB_MAX_ATTEMPTS"],
        created_by=current_scope().user_id,
    )
    session.add(row)
    session.info.setdefault(_PENDING_KEY, []).append(job_id)
    return row


def dispatch_after_commit(job_id: str, session: Session | None = None) -> None:
    """Hand an existing row (a retry: jobs/status.py) to the queue once this transaction commits,
    as enqueue() does for a new one."""
    session = session or db.session()
    session.info.setdefault(_PENDING_KEY, []).append(job_id)


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING_KEY, None)
    if ids:
        from tenant_app.jobs.dispatch import dispatch

        try:
            dispatch(ids)
        except Exception:  # noqa: BLE001 - the data is committed; raising here would say otherwise
            log.exception("dispatching jobs %s failed; they stay pending for the relay", ids)


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)

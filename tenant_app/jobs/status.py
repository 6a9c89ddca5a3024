"""What a person sees of a background job and may do with it: its state in words, a retry, the
file it made. The job's page, the progress box other pages include (an import, a screening run),
the page's poll and the JSON API all read :func:`view` and go through :func:`retry` and
:func:`file_of`, so no surface decides these on its own.

- **Waiting for a worker.** A job still pending or queued after ``JOB_WAIT_WARN_SECONDS`` says
  so, with how long it has waited, instead of spinning: no worker has taken it (none running,
  or all busy).
- **A retry is a new attempt of the same row** (same id, same arguments, so every page that
  links to the job follows it), with the kind's usual automatic attempts. The person's click
  carries the number of attempts they saw: a double click, or a resent request, finds the row
  moved on and starts nothing. Who may retry is who may start that kind (``@job(permission=)``).
- **A file a job made** (an export) is kept in the one upload store under the job's tenant and
  handed only to the person who asked for it, while the job is done and the file still there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm, permissions_for
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.core import uploads
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.jobs.enqueue import dispatch_after_commit
from tenant_app.jobs.registry import DEFAULT_PERMISSION, kind
from tenant_app.models import Job, JobStatus

FILE_AREA = "exports"  # UPLOAD_DIR/exports/<tenant_id>/<sha256>.xlsx
MAX_JOB_ID = 160


class JobNotFound(ServiceError):
    status = 404
    code = "not_found"


@dataclass(frozen=True)
class JobView:
    """A job as a person reads it."""

    job: Job
    percent: int
    done: int | None  # items handled, when the kind counts them
    total: int | None  # of how many (None while unknown)
    active: bool  # pending, queued or running: the page keeps polling
    waiting: bool  # pending or queued for longer than JOB_WAIT_WARN_SECONDS
    waited_minutes: int
    reason: str  # failed: why, in words (never a traceback)
    retry_permission: str  # who may retry it (the permission that starts its kind)
    file: dict[str, Any] | None  # done, and it made a file (an export): what it offered
    file_kept: bool  # ... and the file is still kept (EXPORT_KEEP_HOURS)

    @property
    def status(self) -> str:
        return self.job.status

    @property
    def failed(self) -> bool:
        return self.job.status == JobStatus.FAILED


def _permission_of(name: str) -> str:
    try:
        return kind(name).permission
    except LookupError:  # a kind no longer registered: only those who run any job
        return DEFAULT_PERMISSION


def _waiting_since(job: Job) -> datetime:
    return max(t for t in (job.created_at, job.enqueued_at, job.heartbeat_at) if t is not None)


def view(job: Job, now: datetime | None = None) -> JobView:
    now = now or utcnow()
    active = job.status in JobStatus.ACTIVE
    waiting, minutes = False, 0
    if job.status in (JobStatus.PENDING, JobStatus.QUEUED):
        waited = now - _waiting_since(job)
        minutes = max(0, int(waited.total_seconds() // 60))
        waiting = waited >= timedelta(seconds=current_app.config["JOB_WAIT_WARN_SECONDS"])
    return JobView(
        job=job,
        percent=100 if job.status == JobStatus.DONE else max(0, min(100, job.progress or 0)),
        done=job.items_done,
        total=job.items_total,
        active=active,
        waiting=waiting,
        waited_minutes=minutes,
        reason=(job.error or "任务执行失败") if job.status == JobStatus.FAILED else "",
        retry_permission=_permission_of(job.name),
        file=_file_info(job),
        file_kept=_stored_path(job) is not None,
    )


def get_job(ctx: Context, job_id: str) -> Job:
    """The job if the caller's scope reads it; another tenant's and a missing one alike: 404."""
    job = None
    if 0 < len(job_id) <= MAX_JOB_ID:
        job = db.session.execute(select(Job).where(Job.id == job_id)).scalar_one_or_none()
    if job is None:
        raise JobNotFound("没有该后台任务")
    return job


def retry(ctx: Context, job_id: str, attempt: int) -> tuple[Job, bool]:
    """Run a failed job again; (the job, whether this call started the retry).

    ``attempt`` is the number of attempts the person saw when they asked. Only a failed job of
    the caller's own tenant whose count still matches is retried; otherwise the job is answered
    as it is and nothing starts, so asking twice starts one retry. The caller commits; the
    attempt is dispatched after the commit like any enqueued job."""
    job = get_job(ctx, job_id)
    if job.tenant_id != ctx.tenant_id:
        # read through an oversight role: a county's job is the county's to run again
        raise JobNotFound("没有该后台任务")
    require_action(ctx, Perm(_permission_of(job.name)))
    if job.status != JobStatus.FAILED or job.attempts != attempt:
        return job, False
    reason = job.error
    spec = kind(job.name)
    more = spec.max_attempts or current_app.config["JOB_MAX_ATTEMPTS"]
    now = utcnow()
    moved = db.session.execute(
        update(Job)
        .where(Job.id == job.id, Job.status == JobStatus.FAILED, Job.attempts == attempt)
        .values(
            status=JobStatus.PENDING,
            max_attempts=attempt + more,
            error=None,
            finished_at=None,
            enqueued_at=None,
            heartbeat_at=now,  # waiting for a worker from now on
            progress=0,
            message="",
            items_done=None,
            items_total=None,
        )
        .execution_options(synchronize_session="fetch")
    )
    if not getattr(moved, "rowcount", 0):
        return job, False  # another request retried it between the read and the write
    audit.record(
        ctx,
        "job.retried",
        object_type="job",
        object_id=job.id[:64],
        before={"status": JobStatus.FAILED, "attempts": attempt, "error": reason},
        after={"status": JobStatus.PENDING, "job": job.id, "name": job.name},
    )
    dispatch_after_commit(job.id)
    return job, True


# --- files a job made ---------------------------------------------------------------------


def offer_file(stored: uploads.Stored, download_name: str, **extra: Any) -> dict[str, Any]:
    """What a job returns (under ``"file"`` in its result) to offer a file it stored."""
    return {
        "name": stored.stored_name,
        "download_name": download_name,
        "content_type": stored.content_type,
        "size": stored.size,
        **extra,
    }


def _file_info(job: Job) -> dict[str, Any] | None:
    result = job.result if isinstance(job.result, dict) else {}
    info = result.get("file")
    if job.status != JobStatus.DONE or not isinstance(info, dict) or not info.get("name"):
        return None
    return info


def _stored_path(job: Job) -> Path | None:
    """The file, if it is still kept and lies in the job's tenant's folder of the store."""
    info = _file_info(job)
    if info is None:
        return None
    try:
        path = uploads.path_of(str(info["name"]))
    except ServiceError:
        return None
    folder = uploads.root() / FILE_AREA / str(job.tenant_id)
    if path.parent != folder or not path.is_file():
        return None
    return path


@dataclass(frozen=True)
class JobFile:
    path: Path
    download_name: str
    content_type: str


def file_of(ctx: Context, job: Job) -> JobFile | None:
    """The file the job made, for the person who asked for it; None for anyone else, before the
    job is done, and once the file is no longer kept."""
    if job.created_by is None or job.created_by != ctx.user_id:
        return None
    if _permission_of(job.name) not in {str(p) for p in permissions_for(ctx.roles)}:
        return None
    path = _stored_path(job)
    info = _file_info(job)
    if path is None or info is None:
        return None
    return JobFile(
        path=path,
        download_name=str(info.get("download_name") or path.name),
        content_type=str(info.get("content_type") or "application/octet-stream"),
    )


def purge_files(older_than: timedelta) -> int:
    """Remove files jobs made that are older than ``older_than`` (every tenant's folder)."""
    base = uploads.root() / FILE_AREA
    if not base.is_dir():
        return 0
    cutoff = utcnow().timestamp() - older_than.total_seconds()
    n = 0
    for path in base.glob("*/*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            n += 1
    return n

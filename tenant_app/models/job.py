"""Job records double as the outbox: written in the caller's transaction, relayed after commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.clock import utcnow
from tenant_app.models.base import Model, TenantScoped, UTCDateTime


class JobStatus:
    PENDING = "pending"  # committed, not yet handed to a queue
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    ACTIVE = (PENDING, QUEUED, RUNNING)


# What a person reads for each status (translated where shown: tenant_app/ui/labels.py).
JOB_STATUS_LABELS = {
    JobStatus.PENDING: "等待开始",
    JobStatus.QUEUED: "排队中",
    JobStatus.RUNNING: "进行中",
    JobStatus.DONE: "已完成",
    JobStatus.FAILED: "失败",
}


class Job(TenantScoped, Model):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_tenant_id_created_at", "tenant_id", "created_at"),
        Index("ix_jobs_status", "status"),
    )

    # Stable ids ("import:42", "periodic:purge-logins:2026-11-22T04") make enqueues idempotent.
    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    queue: Mapped[str] = mapped_column(String(32), default="default")
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    timeout_seconds: Mapped[int] = mapped_column(default=1800)
    progress: Mapped[int] = mapped_column(default=0)
    # What the run has handled of how many (rows, enterprises): "已处理 N / M" on the job's page.
    # NULL while the kind does not count or does not know the total yet.
    items_done: Mapped[int | None] = mapped_column()
    items_total: Mapped[int | None] = mapped_column()
    message: Mapped[str] = mapped_column(String(255), default="")
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

"""The audit log: append-only, one hash chain per tenant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from .base import BigId, Model, TenantScoped, UTCDateTime


class AuditEntry(TenantScoped, Model):
    __tablename__ = "audit_log"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seq"),
        Index("ix_audit_log_tenant_id_object", "tenant_id", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    seq: Mapped[int] = mapped_column()
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # 0 = written before the chain was keyed (plain SHA-256); N = HMAC-SHA256 with AUDIT_KEY v N.
    key_version: Mapped[int] = mapped_column(default=0, server_default="0")


class AuditRefusalTally(TenantScoped, Model):
    """Anonymous refused attempts counted per tenant, action and hour instead of one audit row
    each; a closed hour becomes one aggregated audit entry (services/audit.py)."""

    __tablename__ = "audit_refusal_tallies"
    __table_args__ = (UniqueConstraint("tenant_id", "action", "window_start"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    action: Mapped[str] = mapped_column(String(64))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(default=0)
    # {"addresses": {ip: n}, "names": {typed name: n}, "reasons": {reason: n}}, capped
    detail: Mapped[Any] = mapped_column(JSON, default=dict)


class AuditHead(TenantScoped, Model):
    """The tip of a tenant's chain; locking this row serialises appends per tenant."""

    __tablename__ = "audit_heads"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("tenant_id"),)

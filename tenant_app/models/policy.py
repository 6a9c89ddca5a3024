"""Policy versions per tenant, the holiday calendar superadmins keep, and stored deadlines."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.clock import utcnow
from tenant_app.models.base import BigId, Model, TenantScoped, UTCDateTime


class PolicyVersion(TenantScoped, Model):
    """One change to a tenant's own policy: its pack choice and its overrides, as a full snapshot.

    The effective policy of a tenant on a date is its pack (own or nearest ancestor's) with the
    overrides of each ancestor and then its own, each taken from the version in force that day.
    """

    __tablename__ = "policy_versions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_policy_versions_tenant_id_effective_from", "tenant_id", "effective_from"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    pack: Mapped[str | None] = mapped_column(String(64))
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    diff: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(String(255), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarYear(Model):
    """A year whose arrangement a superadmin entered; it overrides the chinese-calendar package."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(255), default="")  # e.g. 国务院办公厅通知文号


class CalendarDay(Model):
    """A statutory holiday (is_workday False) or make-up working day (True) in an entered year."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(
        ForeignKey("calendar_years.year", ondelete="CASCADE"), index=True
    )
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(64), default="")


class Deadline(TenantScoped, Model):
    """A computed due date with its rule, kept so that provisional ones (a year with no holiday
    data) can be recomputed when that year is entered."""

    __tablename__ = "deadlines"
    __table_args__ = (
        UniqueConstraint("tenant_id", "subject_type", "subject_id", "rule_id"),
        Index("ix_deadlines_provisional", "provisional", "due_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(64))
    rule_id: Mapped[str] = mapped_column(String(32))
    event_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(16))  # workdays | days | months | years
    due_date: Mapped[date] = mapped_column(Date)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    policy_version: Mapped[str] = mapped_column(String(255), default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PolicyFiling(TenantScoped, Model):
    """A subordinate tenant's policy version filed with its ancestor (SX-12: 细化量化裁量要素、拓展
    “轻微违法行为不予处罚”事项清单，并报省生态环境厅备案; the pack's ``discretion.filing``). Written
    with the version, in its transaction. The row lives in the FILING tenant; the ancestor reads it
    through ``tenancy.queries.descendants`` (PostgreSQL: the extra RLS read of migration 0010x) and
    acknowledges it. Filing is not approval: the version is in force from its date regardless."""

    __tablename__ = "policy_filings"
    __table_args__ = (
        Index("ix_policy_filings_parent", "parent_tenant_id", "acknowledged_at"),
        Index("ix_policy_filings_fk_version_id", "version_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id", ondelete="CASCADE"))
    version_number: Mapped[int] = mapped_column(Integer)
    parent_tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    rule_id: Mapped[str] = mapped_column(String(16), default="")
    explanation: Mapped[str] = mapped_column(String(500), default="")
    # the version's changes of the filed keys, as the version recorded them (path/before/after)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    effective_from: Mapped[date] = mapped_column(Date)
    filed_on: Mapped[date] = mapped_column(Date)
    filed_by_name: Mapped[str] = mapped_column(String(64), default="")
    acknowledged_by_name: Mapped[str] = mapped_column(String(64), default="")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ack_note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

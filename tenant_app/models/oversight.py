"""Correction items (内部纠错, issue 17 item 3; XJ-A, SX-O): a finding of the oversight bulletin
that a parent region's auditor assigns to one child region, tracked to closure.

The row lives in the CHILD tenant (it is the child's obligation): the child's staff read and
answer it as their own rows; the auditor who issued it reads it through its oversight scope
(descendants, guard.py and RLS) and writes it in the child's scope for the one write, as the
filing inbox acknowledges a child's filing. Keys lead with ``tenant_id``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenant_app.clock import utcnow
from tenant_app.models.base import BigId, Model, TenantScoped, UTCDateTime

CORRECTION_STATUSES = {
    "open": "待整改",
    "answered": "已报整改情况，待核销",
    "closed": "已核销",
}
# What a finding is about (the oversight charts' subjects).
CORRECTION_TOPICS = {
    "too_many": "检查过多、扰企",
    "missing": "必要检查未开展",
    "on_site": "非必要现场执法",
    "listing": "未按程序编制正面清单或落实不力",
    "warnings": "预警提醒落实不到位",
    "cases": "处罚裁量偏离",
    "other": "其他",
}


class CorrectionItem(TenantScoped, Model):
    __tablename__ = "correction_items"
    __table_args__ = (Index("ix_correction_items_tenant_status", "tenant_id", "status", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    issuer_tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    topic: Mapped[str] = mapped_column(String(16))  # CORRECTION_TOPICS
    finding: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_by_name: Mapped[str] = mapped_column(String(64), default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_name: Mapped[str] = mapped_column(String(64), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_name: Mapped[str] = mapped_column(String(64), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_note: Mapped[str] = mapped_column(String(500), default="")

    @property
    def status_label(self) -> str:
        return CORRECTION_STATUSES.get(self.status, self.status)


class InspectionRollup(TenantScoped, Model):
    """Inspections counted per tenant × month × mode × trigger × category × industry (the first
    three characters of its code: 门类 + 大类) × the three on-site facts, for the oversight
    charts (issue 17 item 5). Rebuilt per tenant by the periodic job (oversight/jobs.py); the
    charts read whole months from here and the rest live, and show the refresh time."""

    __tablename__ = "inspection_rollups"
    __table_args__ = (Index("ix_inspection_rollups_tenant_month", "tenant_id", "month_start"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    month_start: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(16))
    trigger: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(16))
    industry: Mapped[str] = mapped_column(String(3))
    quiet: Mapped[bool] = mapped_column(Boolean)
    listed: Mapped[bool] = mapped_column(Boolean)
    feedback_overdue: Mapped[bool] = mapped_column(Boolean)
    n: Mapped[int] = mapped_column(Integer)


class RollupRefresh(TenantScoped, Model):
    """When a tenant's rollup of one kind was last rebuilt, and from how many source rows."""

    __tablename__ = "rollup_refreshes"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", name="uq_rollup_refreshes_tenant_kind"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source_rows: Mapped[int] = mapped_column(Integer, default=0)
    rollup_rows: Mapped[int] = mapped_column(Integer, default=0)

"""Correction orders (责令改正 / 限期改正, NL-28, SX-14) and their supervised rectification
(SX-15, issue 15 items 1 and 2).

A correction order is made by every decision of a case (penalty or no penalty) and by an officer
acting on a warning that found a violation. Its deadline is computed by the working-day calendar
from the days the officer sets (working or calendar days, per the pack). The enterprise answers
with a plan (measures, responsible person, milestones) and progress reports with evidence; the
bureau comments, records the help given (纾困) and verifies (整改核查) off-site or by an on-site
follow-up visit linked to the order, then closes it as done, partly done or not done.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from tenant_app.clock import utcnow
from tenant_app.models.base import BigId, Model, TenantScoped, UTCDateTime

ORDER_SOURCES = {"case": "行政处罚案件决定", "warning": "预警核实发现违法"}
ORDER_STATUSES = {
    "issued": "已下达，待企业提交整改方案",
    "planned": "已提交整改方案，整改中",
    "verifying": "整改核查中",
    "done": "已完成整改",
    "partly_done": "部分完成整改",
    "not_done": "未完成整改",
}
OPEN_ORDER_STATUSES = ("issued", "planned", "verifying")
OUTCOMES = ("done", "partly_done", "not_done")
VERIFY_METHODS = {"off_site": "非现场核查", "on_site": "现场核查（整改核查检查）"}
DAY_UNITS = {"workdays": "个工作日", "days": "日"}
EXTENSION_STATUSES = {"pending": "待审查", "granted": "准予延期", "refused": "不予延期"}
ENTRY_KINDS = {
    "progress": "企业报告整改进展",
    "comment": "执法部门意见",
    "help": "帮扶纾困",
}


class CorrectionOrder(TenantScoped, Model):
    """One correction order, what ordered it, its deadline and its rectification."""

    __tablename__ = "correction_orders"
    __table_args__ = (
        Index("ux_correction_orders_tenant_case", "tenant_id", "case_id", unique=True),
        Index("ux_correction_orders_tenant_warning", "tenant_id", "warning_id", unique=True),
        Index("ix_correction_orders_tenant_status_id", "tenant_id", "status", "id"),
        Index("ix_correction_orders_tenant_enterprise_id", "tenant_id", "enterprise_id", "id"),
        Index("ix_correction_orders_tenant_due", "tenant_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))  # ORDER_SOURCES
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("warnings.id", ondelete="CASCADE"))
    content: Mapped[str] = mapped_column(Text, default="")
    days: Mapped[int] = mapped_column(Integer)
    day_unit: Mapped[str] = mapped_column(String(16))  # DAY_UNITS
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline_text: Mapped[str] = mapped_column(Text, default="")
    rule_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    policy_version: Mapped[str] = mapped_column(String(255), default="")
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="issued")  # ORDER_STATUSES
    # The enterprise's plan (SX-15 制定具体可操作的整改计划).
    plan_measures: Mapped[str] = mapped_column(Text, default="")
    plan_responsible: Mapped[str] = mapped_column(String(100), default="")
    plan_milestones: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    plan_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Overdue (XJ-R: 限期改正……无正当理由逾期不改正).
    overdue_on: Mapped[date | None] = mapped_column(Date)
    overdue_justified: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue_reason: Mapped[str] = mapped_column(Text, default="")
    removal: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Verification (整改核查) and closing.
    inspection_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspections.id", ondelete="SET NULL")
    )
    verify_method: Mapped[str | None] = mapped_column(String(16))  # VERIFY_METHODS
    verified_on: Mapped[date | None] = mapped_column(Date)
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verification_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise = relationship("Enterprise")
    # A warning orders correction once (unique per tenant and warning): its page shows the order
    # instead of the form once it exists.
    warning = relationship(
        "EnterpriseWarning",
        backref=backref("correction_order", uselist=False, viewonly=True),
        viewonly=True,
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ORDER_STATUSES


class RectificationEntry(TenantScoped, Model):
    """One line of an order's rectification: a progress report (with an optional evidence file
    from the one upload store), a comment of the bureau, or help given (纾困)."""

    __tablename__ = "rectification_entries"
    __table_args__ = (
        Index("ix_rectification_entries_tenant_order", "tenant_id", "order_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("correction_orders.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # ENTRY_KINDS
    text: Mapped[str] = mapped_column(Text, default="")
    day: Mapped[date] = mapped_column(Date)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    stored_name: Mapped[str] = mapped_column(String(255), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CorrectionExtension(TenantScoped, Model):
    """The enterprise's request for more time to correct (延期整改申请), with its reasons and an
    optional proof file (the one upload store), and the officer's answer: a new deadline no
    earlier than the current one and within the pack's bound, or a refusal with a reason. The
    order's ``due_on`` moves when granted; these rows keep the history."""

    __tablename__ = "correction_extensions"
    __table_args__ = (
        Index("ix_correction_extensions_tenant_order", "tenant_id", "order_id", "id"),
        Index("ix_correction_extensions_tenant_status", "tenant_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("correction_orders.id", ondelete="CASCADE"))
    reasons: Mapped[str] = mapped_column(Text)
    asked_until: Mapped[date | None] = mapped_column(Date)  # the date the enterprise asks for
    filed_on: Mapped[date] = mapped_column(Date)
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    stored_name: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # EXTENSION_STATUSES
    old_due_on: Mapped[date] = mapped_column(Date)  # the deadline when it was asked
    new_due_on: Mapped[date | None] = mapped_column(Date)
    deadline_text: Mapped[str] = mapped_column(Text, default="")
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rule_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    policy_version: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

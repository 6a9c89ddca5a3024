"""Early warnings (SX-1, issue 16): online-monitoring anomalies and exceedances as they arrive
from a monitoring platform or an upload, the batches they came in (one batch id is taken once
per tenant), and the warnings the daily scan sends, with the enterprise's answer and the
escalation.

One warning per (tenant, enterprise, cause, period) — a unique key the scan's
INSERT … SELECT … ON CONFLICT DO NOTHING leans on, so running it twice creates nothing new.
``period`` names the occurrence of the cause: the permit's expiry date, the report or disclosure
year, the day of the anomalies.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, LargeBinary, Numeric, String, Text
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from tenant_app.clock import utcnow
from tenant_app.models.base import BigId, Model, TenantScoped, UTCDateTime

MONITORING_KINDS = {"anomaly": "数据异常", "exceedance": "超标"}
WARNING_CAUSES = {
    "permit_expiry": "排污许可证有效期届满",
    "execution_report": "未及时提交排污许可执行报告",
    "emission_disclosure": "未及时披露环境信息",
    "monitoring_anomaly": "在线监测数据异常",
}
WARNING_STATUSES = {
    "sent": "已发出，待企业确认",
    "acknowledged": "企业已确认，待答复",
    "answered": "企业已答复",
    "escalated": "逾期未答复，已升级",
    "resolved": "已办结",
    "closed": "已关闭",
}
OPEN_STATUSES = ("sent", "acknowledged", "answered", "escalated")
CLOSE_REASONS = {
    "cause_gone": "预警原因已消除",
    "resolved": "经核实已整改",
    "closed": "工作人员关闭",
}
WARNING_RUNGS = {
    "guidance": "行政指导（提醒告诫）",
    "reasoned_warning": "告诫说理",
    "inspection_lead": "列为检查线索",
}
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024


class MonitoringBatch(TenantScoped, Model):
    """One batch of monitoring rows as it was taken; posting the same ``batch_id`` again answers
    ``response`` again and writes nothing."""

    __tablename__ = "monitoring_batches"
    __table_args__ = (
        Index("ux_monitoring_batches_tenant_batch", "tenant_id", "batch_id", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32))  # api | upload
    rows: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MonitoringRecord(TenantScoped, Model):
    """An online-monitoring anomaly or exceedance of one enterprise, dated the day observed;
    ``resolved_on`` set once the platform reports the data normal again."""

    __tablename__ = "monitoring_records"
    __table_args__ = (
        Index(
            "ix_monitoring_records_tenant_enterprise_day",
            "tenant_id",
            "enterprise_id",
            "observed_on",
        ),
        # The scan reads only unresolved rows: a partial index keeps it small at 10M rows.
        Index(
            "ix_monitoring_records_tenant_open",
            "tenant_id",
            "enterprise_id",
            "observed_on",
            postgresql_where=sql_text("resolved_on IS NULL"),
            sqlite_where=sql_text("resolved_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    batch_pk: Mapped[int | None] = mapped_column(
        ForeignKey("monitoring_batches.id", ondelete="SET NULL")
    )
    row_no: Mapped[int] = mapped_column(Integer, default=0)
    permit_no: Mapped[str] = mapped_column(String(64), default="")
    point: Mapped[str] = mapped_column(String(64))  # 监测点位
    pollutant: Mapped[str] = mapped_column(String(32))  # 监测因子
    kind: Mapped[str] = mapped_column(String(16))  # MONITORING_KINDS
    observed_on: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal | None] = mapped_column(Numeric(16, 4))
    limit_value: Mapped[Decimal | None] = mapped_column(Numeric(16, 4))
    unit: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    resolved_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise = relationship("Enterprise")


class EnterpriseWarning(TenantScoped, Model):
    """A warning sent to one enterprise for one cause and period, and what became of it."""

    __tablename__ = "warnings"
    __table_args__ = (
        Index(
            "ux_warnings_tenant_enterprise_cause_period",
            "tenant_id",
            "enterprise_id",
            "cause",
            "period",
            unique=True,
        ),
        Index("ix_warnings_tenant_status_id", "tenant_id", "status", "id"),
        Index("ix_warnings_tenant_enterprise_id", "tenant_id", "enterprise_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    cause: Mapped[str] = mapped_column(String(32))  # WARNING_CAUSES
    period: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date] = mapped_column(Date)  # the obligation's due date / anomaly day
    status: Mapped[str] = mapped_column(String(16), default="sent")  # WARNING_STATUSES
    sent_on: Mapped[date] = mapped_column(Date)
    answer_due: Mapped[date] = mapped_column(Date)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    explanation: Mapped[str] = mapped_column(Text, default="")
    measure: Mapped[str] = mapped_column(Text, default="")
    evidence_name: Mapped[str] = mapped_column(String(255), default="")
    evidence_type: Mapped[str] = mapped_column(String(100), default="")
    evidence: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    escalated_on: Mapped[date | None] = mapped_column(Date)
    rung: Mapped[str | None] = mapped_column(String(32))  # WARNING_RUNGS
    escalation_reason: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[date | None] = mapped_column(Date)
    close_reason: Mapped[str | None] = mapped_column(String(16))  # CLOSE_REASONS
    officer_note: Mapped[str] = mapped_column(Text, default="")
    rule_id: Mapped[str] = mapped_column(String(16), default="")
    policy_version: Mapped[str] = mapped_column(String(255), default="")
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise = relationship("Enterprise")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

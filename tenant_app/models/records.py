"""Compliance records: one narrow table for every kind, dated and sourced.

Why one table: the positive-list screening asks the same question of every kind ("which
enterprises have a record of kinds K dated after D?"), so over 100,000 enterprises × 500,000
records it is one GROUP BY on the (tenant_id, kind, record_date) index instead of a UNION over
a dozen tables. Kind-specific facts are nullable typed columns (not JSON) so they can be filtered
and indexed too; records.KIND_FIELDS says which columns each kind uses.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenant_app.clock import utcnow
from tenant_app.models.base import BigId, Model, TenantScoped, UTCDateTime

# The first six are policies.vocab.RECORD_TYPES (the names packs use); the rest feed the SX-1
# warnings, the compliance calendar and XJ-C7 (credit lists) / XJ-R (overdue rectification).
RECORD_KINDS: dict[str, str] = {
    "penalty": "行政处罚",
    "coercive_measure": "行政强制",
    "judicial_transfer": "移送司法机关",
    "criminal_judgment": "刑事判决",
    "incident": "突发环境事件",
    "complaint": "信访投诉",
    "credit_listing": "信用名单列入/移出",
    "execution_report": "排污许可执行报告",
    "emission_disclosure": "污染物排放信息公开",
    "monitoring_anomaly": "在线监测数据异常",
    "rectification": "责令整改",
}
# What record_date means for each kind (shown as the form label and the timeline's date).
DATE_LABELS: dict[str, str] = {
    "penalty": "处罚决定日期",
    "coercive_measure": "决定日期",
    "judicial_transfer": "移送日期",
    "criminal_judgment": "判决日期",
    "incident": "发生日期",
    "complaint": "受理日期",
    "credit_listing": "列入日期",
    "execution_report": "提交日期",
    "emission_disclosure": "公开日期",
    "monitoring_anomaly": "发现日期",
    "rectification": "责令整改日期",
}
# policies.vocab.INCIDENT_LEVELS with their Chinese names.
INCIDENT_LEVELS = {
    "general": "一般",
    "larger": "较大",
    "major": "重大",
    "especially_major": "特别重大",
}
# policies.vocab.CREDIT_LISTS.
CREDIT_LISTS = {"abnormal_operations": "经营异常名录", "serious_dishonesty": "严重违法失信名单"}
RECTIFICATION_OUTCOMES = {
    "open": "整改中",
    "completed": "已按期整改",
    "late_completed": "逾期后完成整改",
    "overdue": "逾期未整改（无正当理由）",
    "extended": "有正当理由延期",
}


class ComplianceRecord(TenantScoped, Model):
    __tablename__ = "compliance_records"
    __table_args__ = (
        Index(
            "ix_compliance_records_tenant_enterprise_kind_date",
            "tenant_id",
            "enterprise_id",
            "kind",
            "record_date",
        ),
        Index("ix_compliance_records_tenant_kind_date", "tenant_id", "kind", "record_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # RECORD_KINDS
    record_date: Mapped[date] = mapped_column(Date)  # DATE_LABELS[kind]
    ref: Mapped[str] = mapped_column(String(64), default="")  # 决定书/判决书文号, 投诉编号…
    summary: Mapped[str] = mapped_column(String(1000), default="")  # 违法行为, 事件经过…
    source: Mapped[str] = mapped_column(String(255))  # 来源: where the fact was taken from
    # penalty
    fine_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    secret_discharge: Mapped[bool] = mapped_column(Boolean, default=False)  # 恶意偷排
    falsified_records: Mapped[bool] = mapped_column(Boolean, default=False)  # 篡改、伪造台账
    evading_supervision: Mapped[bool] = mapped_column(Boolean, default=False)  # 逃避监管
    # incident
    level: Mapped[str | None] = mapped_column(String(24))  # INCIDENT_LEVELS
    # complaint
    verified: Mapped[bool] = mapped_column(Boolean, default=False)  # 查证属实
    # credit_listing: record_date = entered, end_date = exited (None while on the list)
    list_name: Mapped[str | None] = mapped_column(String(32))  # CREDIT_LISTS
    end_date: Mapped[date | None] = mapped_column(Date)
    # execution_report / emission_disclosure: the period covered ("2025", "2025-Q3", "2025-07")
    period: Mapped[str | None] = mapped_column(String(16))
    # rectification: due date, outcome, date closed
    due_date: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(16))  # RECTIFICATION_OUTCOMES
    closed_on: Mapped[date | None] = mapped_column(Date)
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_by_name: Mapped[str] = mapped_column(String(64), default="")  # kept if the user goes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise = relationship("Enterprise")

    @property
    def malicious(self) -> bool:
        """XJ-R: a penalty for 恶意偷排、篡改台账、逃避监管 bars re-inclusion for 3 years."""
        return self.secret_discharge or self.falsified_records or self.evading_supervision

    @property
    def kind_label(self) -> str:
        return RECORD_KINDS.get(self.kind, self.kind)

"""After the decision (issue 15 items 3-5): paying a fine (SX-13, 行政处罚法第六十六、六十七、七十二条),
the progressive ladder per enterprise (SX-0) and legal-education activities (SX-2).

Money is integer fen (分) throughout: a fine of 12,345 元 is 1234500. The case keeps the fine in
yuan (``cases.total_fine``); the payment services convert once, never through float.

* ``payment_applications``: the party's application for deferral (暂缓) or instalments (分期),
  with its reasons and one proof-of-hardship file, and the decision on it by the role the pack
  names (``national.rules.payment.deferral_approver``).
* ``fine_instalments``: the schedule an approved application set (one row for a deferral); a case
  without one owes the whole fine on the statutory due date.
* ``fine_payments``: payments recorded by staff or imported from the payment platform.
* ``ladder_steps``: what the bureau did on a new finding, with what the system proposed and, when
  the officer chose otherwise, the written reason; a guidance letter (教育引导) or a reasoned
  warning (告诫说理) keeps its document text.
* ``education_events`` / ``education_attendance``: 普法 activities, whom they invited and who came.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from tenant_app.clock import utcnow
from tenant_app.models.base import BigId, Model, TenantScoped, UTCDateTime

APPLICATION_KINDS = {"deferral": "暂缓缴纳罚款", "instalments": "分期缴纳罚款"}
APPLICATION_STATUSES = {"pending": "待批准", "approved": "已批准", "rejected": "不予批准"}
PAYMENT_SOURCES = {"staff": "工作人员登记", "import": "缴款平台导入"}
# Where a fine stands (computed by enforcement.services.payments, never stored).
PAYMENT_STATES = {
    "not_due": "未到期",
    "due": "待缴纳",
    "overdue": "逾期未缴，加处罚款",
    "paid": "已缴清",
    "enforcement": "已申请强制执行",
    "revoked": "处罚决定已撤销，无需缴纳",
}
# What staff may do on a new finding, and where the finding came from.
LADDER_ORIGINS = {
    "inspection": "检查发现问题",
    "case": "案件立案",
    "warning": "预警升级",
    "manual": "其他线索",
}
# The rungs a step may record (policies.schema_inspection.LADDER_KINDS); words from the pack.
LADDER_RUNGS = {
    "education": "普法宣传",
    "guidance": "教育引导",
    "reasoned_warning": "告诫说理",
    "penalty": "行政处罚",
    "rectification": "监督整改",
}
# Rungs whose act is a document the bureau gives the enterprise (print view).
DOCUMENT_RUNGS = ("guidance", "reasoned_warning")
EDUCATION_KINDS = {
    "training": "培训讲座",
    "seminar": "业务研讨、交流座谈",
    "qa": "问题解答",
    "visit": "送法入企",
}
PROOF_MAX_BYTES = 5 * 1024 * 1024
# 行政处罚法第七十三条 (NAT-APL-73.3): the party's administrative review or suit against a decision.
REVIEW_KINDS = {"review": "行政复议", "litigation": "行政诉讼"}
REVIEW_OUTCOMES = {"upheld": "维持", "changed": "变更", "revoked": "撤销"}


class PaymentApplication(TenantScoped, Model):
    __tablename__ = "payment_applications"
    __table_args__ = (
        Index("ix_payment_applications_tenant_case", "tenant_id", "case_id", "id"),
        Index("ix_payment_applications_tenant_status", "tenant_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    kind: Mapped[str] = mapped_column(String(16))  # APPLICATION_KINDS
    reasons: Mapped[str] = mapped_column(Text)
    defer_until: Mapped[date | None] = mapped_column(Date)  # deferral: the new due date asked
    parts: Mapped[int | None] = mapped_column(Integer)  # instalments: how many
    proof_name: Mapped[str] = mapped_column(String(255), default="")
    proof_type: Mapped[str] = mapped_column(String(100), default="")
    proof: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # APPLICATION_STATUSES
    filed_on: Mapped[date] = mapped_column(Date)
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_role: Mapped[str] = mapped_column(String(32), default="")
    decision_note: Mapped[str] = mapped_column(Text, default="")
    rule_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    policy_version: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FineInstalment(TenantScoped, Model):
    __tablename__ = "fine_instalments"
    __table_args__ = (Index("ix_fine_instalments_tenant_case", "tenant_id", "case_id", "seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(
        ForeignKey("payment_applications.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class FinePayment(TenantScoped, Model):
    __tablename__ = "fine_payments"
    __table_args__ = (
        Index("ix_fine_payments_tenant_case", "tenant_id", "case_id", "paid_on"),
        # One platform transaction is taken once per tenant (re-importing a file adds nothing).
        Index("ux_fine_payments_tenant_reference", "tenant_id", "reference", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    paid_on: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(16))  # PAYMENT_SOURCES
    reference: Mapped[str] = mapped_column(String(64))  # 缴款流水号 / 收据号
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FineReview(TenantScoped, Model):
    """The party applied for administrative review (行政复议) or filed an administrative suit
    (行政诉讼) against a fined decision (行政处罚法第七十三条), recorded by staff: while it runs
    the surcharge is not counted (第三款, NAT-APL-73.3, when the pack says so); its end and outcome
    (维持 / 变更 with the changed fine / 撤销) decide what is owed afterwards."""

    __tablename__ = "fine_reviews"
    __table_args__ = (Index("ix_fine_reviews_tenant_case", "tenant_id", "case_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # REVIEW_KINDS
    filed_on: Mapped[date] = mapped_column(Date)
    body: Mapped[str] = mapped_column(String(200), default="")  # 复议机关 / 受理法院
    ended_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(16))  # REVIEW_OUTCOMES
    changed_fine_fen: Mapped[int | None] = mapped_column(BigInteger)  # outcome "changed"
    note: Mapped[str] = mapped_column(Text, default="")
    end_note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rule_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    policy_version: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class LadderStep(TenantScoped, Model):
    __tablename__ = "ladder_steps"
    __table_args__ = (
        Index("ix_ladder_steps_tenant_enterprise_day", "tenant_id", "enterprise_id", "on_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    on_date: Mapped[date] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(String(16))  # LADDER_ORIGINS
    origin_ref: Mapped[str] = mapped_column(String(64), default="")  # e.g. case:12
    finding: Mapped[str] = mapped_column(Text)
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)  # vocab.VIOLATION_FLAGS
    proposed_rung: Mapped[str] = mapped_column(String(32), default="")
    proposal_reason: Mapped[str] = mapped_column(Text, default="")
    rung: Mapped[str] = mapped_column(String(32))  # LADDER_RUNGS: what the officer chose
    deviation_reason: Mapped[str] = mapped_column(Text, default="")
    document_title: Mapped[str] = mapped_column(String(200), default="")
    document_body: Mapped[str] = mapped_column(Text, default="")
    rule_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    policy_version: Mapped[str] = mapped_column(String(255), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def deviates(self) -> bool:
        return bool(self.proposed_rung) and self.rung != self.proposed_rung


class EducationEvent(TenantScoped, Model):
    __tablename__ = "education_events"
    __table_args__ = (Index("ix_education_events_tenant_day", "tenant_id", "held_on", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # EDUCATION_KINDS
    topic: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    materials: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EducationAttendance(TenantScoped, Model):
    __tablename__ = "education_attendance"
    __table_args__ = (
        Index(
            "ux_education_attendance_tenant_event_ent",
            "tenant_id",
            "event_id",
            "enterprise_id",
            unique=True,
        ),
        Index("ix_education_attendance_tenant_enterprise", "tenant_id", "enterprise_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("education_events.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    present: Mapped[bool] = mapped_column(Boolean, default=False)

"""Enforcement cases (案件, issue 14): a case against one enterprise, its violations with the
discretion proposal each was given, the party's statements and hearing request, and every step
of the procedure with the rules it applied.

Every tenant table leads its keys with ``tenant_id`` (RLS, Citus). The list pages read a
tenant's cases newest first (ix_cases_tenant_stage, ix_cases_tenant_enterprise); a case page
reads its violations, statements and steps by case (ix_case_*_tenant_case).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenant_app.clock import utcnow
from tenant_app.models.base import BigId, Model, TenantScoped, UTCDateTime

# Where a case comes from (issue 14 item 1).
CASE_ORIGINS = {
    "finding": "检查发现",
    "off_site_lead": "非现场线索",
    "complaint": "投诉举报",
    "warning": "预警提醒后未整改",
    "manual": "其他",
}
# Where a case stands: the last step taken (tenant_app/cases/services/stages.py says what comes
# next and which rule decides it).
CASE_STAGES = {
    "investigation": "立案调查中",
    "notice": "已告知，陈述申辩期",
    "hearing": "听证",
    "review": "待法制审核",
    "discussion": "待集体讨论",
    "decision": "待作出决定",
    "decided": "已作出决定，待送达",
    "served": "已送达",
    "closed": "已结案",
}
OPEN_STAGES = tuple(s for s in CASE_STAGES if s != "closed")
# What the decision does about one violation.
DECISION_OUTCOMES = {"no_penalty": "不予行政处罚", "fine": "罚款"}
# What the party files online or staff record for it (行政处罚法第四十四、四十五、六十三、六十四条).
STATEMENT_KINDS = {
    "statement": "陈述、申辩",
    "hearing_request": "要求听证",
    "waiver": "明确放弃陈述、申辩和听证",
}
STATEMENT_VIA = {"portal": "当事人在线提交", "staff": "执法人员代为登记"}
REVIEW_VERDICTS = {"passed": "审核通过", "failed": "审核未通过"}
SERVICE_METHODS = {
    "in_person": "当场交付",
    "electronic": "电子送达（当事人同意并签订确认书）",
    "mail": "邮寄送达",
    "other": "其他法定方式送达",
}
# Coercive measures and the heavier non-fine measures (SX-13: used sparingly; issue 14 item 6).
# Each needs a reason why lighter means do not suffice, legal review and the principal head's
# approval before it may be carried out.
COERCIVE_MEASURES = {
    "seal_or_seize": "查封、扣押",
    "restrict_production": "责令限制生产",
    "suspend_production": "责令停产整治",
    "suspend_permit": "暂扣许可证件",
    "revoke_permit": "吊销许可证件",
}
MEASURE_STATUSES = {
    "proposed": "待法制审核",
    "reviewed": "法制审核通过，待主要负责人批准",
    "approved": "主要负责人已批准，可以实施",
    "rejected": "未通过（法制审核或负责人不批准）",
}
# What a serious violation's decision does beyond the case (SX-11, XJ-H; case_steps "consequence").
CONSEQUENCE_KINDS = {
    "frequency": "提高检查频次",
    "removal": "启动移出正面清单",
    "special_supervision": "随机抽查特殊监管",
}
# The deadlines a case keeps (cases.deadlines), by name.
CASE_DEADLINES = {
    "decision_limit": "作出决定的期限",
    "extension": "延长后的办案期限",
    "statement": "陈述、申辩和要求听证的期限",
    "hearing_notice": "听证最早举行日",
    "service": "送达决定书的期限",
}
# What the system proposes for one violation (proposal.outcome); a fine proposal names a range.
PROPOSAL_OUTCOMES = {"no_penalty": "不予行政处罚", "fine": "在建议幅度内罚款"}
# The steps of a case's history (case_steps.step).
CASE_STEPS = {
    "filed": "立案",
    "violations": "记录违法事实与裁量情节",
    "noticed": "告知拟作出的行政处罚",
    "statement": "当事人陈述、申辩",
    "hearing_request": "当事人要求听证",
    "waiver": "当事人放弃陈述、申辩和听证",
    "answered": "复核当事人意见",
    "hearing_scheduled": "通知听证",
    "hearing_held": "举行听证",
    "review_routed": "转法制审核",
    "reviewed": "法制审核",
    "discussed": "负责人集体讨论",
    "extended": "延长办案期限",
    "decided": "作出决定",
    "served": "送达决定书",
    "closed": "结案",
    "measure_proposed": "提请采取强制或者停产类措施",
    "measure_reviewed": "措施法制审核",
    "measure_approved": "主要负责人批准措施",
    "measure_rejected": "措施未获批准",
    "typical": "列为典型案例（以案释法）",
    "police_transfer": "移送公安机关",
    "consequence": "严重违法行为的后果",
    "evidence_added": "上传证据",
    "enforcement_applied": "罚款逾期未缴，申请人民法院强制执行",  # issue 15 (第七十二条)
}


class Case(TenantScoped, Model):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_tenant_stage", "tenant_id", "stage", "id"),
        Index("ix_cases_tenant_enterprise", "tenant_id", "enterprise_id", "id"),
        Index("ix_cases_tenant_inspection", "tenant_id", "inspection_id"),
        # led by the reference itself, as every foreign key's index (migration 0008p): on
        # SQLite the key is the single column
        Index("ix_cases_fk_warning_id", "warning_id"),
        # 决定书文号: sequential per tenant per year, never reused (issue 14 item 7).
        Index(
            "ux_cases_tenant_decision_number",
            "tenant_id",
            "decision_year",
            "decision_seq",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    # the unanswered warning (SX-1) the case was opened from (origin "warning")
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("warnings.id"))
    origin: Mapped[str] = mapped_column(String(16))  # CASE_ORIGINS
    title: Mapped[str] = mapped_column(String(200))
    facts: Mapped[str] = mapped_column(Text, default="")
    officers: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{id, name, certificate_no}]
    stage: Mapped[str] = mapped_column(String(16), default="investigation")
    # 行政处罚法第五十七、五十八条: what makes legal review and collective discussion required.
    complex_case: Mapped[bool] = mapped_column(Boolean, default=False)
    public_interest: Mapped[bool] = mapped_column(Boolean, default=False)
    major_violation: Mapped[bool] = mapped_column(Boolean, default=False)
    filed_on: Mapped[date] = mapped_column(Date)
    limit_due: Mapped[date] = mapped_column(Date)  # 第六十条, extended by time_limit.extension_days
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    noticed_on: Mapped[date | None] = mapped_column(Date)
    statement_due: Mapped[date | None] = mapped_column(Date)
    hearing_eligible: Mapped[bool] = mapped_column(Boolean, default=False)
    hearing_requested_on: Mapped[date | None] = mapped_column(Date)
    waived_on: Mapped[date | None] = mapped_column(Date)
    hearing_notified_on: Mapped[date | None] = mapped_column(Date)
    hearing_date: Mapped[date | None] = mapped_column(Date)
    hearing_place: Mapped[str] = mapped_column(String(200), default="")
    hearing_held_on: Mapped[date | None] = mapped_column(Date)
    hearing_record: Mapped[str] = mapped_column(Text, default="")
    review_required: Mapped[bool] = mapped_column(Boolean, default=False)
    review_reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{rule_id, text}]
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    review_verdict: Mapped[str | None] = mapped_column(String(16))  # REVIEW_VERDICTS
    review_opinion: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What the review saw (violation id -> outcome, fine): a decision that departs from it and
    # from the proposal goes back to review.
    reviewed_penalty: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    discussion_required: Mapped[bool] = mapped_column(Boolean, default=False)
    discussion_reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    discussed_on: Mapped[date | None] = mapped_column(Date)
    discussion_record: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    total_fine: Mapped[int] = mapped_column(BigInteger, default=0)
    correction_order: Mapped[str] = mapped_column(Text, default="")
    correction_due: Mapped[date | None] = mapped_column(Date)
    education_record: Mapped[str] = mapped_column(Text, default="")
    # A decision option (SX-11): the case is also transferred to the police, with the reason.
    police_transfer: Mapped[bool] = mapped_column(Boolean, default=False)
    police_transfer_reason: Mapped[str] = mapped_column(Text, default="")
    service_due: Mapped[date | None] = mapped_column(Date)
    served_on: Mapped[date | None] = mapped_column(Date)
    service_method: Mapped[str | None] = mapped_column(String(16))  # SERVICE_METHODS
    service_late: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # Each deadline as its Decision (rule id, facts, policy version, explanation), by name.
    deadlines: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    policy_version: Mapped[str] = mapped_column(String(255), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # 以案释法 (SX-2/SX-7): a decided case marked as typical is shown on the public page with its
    # explanation (the party's personal names masked like every published decision).
    typical: Mapped[bool] = mapped_column(Boolean, default=False)
    typical_note: Mapped[str] = mapped_column(Text, default="")
    # The decision's document number (e.g. 并环罚〔2026〕3号), assigned with the decision.
    decision_no: Mapped[str] = mapped_column(String(64), default="")
    decision_year: Mapped[int | None] = mapped_column(Integer)
    decision_seq: Mapped[int | None] = mapped_column(Integer)

    enterprise = relationship("Enterprise")

    @property
    def stage_label(self) -> str:
        return CASE_STAGES.get(self.stage, self.stage)


class CaseViolation(TenantScoped, Model):
    """One violation of a case: the catalogue entry (copied: the case keeps what it was judged
    under), the facts, the factor levels the officer recorded, the proposal the system made
    (``proposal``: outcome, range, every factor's effect, rule ids, policy version), the penalty
    told to the party (``intended_*``) and the one decided."""

    __tablename__ = "case_violations"
    __table_args__ = (
        Index("ix_case_violations_tenant_case", "tenant_id", "case_id"),
        # 类案同罚 (cases/services/similar.py): a tenant's decided fines of one violation and
        # profile, in order — count, percentiles and the proposal's rank from the index alone.
        Index("ix_case_violations_tenant_similar", "tenant_id", "violation_key", "profile", "fine"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    violation_key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255))
    provision: Mapped[str] = mapped_column(String(255), default="")
    penalty_provision: Mapped[str] = mapped_column(String(255), default="")
    fine_min: Mapped[int] = mapped_column(BigInteger, default=0)
    fine_max: Mapped[int] = mapped_column(BigInteger, default=0)
    facts: Mapped[str] = mapped_column(Text, default="")
    levels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # factor -> level
    list_entry: Mapped[str] = mapped_column(String(500), default="")
    proposal: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    intended_outcome: Mapped[str | None] = mapped_column(String(16))
    intended_fine: Mapped[int | None] = mapped_column(BigInteger)
    intended_measures: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcome: Mapped[str | None] = mapped_column(String(16))  # DECISION_OUTCOMES
    fine: Mapped[int | None] = mapped_column(BigInteger)
    measures: Mapped[list[str]] = mapped_column(JSON, default=list)
    outside_proposal: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")  # why outside the proposal
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Set by the decision (类案同罚): the factor profile (the proposal's grade) the fine counts
    # under among similar cases, and how far the fine was from them (similar.py).
    profile: Mapped[str | None] = mapped_column(String(32))
    similar_cases: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    similar_far: Mapped[bool] = mapped_column(Boolean, default=False)


class CaseStatement(TenantScoped, Model):
    """What the party says: a statement or defence, a hearing request, or a waiver; and how the
    bureau answered it (行政处罚法第四十五条第一款: reviewed, adopted when it holds)."""

    __tablename__ = "case_statements"
    __table_args__ = (Index("ix_case_statements_tenant_case", "tenant_id", "case_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # STATEMENT_KINDS
    content: Mapped[str] = mapped_column(Text, default="")
    filed_on: Mapped[date] = mapped_column(Date)
    via: Mapped[str] = mapped_column(String(8), default="portal")  # STATEMENT_VIA
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str] = mapped_column(Text, default="")
    adopted: Mapped[bool | None] = mapped_column(Boolean)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_on: Mapped[date | None] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseStep(TenantScoped, Model):
    """One step of the procedure as it happened: who, on which day, under which rules, with the
    decision that allowed it (rule ids, facts, policy version, explanation)."""

    __tablename__ = "case_steps"
    __table_args__ = (Index("ix_case_steps_tenant_case", "tenant_id", "case_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(24))  # CASE_STEPS
    on_date: Mapped[date] = mapped_column(Date)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    rule_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseMeasure(TenantScoped, Model):
    """A coercive or heavy measure on a case (SX-13: 审慎采取): the kind, why lighter means do
    not suffice, the legal review and the principal head's approval, each with its day and who."""

    __tablename__ = "case_measures"
    __table_args__ = (Index("ix_case_measures_tenant_case", "tenant_id", "case_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))  # COERCIVE_MEASURES
    scope: Mapped[str] = mapped_column(Text, default="")  # what (facilities, goods, permit no.)
    reason: Mapped[str] = mapped_column(Text, default="")  # why lighter means do not suffice
    status: Mapped[str] = mapped_column(String(16), default="proposed")  # MEASURE_STATUSES
    proposed_on: Mapped[date] = mapped_column(Date)
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_opinion: Mapped[str] = mapped_column(Text, default="")
    approved_on: Mapped[date | None] = mapped_column(Date)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approval_note: Mapped[str] = mapped_column(Text, default="")
    rule_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def kind_label(self) -> str:
        return COERCIVE_MEASURES.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return MEASURE_STATUSES.get(self.status, self.status)


class CaseEvidence(TenantScoped, Model):
    """A file collected for the case (investigation after filing): stored through the one upload
    store (core/uploads.py) with its SHA-256, listed in the notice and the decision (SX-2) beside
    the linked inspection's own evidence, which the case reuses rather than copies."""

    __tablename__ = "case_evidence"
    __table_args__ = (Index("ix_case_evidence_tenant_case", "tenant_id", "case_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    stored_name: Mapped[str] = mapped_column(String(255), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    collected_on: Mapped[date] = mapped_column(Date)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseDecisionStat(TenantScoped, Model):
    """One tenant's decided fines of one violation and profile, counted by their position in
    the statutory range (``bin`` of SIMILAR_BINS equal parts): what the province-wide 类案同罚
    distribution sums. Only aggregates: a city reads its province's rows of this table (RLS
    ``extra_read``, queries.province_aggregates), never another tenant's cases. Refreshed in the
    decision's transaction (cases/services/similar.py)."""

    __tablename__ = "case_decision_stats"
    __table_args__ = (
        Index(
            "ux_case_decision_stats_key",
            "tenant_id",
            "violation_key",
            "profile",
            "bin",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    province_id: Mapped[int] = mapped_column(BigInteger)
    violation_key: Mapped[str] = mapped_column(String(64))
    profile: Mapped[str] = mapped_column(String(32))
    bin: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer, default=0)
    fine_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    fine_min: Mapped[int] = mapped_column(BigInteger, default=0)
    fine_max: Mapped[int] = mapped_column(BigInteger, default=0)

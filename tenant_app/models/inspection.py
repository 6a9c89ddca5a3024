"""Enterprise inspections (issue 6): annual plans (SX-3), inspections with their stored pre-save
decision and approvals (SX-5, SX-10, XJ-S), findings and evidence (SX-6), off-site checks (SX-8),
special campaigns (SX-4), verifiable random draws (双随机), enterprise self-inspection reports
(XJ-S) and requests, and declared conflicts of interest.

Every tenant table leads its keys with ``tenant_id`` (RLS, Citus). The hot path is the pre-save
check, which reads one enterprise's inspections around a date: ix_inspections_tenant_ent_date.
"""

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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenant_app.clock import utcnow
from tenant_app.models.base import BigId, Model, TenantScoped, UTCDateTime

MODES = {"on_site": "现场检查", "off_site": "非现场检查"}
STATUSES = {
    "pending": "待审批",
    "approved": "已批准",
    "rejected": "已驳回",
    "in_progress": "检查中",
    "done": "已完成",
    "cancelled": "已撤销",
}
# Statuses that no longer count as a planned visit (caps, nearby inspections).
DEAD_STATUSES = ("rejected", "cancelled")
# SX-8 / XJ-S non-on-site means.
OFF_SITE_SOURCES = {
    "auto_monitoring": "污染源自动监控",
    "permit_platform": "排污许可证管理信息平台",
    "remote_video": "远程视频监控",
    "own_monitoring": "自行监测数据",
    "energy_data": "能源管理部门数据",
    "drone": "无人机",
    "mobile_monitoring": "走航监测",
    "satellite": "卫星遥感",
}
FINDING_RESULTS = {"compliant": "符合", "issue": "发现问题", "not_applicable": "不适用"}
EVIDENCE_KINDS = {"photo": "照片", "video": "视频", "document": "文书材料", "bodycam": "执法记录仪"}
PLAN_STATUSES = {"draft": "草稿", "approved": "已批准", "published": "已公开"}
CAMPAIGN_STATUSES = {
    "draft": "待批准",
    "approved": "已批准",
    "filed": "已备案",
    "published": "已备案公开",
}
DRAW_STATUSES = {
    "committed": "已锁定企业库，待见证人承诺",
    "sealed": "各方已承诺，待揭示",
    "drawn": "已抽取并公开",
    "abandoned": "已作废",
}
# XJ-S review outcomes of a self-inspection report. "accepted" (the stored name kept from issue 6)
# means reviewed and a visit is still needed for its lead; "resolved" closes the lead without one.
REPORT_VISIT_NEEDED = "accepted"
REPORT_STATUSES = {
    "submitted": "待审核",
    "accepted": "审核后认为仍需现场核实",
    "resolved": "审核后认为问题已解决，无需现场检查",
    "returned": "退回补充",
}
# What a reviewer decides (the page's and API's ``outcome``) -> the stored status.
REVIEW_OUTCOMES = {
    "visit_needed": REPORT_VISIT_NEEDED,
    "resolved": "resolved",
    "returned": "returned",
}
REQUEST_STATUSES = {"open": "待处理", "accepted": "已安排检查", "declined": "不予安排"}


class InspectionPlan(TenantScoped, Model):
    """SX-3 annual plan: ratios per category, per-enterprise caps, exempt triggers."""

    __tablename__ = "inspection_plans"
    __table_args__ = (UniqueConstraint("tenant_id", "year"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    ratios: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # category -> 0..1
    caps: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # category -> int
    exempt_triggers: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    decision: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Campaign(TenantScoped, Model):
    """SX-4 special campaign: a bounded scope (a filter), content, dates; approved, filed, published."""

    __tablename__ = "inspection_campaigns"
    __table_args__ = (Index("ix_inspection_campaigns_tenant_status", "tenant_id", "status", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    scope: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # campaigns.SCOPE_KEYS
    content: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    approval_kind: Mapped[str | None] = mapped_column(String(16))  # principal_head | government
    government_approval_ref: Mapped[str] = mapped_column(String(200), default="")
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SX-4 filing record (备案): with whom, on which day, the filing's reference, by whom.
    filed_with: Mapped[str] = mapped_column(String(200), default="")
    filed_with_tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"))
    filed_on: Mapped[date | None] = mapped_column(Date)
    filing_ref: Mapped[str] = mapped_column(String(200), default="")
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Draw(TenantScoped, Model):
    """A verifiable random draw (双随机). Protocol 1 (before issue 11): one officer's seed hash
    published first, seed + result after. Protocol 2: the pool frozen with its hash, and the seed
    derived from two or more parties' secrets, each committed before any is revealed
    (inspections/services/draws.py, docs/draws.md)."""

    __tablename__ = "inspection_draws"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_plans.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_campaigns.id"))
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ratios: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    planned_date: Mapped[date] = mapped_column(Date)
    seed_hash: Mapped[str] = mapped_column(String(64))
    # The secret seed is kept in the row but shown only once drawn (then it is published).
    seed: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="committed")
    pool: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict
    )  # {"enterprises": {category: [id]}, "officers": [id]}
    conflicts: Mapped[list[Any]] = mapped_column(
        JSON, default=list
    )  # [[officer_id, enterprise_id]]
    result: Mapped[list[Any]] = mapped_column(
        JSON, default=list
    )  # [{enterprise_id, officers, mode}]
    decision: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    protocol: Mapped[int] = mapped_column(Integer, default=2, server_default="1")
    # sha256 of the canonical JSON of what is drawn from (pool, ratios, conflicts, date), fixed
    # and published at commit time.
    pool_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # [{party, user_id, name, roles, commitment, committed_at, secret, revealed_at}]
    contributions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Inspection(TenantScoped, Model):
    __tablename__ = "inspections"
    __table_args__ = (
        # The pre-save checks: one enterprise's inspections this year / around a date.
        Index("ix_inspections_tenant_ent_date", "tenant_id", "enterprise_id", "planned_date"),
        Index("ix_inspections_tenant_status", "tenant_id", "status", "id"),
        Index("ix_inspections_tenant_feedback_due", "tenant_id", "feedback_due"),
        # A period of a tenant's inspections: the oversight charts' live months, the rollup.
        Index("ix_inspections_tenant_planned", "tenant_id", "planned_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    mode: Mapped[str] = mapped_column(String(16))  # MODES
    trigger: Mapped[str] = mapped_column(String(32))  # policies.vocab.TRIGGERS
    planned_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    title: Mapped[str] = mapped_column(String(200), default="")
    officers: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{id, name, certificate_no}]
    checklist: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{key, title, basis}]
    # The pre-save decision: every check with rule ids and facts, and the policy version used.
    decision: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rule_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    policy_version: Mapped[str] = mapped_column(String(255), default="")
    requirements: Mapped[list[Any]] = mapped_column(JSON, default=list)  # + met_by per requirement
    preconditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    joint_group_id: Mapped[int | None] = mapped_column(
        BigId
    )  # 综合一次查: the lead inspection's id
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_campaigns.id"))
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_draws.id"))
    self_report_id: Mapped[int | None] = mapped_column(ForeignKey("self_inspection_reports.id"))
    request_id: Mapped[int | None] = mapped_column(BigId)
    data_source: Mapped[str | None] = mapped_column(String(32))  # OFF_SITE_SOURCES
    conclusion: Mapped[str] = mapped_column(Text, default="")
    record: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # 现场检查笔录 fields
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    feedback_text: Mapped[str] = mapped_column(Text, default="")
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    feedback_due: Mapped[date | None] = mapped_column(Date)
    feedback_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    feedback_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    enterprise = relationship("Enterprise")

    @property
    def mode_label(self) -> str:
        return MODES.get(self.mode, self.mode)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)


class InspectionApproval(TenantScoped, Model):
    """One approver's verdict; which requirements (rule ids) it satisfied is kept with it."""

    __tablename__ = "inspection_approvals"
    __table_args__ = (Index("ix_inspection_approvals_tenant_insp", "tenant_id", "inspection_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    user_name: Mapped[str] = mapped_column(String(64))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    rule_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    verdict: Mapped[str] = mapped_column(String(16))  # approved | rejected
    comment: Mapped[str] = mapped_column(String(1000), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InspectionFinding(TenantScoped, Model):
    __tablename__ = "inspection_findings"
    __table_args__ = (UniqueConstraint("tenant_id", "inspection_id", "item_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(String(64))
    item_title: Mapped[str] = mapped_column(String(255))
    result: Mapped[str] = mapped_column(String(16))  # FINDING_RESULTS
    note: Mapped[str] = mapped_column(String(2000), default="")
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InspectionEvidence(TenantScoped, Model):
    """An uploaded file (stored under UPLOAD_DIR, sha256 kept) or a body-camera reference."""

    __tablename__ = "inspection_evidence"
    __table_args__ = (
        Index("ix_inspection_evidence_tenant_insp", "tenant_id", "inspection_id"),
        # one upload, however often a flaky connection sends it (issue 10 item 6)
        Index(
            "uq_inspection_evidence_upload_key",
            "tenant_id",
            "inspection_id",
            "upload_key",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # EVIDENCE_KINDS
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    stored_name: Mapped[str] = mapped_column(String(255), default="")
    reference: Mapped[str] = mapped_column(String(255), default="")  # body-cam device/clip id
    note: Mapped[str] = mapped_column(String(500), default="")
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The idempotency key the uploading page (or API client) chose for this file: a retry with
    # the same key returns this row instead of adding a second one. None for older rows.
    upload_key: Mapped[str | None] = mapped_column(String(64))


class SelfInspectionReport(TenantScoped, Model):
    """XJ-S: the listed enterprise's written self-inspection report after a monitoring anomaly."""

    __tablename__ = "self_inspection_reports"
    __table_args__ = (
        Index("ix_self_inspection_reports_tenant_ent", "tenant_id", "enterprise_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    anomaly_record_id: Mapped[int | None] = mapped_column(ForeignKey("compliance_records.id"))
    summary: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(String(255), default="")
    stored_name: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_comment: Mapped[str] = mapped_column(String(1000), default="")

    enterprise = relationship("Enterprise")

    @property
    def status_label(self) -> str:
        return REPORT_STATUSES.get(self.status, self.status)


class InspectionRequest(TenantScoped, Model):
    """An enterprise asks for an inspection (trigger enterprise_request: not capped, SX-3)."""

    __tablename__ = "inspection_requests"
    __table_args__ = (Index("ix_inspection_requests_tenant_status", "tenant_id", "status", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    reason: Mapped[str] = mapped_column(String(2000))
    preferred_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    answer: Mapped[str] = mapped_column(String(1000), default="")
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise = relationship("Enterprise")


class OfficerConflict(TenantScoped, Model):
    """A declared conflict of interest: the officer is never paired with that enterprise."""

    __tablename__ = "officer_conflicts"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChecklistTemplate(TenantScoped, Model):
    """一表通查: the checklist for an industry (GB/T 4754 prefix; '' = every industry)."""

    __tablename__ = "checklist_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "industry_prefix"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    industry_prefix: Mapped[str] = mapped_column(String(5), default="")
    title: Mapped[str] = mapped_column(String(200))
    items: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{key, title, basis}]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

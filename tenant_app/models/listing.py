"""The positive list (正面清单, XJ-C/D/X/P/V/R): screening runs, entries going through the
compiling procedure, batches with their public notice, objections, filings with the parent
tenant, health-check visits, and the per-enterprise ledger (台账).

Why one ``ListingEntry`` per enterprise per round (application, nomination, renewal): the XJ-P
steps, the listing validity and the removal all hang on the same row, so "is it listed" is one
indexed lookup and the whole history of a round is the entry's steps.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenant_app.clock import utcnow
from tenant_app.models.base import BigId, Model, TenantScoped, UTCDateTime

VERDICTS = {
    "eligible": "符合纳入条件",
    "direct": "可直接纳入",
    "not_eligible": "不符合条件",
    "excluded": "不得纳入（行业）",
    "barred": "禁止再次纳入",
}
ORIGINS = {"application": "企业申请", "nomination": "部门推荐", "renewal": "到期续展"}
ENTRY_STATES = {
    "applied": "已申请/推荐",
    "site_verified": "已现场核查",
    "consulted": "已征求意见",
    "committed": "已作守法承诺",
    "in_notice": "公示中",
    "withdrawn": "已撤回（异议成立）",
    "listed": "已纳入",
    "expired": "已到期",
    "removal_pending": "待移出",
    "removed": "已移出",
    "refused": "未通过",
    "stopped": "已终止（不再符合纳入条件）",
}
BATCH_STATES = {"draft": "待公示", "notice": "公示中", "published": "已发布", "filed": "已报备案"}
BATCH_KINDS = {"addition": "纳入", "removal": "移出"}
OBJECTION_STATES = {"open": "待处理", "upheld": "异议成立", "dismissed": "异议不成立"}


class ScreeningRun(TenantScoped, Model):
    """A tenant-wide screening on one date (a job with progress)."""

    __tablename__ = "listing_screening_runs"
    __table_args__ = (Index("ix_listing_screening_runs_tenant_id_id", "tenant_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    on_date: Mapped[date] = mapped_column(Date)
    policy_version: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(
        String(16), default="pending"
    )  # pending|running|done|failed
    job_id: Mapped[str | None] = mapped_column(String(128))
    total: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # verdict -> n
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScreeningResult(TenantScoped, Model):
    """One enterprise's verdict in a run; ``decision`` is the compact Decision (rule ids, each
    condition's verdict, deciding record counts/dates, policy version)."""

    __tablename__ = "listing_screening_results"
    __table_args__ = (
        Index("ix_listing_screening_results_run_verdict", "tenant_id", "run_id", "verdict", "id"),
        Index(
            "ix_listing_screening_results_run_enterprise", "tenant_id", "run_id", "enterprise_id"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("listing_screening_runs.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    verdict: Mapped[str] = mapped_column(String(16))  # VERDICTS
    failed: Mapped[str] = mapped_column(String(64), default="")  # "C1,C6": filterable
    barred_until: Mapped[date | None] = mapped_column(Date)
    rule_id: Mapped[str] = mapped_column(String(32))
    policy_version: Mapped[str] = mapped_column(String(255))
    decision: Mapped[dict[str, Any]] = mapped_column(JSON)

    enterprise = relationship("Enterprise")


class ListingBatch(TenantScoped, Model):
    """A batch of entries going to public notice → publication → filing (additions), or to
    publication → filing (removals: XJ-R needs no notice)."""

    __tablename__ = "listing_batches"
    __table_args__ = (Index("ix_listing_batches_tenant_id_state", "tenant_id", "state", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="addition")  # BATCH_KINDS
    title: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default="draft")  # BATCH_STATES
    complaint_channel: Mapped[str] = mapped_column(String(255), default="")
    notice_start: Mapped[date | None] = mapped_column(Date)
    notice_min_end: Mapped[date | None] = mapped_column(Date)
    notice_end: Mapped[date | None] = mapped_column(Date)
    publication_due: Mapped[date | None] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)
    filing_due: Mapped[date | None] = mapped_column(Date)
    filed_on: Mapped[date | None] = mapped_column(Date)
    policy_version: Mapped[str] = mapped_column(String(255), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListingEntry(TenantScoped, Model):
    __tablename__ = "listing_entries"
    __table_args__ = (
        Index("ix_listing_entries_tenant_id_enterprise", "tenant_id", "enterprise_id", "state"),
        Index("ix_listing_entries_tenant_id_state", "tenant_id", "state", "id"),
        Index("ix_listing_entries_tenant_id_batch", "tenant_id", "batch_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    origin: Mapped[str] = mapped_column(String(16))  # ORIGINS
    state: Mapped[str] = mapped_column(String(16), default="applied")  # ENTRY_STATES
    route: Mapped[str] = mapped_column(String(16), default="screening")  # screening | direct
    self_check: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # cid -> {ok, note}
    screening: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # Decision.to_dict()
    policy_version: Mapped[str] = mapped_column(String(255), default="")
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("listing_batches.id"))
    renews_entry_id: Mapped[int | None] = mapped_column(ForeignKey("listing_entries.id"))
    commitment_text: Mapped[str] = mapped_column(Text, default="")
    commitment_signed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    commitment_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    listed_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    removal_reason: Mapped[str | None] = mapped_column(String(32))
    removal_discovered_on: Mapped[date | None] = mapped_column(Date)
    removal_due: Mapped[date | None] = mapped_column(Date)
    removal_batch_id: Mapped[int | None] = mapped_column(ForeignKey("listing_batches.id"))
    removed_on: Mapped[date | None] = mapped_column(Date)
    closed_reason: Mapped[str] = mapped_column(String(500), default="")  # withdrawn/refused why
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise = relationship("Enterprise")
    batch = relationship("ListingBatch", foreign_keys=[batch_id])

    @property
    def state_label(self) -> str:
        return ENTRY_STATES.get(self.state, self.state)


class ListingStep(TenantScoped, Model):
    """One recorded step: who, when, result, evidence (XJ-P: every step on the record)."""

    __tablename__ = "listing_steps"
    __table_args__ = (
        Index("ix_listing_steps_tenant_id_entry", "tenant_id", "entry_id", "id"),
        Index("ix_listing_steps_tenant_id_batch", "tenant_id", "batch_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("listing_entries.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("listing_batches.id"))
    step: Mapped[str] = mapped_column(String(32))
    on_date: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(32), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rule_id: Mapped[str] = mapped_column(String(32), default="")
    due_date: Mapped[date | None] = mapped_column(Date)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListingAttachment(TenantScoped, Model):
    __tablename__ = "listing_attachments"
    __table_args__ = (Index("ix_listing_attachments_tenant_id_entry", "tenant_id", "entry_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("listing_entries.id"))
    filename: Mapped[str] = mapped_column(String(255))
    stored_as: Mapped[str] = mapped_column(String(255))  # relative to UPLOAD_DIR
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListingObjection(TenantScoped, Model):
    """A member of the public's objection during a notice (name/contact optional)."""

    __tablename__ = "listing_objections"
    __table_args__ = (
        Index("ix_listing_objections_tenant_id_batch", "tenant_id", "batch_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("listing_batches.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("listing_entries.id"))
    name: Mapped[str] = mapped_column(String(64), default="")
    contact: Mapped[str] = mapped_column(String(64), default="")
    content: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="open")  # OBJECTION_STATES
    reason: Mapped[str] = mapped_column(Text, default="")  # published when dismissed
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListingFiling(TenantScoped, Model):
    """A filing (备案) of a published batch with the parent tenant. The row lives in the CHILD
    tenant; the parent's staff read it through tenancy.queries.descendants() (and the RLS extra
    read of migration 0004), and acknowledge it through filings.acknowledge."""

    __tablename__ = "listing_filings"
    __table_args__ = (Index("ix_listing_filings_parent", "parent_tenant_id", "acknowledged_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("listing_batches.id"))
    parent_tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    filed_on: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # entries as filed
    acknowledged_by_name: Mapped[str] = mapped_column(String(64), default="")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ack_note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    batch = relationship("ListingBatch")


class HealthCheckVisit(TenantScoped, Model):
    """体检式帮扶 (XJ-V): at least one per listed enterprise per listed year."""

    __tablename__ = "listing_visits"
    __table_args__ = (
        Index("ix_listing_visits_tenant_id_entry", "tenant_id", "entry_id", "visit_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("listing_entries.id"))
    visit_date: Mapped[date] = mapped_column(Date)
    officers: Mapped[str] = mapped_column(String(255))
    findings: Mapped[str] = mapped_column(Text, default="")
    advice: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerEntry(TenantScoped, Model):
    """台账: one line per step, visit, on-/off-site check of a listed enterprise (XJ-S)."""

    __tablename__ = "listing_ledger"
    __table_args__ = (
        Index("ix_listing_ledger_tenant_id_enterprise", "tenant_id", "enterprise_id", "on_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    kind: Mapped[str] = mapped_column(String(32))
    on_date: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    ref: Mapped[str] = mapped_column(String(128), default="")
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

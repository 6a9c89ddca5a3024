"""The dashboard per role (issue 17 item 1): what awaits the acting person, what is due, and
their inspections this week; for an enterprise user, only its own pending items.

Each block is one query (set-based, no per-row lookups) and only the acting tenant's rows count
(an oversight role reads its descendants too, but their work does not await it), except the
filings its children addressed to it. Links are the objects' own pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import Select, select

from tenant_app.auth.roles import Perm, permissions_for
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import (
    Case,
    CaseMeasure,
    Enterprise,
    EnterpriseAccount,
    EnterpriseWarning,
    Inspection,
    SelfInspectionReport,
    Tenant,
)
from tenant_app.models.listing import ListingBatch, ListingEntry, ListingFiling, ListingObjection
from tenant_app.tenancy.queries import descendants

# A block shows at most this many items, oldest first, and says how many there are in all.
BLOCK_LIMIT = 20


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    on: date | None = None  # the date that matters (planned, due, submitted)
    note: str = ""


@dataclass
class Block:
    key: str  # stable name (tests, anchors); the page shows ``title``
    title: str
    items: list[Item] = field(default_factory=list)
    total: int = 0
    more: str = ""  # the list page of this kind of item

    def add(self, item: Item) -> None:
        self.total += 1
        if len(self.items) < BLOCK_LIMIT:
            self.items.append(item)


def _perms(ctx: Context) -> frozenset[Perm]:
    return permissions_for(ctx.roles)


def week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _approvals(ctx: Context, base: str) -> Block:
    """Pending inspections an open requirement of which one of my roles here may meet (SX-5,
    SX-10, XJ-S), never one I conduct myself (the approval service refuses those too)."""
    block = Block("approvals", "待我审批的检查", more=f"{base}/inspections/inbox")
    rows = db.session.execute(
        select(
            Inspection.id,
            Inspection.title,
            Inspection.planned_date,
            Inspection.requirements,
            Inspection.officers,
        )
        .where(Inspection.tenant_id == ctx.tenant_id, Inspection.status == "pending")
        .order_by(Inspection.planned_date, Inspection.id)
    ).all()
    uid = ctx.user_id
    for iid, title, planned, reqs, officers in rows:
        open_reqs = [r for r in reqs or [] if not r.get("met_by")]
        if not any(set(r.get("any_of") or ()) & ctx.roles for r in open_reqs):
            continue
        if any(o.get("id") == uid for o in officers or []):
            continue
        note = "；".join(str(r.get("title", "")) for r in open_reqs)
        block.add(Item(title or f"检查 #{iid}", f"{base}/inspections/{iid}/", planned, note))
    return block


def _self_reports(ctx: Context, base: str) -> Block:
    block = Block("self_reports", "待审核的企业自查报告", more=f"{base}/inspections/self-reports/")
    rows = db.session.execute(
        select(SelfInspectionReport.id, SelfInspectionReport.submitted_at, Enterprise.name)
        .join(Enterprise, Enterprise.id == SelfInspectionReport.enterprise_id)
        .where(
            SelfInspectionReport.tenant_id == ctx.tenant_id,
            SelfInspectionReport.status == "submitted",
        )
        .order_by(SelfInspectionReport.submitted_at, SelfInspectionReport.id)
    ).all()
    for _rid, at, name in rows:
        block.add(Item(name, f"{base}/inspections/self-reports/", at.date() if at else None))
    return block


def _cases_at(ctx: Context, base: str, key: str, title: str, stages: tuple[str, ...]) -> Block:
    block = Block(key, title, more=f"{base}/cases/")
    rows = db.session.execute(
        select(Case.id, Case.title, Case.limit_due)
        .where(Case.tenant_id == ctx.tenant_id, Case.stage.in_(stages))
        .order_by(Case.limit_due, Case.id)
    ).all()
    for cid, title, due in rows:
        block.add(Item(title, f"{base}/cases/{cid}/", due, "办案期限"))
    return block


def _measures(ctx: Context, base: str, key: str, title: str, status: str) -> Block:
    block = Block(key, title, more=f"{base}/cases/")
    rows = db.session.execute(
        select(CaseMeasure.case_id, CaseMeasure.proposed_on, Case.title)
        .join(Case, Case.id == CaseMeasure.case_id)
        .where(CaseMeasure.tenant_id == ctx.tenant_id, CaseMeasure.status == status)
        .order_by(CaseMeasure.proposed_on, CaseMeasure.id)
    ).all()
    for cid, on, title in rows:
        block.add(Item(title, f"{base}/cases/{cid}/", on))
    return block


def _objections(ctx: Context, base: str) -> Block:
    block = Block("objections", "待处理的公示异议", more=f"{base}/listing/")
    rows = db.session.execute(
        select(ListingObjection.batch_id, ListingObjection.created_at, ListingBatch.title)
        .join(ListingBatch, ListingBatch.id == ListingObjection.batch_id)
        .where(ListingObjection.tenant_id == ctx.tenant_id, ListingObjection.state == "open")
        .order_by(ListingObjection.created_at, ListingObjection.id)
    ).all()
    for bid, at, title in rows:
        block.add(Item(title, f"{base}/listing/batches/{bid}", at.date() if at else None))
    return block


def _filings(ctx: Context, base: str) -> Block:
    """Filings the children addressed to this tenant and nobody acknowledged yet (XJ-P)."""
    block = Block("filings", "待确认的下级备案", more=f"{base}/listing/filings")
    # The child's filing row only (RLS grants the parent that one extra read, never the
    # child's batch); the filing tenant's name from the tenant tree.
    stmt = (
        select(ListingFiling.id, ListingFiling.filed_on, Tenant.name)
        .join(Tenant, Tenant.id == ListingFiling.tenant_id)
        .where(
            ListingFiling.parent_tenant_id == ctx.tenant_id,
            ListingFiling.acknowledged_at.is_(None),
        )
        .order_by(ListingFiling.filed_on, ListingFiling.id)
    )
    for _fid, on, name in db.session.execute(descendants(cast("Select[Any]", stmt))).all():
        block.add(Item(f"{name}报来的正面清单备案", f"{base}/listing/filings", on))
    return block


def _registrations(ctx: Context, base: str) -> Block:
    block = Block("registrations", "待审核的企业用户注册", more=f"{base}/enterprises/accounts/")
    rows = db.session.execute(
        select(
            EnterpriseAccount.id, EnterpriseAccount.enterprise_name, EnterpriseAccount.created_at
        )
        .where(EnterpriseAccount.tenant_id == ctx.tenant_id, EnterpriseAccount.status == "pending")
        .order_by(EnterpriseAccount.id)
    ).all()
    for _aid, name, at in rows:
        block.add(Item(name, f"{base}/enterprises/accounts/", at.date() if at else None))
    return block


def awaiting(ctx: Context) -> list[Block]:
    """Staff: what awaits the acting person, one block per kind their roles here decide."""
    if ctx.tenant is None:
        return []
    base = f"/{ctx.tenant.slug}"
    perms = _perms(ctx)
    blocks: list[Block] = []
    if Perm.INSPECTIONS_APPROVE in perms:
        blocks.append(_approvals(ctx, base))
        blocks.append(_self_reports(ctx, base))
    if Perm.CASES_REVIEW in perms:
        blocks.append(_cases_at(ctx, base, "case_reviews", "待法制审核的案件", ("review",)))
        blocks.append(_measures(ctx, base, "measure_reviews", "待法制审核的措施", "proposed"))
    if Perm.CASES_DECIDE in perms:
        blocks.append(
            _cases_at(
                ctx,
                base,
                "case_decisions",
                "待集体讨论或作出决定的案件",
                ("discussion", "decision"),
            )
        )
        blocks.append(_measures(ctx, base, "measure_approvals", "待批准的措施", "reviewed"))
    if Perm.LISTING_MANAGE in perms:
        blocks.append(_objections(ctx, base))
    if Perm.FILINGS_RECEIVE in perms:
        blocks.append(_filings(ctx, base))
    if Perm.ENTERPRISE_ACCOUNTS_VERIFY in perms:
        blocks.append(_registrations(ctx, base))
    return blocks


def my_week(ctx: Context) -> Block:
    """The acting officer's inspections planned this week (Monday to Sunday), one query."""
    block = Block("my_week", "本周我的检查")
    if ctx.tenant is None or ctx.user_id is None:
        return block
    base = f"/{ctx.tenant.slug}"
    block.more = f"{base}/inspections/"
    monday, sunday = week_of(ctx.today)
    rows = db.session.execute(
        select(Inspection.id, Inspection.title, Inspection.planned_date, Inspection.officers)
        .where(
            Inspection.tenant_id == ctx.tenant_id,
            Inspection.planned_date.between(monday, sunday),
            Inspection.status.in_(("pending", "approved", "in_progress")),
        )
        .order_by(Inspection.planned_date, Inspection.id)
    ).all()
    for iid, title, planned, officers in rows:
        if any(o.get("id") == ctx.user_id for o in officers or []):
            block.add(Item(title or f"检查 #{iid}", f"{base}/inspections/{iid}/", planned))
    return block


def _own_enterprise_id(ctx: Context) -> int | None:
    return db.session.execute(
        select(EnterpriseAccount.enterprise_id).where(
            EnterpriseAccount.tenant_id == ctx.tenant_id,
            EnterpriseAccount.user_id == ctx.user_id,
            EnterpriseAccount.status == "verified",
        )
    ).scalar()


def enterprise_pending(ctx: Context) -> list[Block]:
    """An enterprise user: its own enterprise's pending items only (commitments to sign,
    inspection feedback to read, warnings to answer, cases awaiting its statement)."""
    if ctx.tenant is None or ctx.user_id is None:
        return []
    perms = _perms(ctx)
    ent = _own_enterprise_id(ctx)
    if ent is None:
        return []
    base = f"/{ctx.tenant.slug}"
    blocks: list[Block] = []
    if Perm.LISTING_APPLY in perms:
        b = Block("commitments", "待签署的守法承诺", more=f"{base}/my/listing/")
        for eid, on in db.session.execute(
            select(ListingEntry.id, ListingEntry.created_at)
            .where(
                ListingEntry.tenant_id == ctx.tenant_id,
                ListingEntry.enterprise_id == ent,
                ListingEntry.state == "consulted",
            )
            .order_by(ListingEntry.id)
        ).all():
            b.add(Item(f"正面清单申请 #{eid}", f"{base}/my/listing/", on.date() if on else None))
        blocks.append(b)
    if Perm.OWN_INSPECTIONS in perms:
        b = Block("feedback", "待阅读的检查反馈", more=f"{base}/enterprise/inspections/")
        for iid, title, at in db.session.execute(
            select(Inspection.id, Inspection.title, Inspection.feedback_at)
            .where(
                Inspection.tenant_id == ctx.tenant_id,
                Inspection.enterprise_id == ent,
                Inspection.feedback_at.is_not(None),
                Inspection.feedback_read_at.is_(None),
            )
            .order_by(Inspection.feedback_at, Inspection.id)
        ).all():
            b.add(
                Item(
                    title or f"检查 #{iid}",
                    f"{base}/enterprise/inspections/{iid}/",
                    at.date() if at else None,
                )
            )
        blocks.append(b)
    if Perm.OWN_WARNINGS in perms:
        b = Block("warnings", "待确认或答复的预警", more=f"{base}/enterprise/warnings/")
        for wid, period, due in db.session.execute(
            select(EnterpriseWarning.id, EnterpriseWarning.period, EnterpriseWarning.answer_due)
            .where(
                EnterpriseWarning.tenant_id == ctx.tenant_id,
                EnterpriseWarning.enterprise_id == ent,
                EnterpriseWarning.status.in_(("sent", "acknowledged")),
            )
            .order_by(EnterpriseWarning.answer_due, EnterpriseWarning.id)
        ).all():
            b.add(Item(f"预警 {period}", f"{base}/enterprise/warnings/{wid}/", due, "答复期限"))
        blocks.append(b)
    if Perm.OWN_CASES in perms:
        b = Block("statements", "可以陈述、申辩的案件", more=f"{base}/enterprise/cases/")
        for cid, title, statement_due in db.session.execute(
            select(Case.id, Case.title, Case.statement_due)
            .where(
                Case.tenant_id == ctx.tenant_id,
                Case.enterprise_id == ent,
                Case.stage == "notice",
                Case.statement_due >= ctx.today,
            )
            .order_by(Case.statement_due, Case.id)
        ).all():
            b.add(Item(title, f"{base}/enterprise/cases/{cid}/", statement_due, "陈述申辩期限"))
        blocks.append(b)
    return blocks


def summary(blocks: list[Block]) -> dict[str, Any]:
    return {"waiting": sum(b.total for b in blocks)}

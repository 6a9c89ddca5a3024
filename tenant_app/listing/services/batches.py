"""Batches (XJ-P): committed entries → public notice (≥ the pack's working days) → formal
publication within the pack's working days after a notice with no upheld objection → filing with
the parent within its working days. Removal batches (XJ-R) skip the notice."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.calendar import deadlines
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ValidationFailed
from tenant_app.extensions import db
from tenant_app.listing.services import ledger, moment
from tenant_app.listing.services.common import policy, record_step, refuse_state
from tenant_app.listing.services.entries import MAX_ID, NotFound, _date, _text
from tenant_app.models import Enterprise
from tenant_app.models.listing import (
    BATCH_STATES,
    ListingBatch,
    ListingEntry,
    ListingFiling,
    ListingObjection,
)
from tenant_app.tenancy.queries import Page, keyset_page


def get_batch(ctx: Context, batch_id: int) -> ListingBatch:
    row = None
    if 0 < batch_id <= MAX_ID:
        row = db.session.execute(
            select(ListingBatch).where(ListingBatch.id == batch_id)
        ).scalar_one_or_none()
    if row is None:
        raise NotFound("没有该批次")
    return row


def members(ctx: Context, batch: ListingBatch) -> list[ListingEntry]:
    col = ListingEntry.removal_batch_id if batch.kind == "removal" else ListingEntry.batch_id
    return list(
        db.session.execute(
            select(ListingEntry).where(col == batch.id).order_by(ListingEntry.id)
        ).scalars()
    )


def batches(
    ctx: Context, state: str | None = None, *, after: int | None = None, limit: int = 50
) -> Page:
    """Newest first, keyset-paged, with how many there are in all."""
    stmt = select(ListingBatch)
    if state:
        stmt = stmt.where(ListingBatch.state == state)
    return keyset_page(stmt, ListingBatch.id, after, limit, descending=True, count=True)


def create(ctx: Context, data: dict[str, Any]) -> ListingBatch:
    """A batch of committed entries (additions) or of entries pending removal (removals)."""
    require_action(ctx, Perm.LISTING_MANAGE)
    moment.require_compiler(ctx, "编入批次")
    kind = data.get("kind") or "addition"
    if kind not in ("addition", "removal"):
        raise ValidationFailed.field("kind", "批次类型应为纳入或移出")
    title = _text(data.get("title"), "title", 200, "批次名称")
    channel = _text(
        data.get("complaint_channel"),
        "complaint_channel",
        255,
        "投诉举报途径",
        required=kind == "addition",
    )
    raw = data.get("entry_ids") or []
    try:
        ids = sorted({int(i) for i in (raw if isinstance(raw, list) else [raw])})
    except (TypeError, ValueError):
        raise ValidationFailed.field("entry_ids", "请选择事项") from None
    if not ids:
        raise ValidationFailed.field("entry_ids", "请至少选择一个事项")
    need = "committed" if kind == "addition" else "removal_pending"
    rows = list(db.session.execute(select(ListingEntry).where(ListingEntry.id.in_(ids))).scalars())
    bad = [
        r.id
        for r in rows
        if r.state != need or (r.batch_id if kind == "addition" else r.removal_batch_id)
    ]
    if len(rows) != len(ids) or bad:
        what = "已作守法承诺且未编入批次" if kind == "addition" else "待移出且未编入批次"
        raise Conflict(
            f"只能编入{what}的事项", {"entry_ids": [f"不可编入：{bad or '不存在的事项'}"]}
        )
    batch = ListingBatch(
        kind=kind,
        title=title,
        complaint_channel=channel,
        state="draft",
        policy_version=str(policy(ctx).version_id or ""),
        created_by=ctx.actor.user_id,
    )
    db.session.add(batch)
    db.session.flush()
    for r in rows:
        if kind == "addition":
            r.batch_id = batch.id
        else:
            r.removal_batch_id = batch.id
    record_step(ctx, "batch_created", batch_id=batch.id, summary=title, evidence={"entries": ids})
    audit.record(
        ctx,
        "listing.batch_created",
        object_type="listing_batch",
        object_id=batch.id,
        after={"kind": kind, "title": title, "entries": ids},
    )
    return batch


def _due(ctx: Context, step: str, event: date, batch: ListingBatch) -> tuple[date, bool, str]:
    """The pack's deadline (Policy.step_due), stored with rule id and provisional flag; the
    period it counted (``facts``: n, unit) is what the deadline keeps."""
    pol = policy(ctx, event)
    d = pol.step_due(step, event)
    deadlines.schedule(
        subject_type=f"listing_batch.{step}",
        subject_id=batch.id,
        rule_id=d.rule_id,
        event_date=event,
        amount=d.facts["n"],
        unit=d.facts["unit"],
        policy_version=str(pol.version_id or ""),
        explanation=d.explanation,
    )
    return d.answer, d.provisional, d.rule_id


def start_notice(ctx: Context, batch: ListingBatch, data: dict[str, Any]) -> ListingBatch:
    """社会公示: visible on the public page from the moment it is recorded, so it starts today
    (never back-dated); ``notice_end`` (≥ the pack's minimum in working days) may lie ahead.
    Each entry is screened again today; one that no longer qualifies is stopped (XJ-C/D/X/R)."""
    require_action(ctx, Perm.LISTING_MANAGE)
    moment.require_compiler(ctx, "社会公示")
    if batch.kind != "addition":
        raise Conflict("移出批次无须公示，直接发布")
    refuse_state("开始公示", batch.state, ("draft",), BATCH_STATES)
    start = ctx.today
    raw_start = data.get("notice_start")
    if raw_start not in (None, "") and str(raw_start)[:10] != start.isoformat():
        raise ValidationFailed.field(
            "notice_start",
            f"公示自在公开页面可见之日起算，开始日期只能是今天（{start.isoformat()}），不能倒签或预填",
        )
    min_end, _prov, rule_id = _due(ctx, "notice_min_end", start, batch)
    end = min_end
    if data.get("notice_end"):
        try:
            end = date.fromisoformat(str(data["notice_end"])[:10])
        except ValueError:
            raise ValidationFailed.field("notice_end", "公示截止日期格式应为 YYYY-MM-DD") from None
    if end < min_end:
        raise ValidationFailed.field(
            "notice_end", f"公示期不足：{rule_id} 要求最早于 {min_end.isoformat()} 届满"
        )
    committed = [e for e in members(ctx, batch) if e.state == "committed"]
    moment.not_before(ctx, "notice", start, "notice_start", entry_ids=[e.id for e in committed])
    live, stopped = moment.sift(ctx, committed, start, "社会公示")
    if not live:
        if stopped:
            raise moment.EntryStopped(
                "批次中的事项均已不符合纳入条件，不能公示",
                {"entry_ids": [s["reason"] for s in stopped]},
            )
        raise Conflict("批次中没有可公示的事项")
    batch.state, batch.notice_start, batch.notice_min_end, batch.notice_end = (
        "notice",
        start,
        min_end,
        end,
    )
    for e in live:
        e.state = "in_notice"
        ledger.add_entry(
            ctx,
            e.enterprise,
            "notice",
            start,
            f"社会公示 {start}–{end}（批次 {batch.id}）",
            f"batch:{batch.id}",
        )
    record_step(
        ctx,
        "notice",
        batch_id=batch.id,
        on_date=start,
        rule_id=rule_id,
        due_date=None,
        summary=f"公示 {start.isoformat()} 至 {end.isoformat()}（最短至 {min_end.isoformat()}）",
        evidence={"complaint_channel": batch.complaint_channel, "stopped": stopped},
    )
    audit.record(
        ctx,
        "listing.notice_started",
        object_type="listing_batch",
        object_id=batch.id,
        after={"start": start, "end": end, "min_end": min_end, "rule_id": rule_id},
    )
    return batch


def open_objections(ctx: Context, batch: ListingBatch) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(ListingObjection)
        .where(ListingObjection.batch_id == batch.id, ListingObjection.state == "open")
    ).scalar_one()


def publish(ctx: Context, batch: ListingBatch, data: dict[str, Any]) -> ListingBatch:
    """正式发布. Additions: after the notice closed, every objection decided; the entries still in
    notice become listed with the pack's validity. Removals: the entries are removed."""
    require_action(ctx, Perm.LISTING_MANAGE)
    moment.require_compiler(ctx, "正式发布")
    on = _date(ctx, data.get("on_date"), "on_date", "发布日期")
    stopped: list[dict[str, Any]] = []
    if batch.kind == "addition":
        refuse_state("正式发布", batch.state, ("notice",), BATCH_STATES)
        assert batch.notice_end is not None
        if on <= batch.notice_end:
            raise Conflict(f"公示期至 {batch.notice_end.isoformat()} 止，期满后方可发布")
        if open_objections(ctx, batch):
            raise Conflict("尚有未处理的公示异议，处理后方可发布")
        moment.not_before(ctx, "publication", on, "on_date", batch_id=batch.id)
        pending = [e for e in members(ctx, batch) if e.state == "in_notice"]
        live, stopped = moment.sift(ctx, pending, on, "正式发布")
        if pending and not live:
            raise moment.EntryStopped(
                "公示中的事项均已不符合纳入条件，不能发布",
                {"entry_ids": [s["reason"] for s in stopped]},
            )
        due, _prov, rule_id = _due(ctx, "publication", batch.notice_end, batch)
    else:
        refuse_state("发布移出", batch.state, ("draft",), BATCH_STATES)
        due, rule_id = None, policy(ctx).listing_rule_ids().removal
    pol = policy(ctx, on)
    published = []
    for e in members(ctx, batch):
        if batch.kind == "addition" and e.state == "in_notice":
            e.state, e.listed_on = "listed", on
            e.valid_until = pol.validity_end(on).answer
            e.enterprise.supervision_category = "listed"  # inspections read it (XJ-S)
            published.append(e.id)
            ledger.add_entry(
                ctx,
                e.enterprise,
                "publication",
                on,
                f"正式发布纳入正面清单，有效期至 {e.valid_until}",
                f"batch:{batch.id}",
            )
        elif batch.kind == "removal" and e.state == "removal_pending":
            e.state, e.removed_on = "removed", on
            if e.enterprise.supervision_category == "listed":
                e.enterprise.supervision_category = "general"
            published.append(e.id)
            late = bool(e.removal_due and on > e.removal_due)
            ledger.add_entry(
                ctx,
                e.enterprise,
                "removal",
                on,
                f"正式发布移出正面清单{'（逾期）' if late else ''}",
                f"batch:{batch.id}",
            )
    batch.state, batch.published_on = "published", on
    batch.publication_due = due
    batch.filing_due, _p, _r = _due(ctx, "filing", on, batch)
    record_step(
        ctx,
        "publication",
        batch_id=batch.id,
        on_date=on,
        rule_id=rule_id,
        due_date=due,
        summary=f"正式发布 {len(published)} 家"
        + (f"，{len(stopped)} 家因不再符合纳入条件终止" if stopped else ""),
        evidence={"entries": published, "stopped": stopped},
    )
    audit.record(
        ctx,
        "listing.published",
        object_type="listing_batch",
        object_id=batch.id,
        after={"on": on, "entries": published, "due": due, "overdue": bool(due and on > due)},
    )
    return batch


def file_with_parent(ctx: Context, batch: ListingBatch, data: dict[str, Any]) -> ListingFiling:
    """备案: a filing row in this tenant, addressed to the parent (who reads it, see filings.py)."""
    require_action(ctx, Perm.LISTING_MANAGE)
    t = moment.require_compiler(ctx, "报备案")
    refuse_state("报备案", batch.state, ("published",), BATCH_STATES)
    on = _date(ctx, data.get("on_date"), "on_date", "报备日期")
    target = moment.filing_target(ctx, t)  # the pack's listing.filed_with, not simply the parent
    assert batch.published_on is not None
    if on < batch.published_on:
        raise ValidationFailed.field("on_date", "报备日期不能早于发布日期")
    moment.not_before(ctx, "filing", on, "on_date", batch_id=batch.id)
    summary = {
        "batch": batch.id,
        "kind": batch.kind,
        "title": batch.title,
        "tenant": t.name,
        "published_on": batch.published_on.isoformat(),
        "entries": [
            _public_row(e) for e in members(ctx, batch) if e.state in ("listed", "removed")
        ],
    }
    filing = ListingFiling(
        batch_id=batch.id,
        parent_tenant_id=target.id,
        filed_on=on,
        due_date=batch.filing_due,
        overdue=bool(batch.filing_due and on > batch.filing_due),
        summary=summary,
    )
    db.session.add(filing)
    batch.state, batch.filed_on = "filed", on
    db.session.flush()
    record_step(
        ctx,
        "filing",
        batch_id=batch.id,
        on_date=on,
        due_date=batch.filing_due,
        rule_id=policy(ctx).listing_rule_ids().procedure,
        summary="报上级备案",
    )
    audit.record(
        ctx,
        "listing.filed",
        object_type="listing_batch",
        object_id=batch.id,
        after={
            "on": on,
            "filing_id": filing.id,
            "due": batch.filing_due,
            "overdue": filing.overdue,
        },
    )
    return filing


def _public_row(e: ListingEntry) -> dict[str, Any]:
    ent: Enterprise = e.enterprise
    return {
        "name": ent.name,
        "uscc": ent.uscc,
        "address": ent.address,
        "industry": f"{ent.industry_code or ''} {ent.industry.name if ent.industry else ''}".strip(),
        "permit_no": ent.permit_no,
        "valid_until": e.valid_until.isoformat() if e.valid_until else None,
        "removal_reason": e.removal_reason,
    }


def overdue_batches(ctx: Context, on: date | None = None) -> list[dict[str, Any]]:
    """Late steps: a notice closed but not published by its due date, published but not filed."""
    on = on or ctx.today
    out = []
    for b in db.session.execute(
        select(ListingBatch).where(ListingBatch.state.in_(("notice", "published")))
    ).scalars():
        if b.state == "notice" and b.notice_end and b.publication_due is None:
            due = policy(ctx, b.notice_end).step_due("publication", b.notice_end)
            if on > due.answer:
                out.append(
                    {
                        "batch": b,
                        "step": "publication",
                        "due": due.answer,
                        "rule_id": due.rule_id,
                        "provisional": due.provisional,
                    }
                )
        if b.state == "published" and b.published_on and b.filing_due and on > b.filing_due:
            filing = policy(ctx, b.published_on).step_due("filing", b.published_on)
            out.append(
                {
                    "batch": b,
                    "step": "filing",
                    "due": b.filing_due,
                    "rule_id": filing.rule_id,
                    "provisional": False,
                }
            )
    return out

"""Public objections during a notice (name and contact optional, content required, rate-limited
per address) and the staff's decision: uphold (the entry leaves the batch) or dismiss (the
reason is published on the notice page)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.core import ratelimit
from tenant_app.core.errors import Conflict, Throttled, ValidationFailed
from tenant_app.extensions import db
from tenant_app.listing.services import ledger, moment
from tenant_app.listing.services.batches import members
from tenant_app.listing.services.common import record_step, refuse_state
from tenant_app.listing.services.entries import MAX_ID, NotFound, _text
from tenant_app.models.listing import OBJECTION_STATES, ListingBatch, ListingEntry, ListingObjection

MAX_PER_WINDOW = 5


def _key(address: str) -> str:
    return f"objection:{address}"


def note_attempt(ctx: Context) -> None:
    """At most MAX_PER_WINDOW objections per address (the context's) per LOGIN_WINDOW_SECONDS,
    counted by the one rate limiter (atomically, and kept even when the objection is then
    refused)."""
    window = current_app.config["LOGIN_WINDOW_SECONDS"]
    h = ratelimit.hit(_key(ctx.address), MAX_PER_WINDOW, window)
    if not h.allowed:
        raise Throttled("提交过于频繁，请稍后再试", retry_after=h.retry_after)


def file_objection(ctx: Context, batch: ListingBatch, data: dict[str, Any]) -> ListingObjection:
    """Anyone, during the notice period of an addition batch."""
    on = ctx.today
    if (
        batch.kind != "addition"
        or batch.state != "notice"
        or batch.notice_start is None
        or batch.notice_end is None
        or not batch.notice_start <= on <= batch.notice_end
    ):
        raise Conflict("该批次不在公示期内，不能提出异议")
    content = _text(data.get("content"), "content", 2000, "异议内容")
    name = _text(data.get("name"), "name", 64, "姓名", required=False)
    contact = _text(data.get("contact"), "contact", 64, "联系方式", required=False)
    entry_id = data.get("entry_id")
    entry = None
    if entry_id not in (None, ""):
        ids = {e.id: e for e in members(ctx, batch) if e.state == "in_notice"}
        try:
            entry = ids.get(int(entry_id))
        except (TypeError, ValueError):
            entry = None
        if entry is None:
            raise ValidationFailed.field("entry_id", "请选择公示中的企业")
    row = ListingObjection(
        batch_id=batch.id,
        entry_id=entry.id if entry else None,
        name=name,
        contact=contact,
        content=content,
        state="open",
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        ctx,
        "listing.objection_filed",
        object_type="listing_objection",
        object_id=row.id,
        after={"batch_id": batch.id, "entry_id": row.entry_id},
        actor="public",
    )
    return row


def get_objection(ctx: Context, objection_id: int) -> ListingObjection:
    row = None
    if 0 < objection_id <= MAX_ID:
        row = db.session.execute(
            select(ListingObjection).where(ListingObjection.id == objection_id)
        ).scalar_one_or_none()
    if row is None:
        raise NotFound("没有该异议")
    return row


def objections(ctx: Context, batch: ListingBatch) -> list[ListingObjection]:
    return list(
        db.session.execute(
            select(ListingObjection)
            .where(ListingObjection.batch_id == batch.id)
            .order_by(ListingObjection.id)
        ).scalars()
    )


def decide(ctx: Context, obj: ListingObjection, data: dict[str, Any]) -> ListingObjection:
    """``uphold`` withdraws the entry from the batch; ``dismiss`` keeps it, with a published reason."""
    require_action(ctx, Perm.LISTING_MANAGE)
    moment.require_compiler(ctx, "处理公示异议")
    refuse_state("处理异议", obj.state, ("open",), OBJECTION_STATES)
    outcome = data.get("outcome")
    if outcome not in ("uphold", "dismiss"):
        raise ValidationFailed.field("outcome", "请选择异议成立或不成立")
    reason = _text(data.get("reason"), "reason", 2000, "处理理由")
    entry: ListingEntry | None = None
    if outcome == "uphold":
        entry_id = obj.entry_id or data.get("entry_id")
        batch = db.session.execute(
            select(ListingBatch).where(ListingBatch.id == obj.batch_id)
        ).scalar_one()
        live = {e.id: e for e in members(ctx, batch) if e.state == "in_notice"}
        try:
            entry = live.get(int(entry_id)) if entry_id not in (None, "") else None
        except (TypeError, ValueError):
            entry = None
        if entry is None:
            raise ValidationFailed.field("entry_id", "异议成立须指明所涉公示中的企业")
        entry.state, entry.closed_reason = "withdrawn", f"公示异议成立：{reason[:400]}"
        obj.entry_id = entry.id
        ledger.add_entry(
            ctx,
            entry.enterprise,
            "objection",
            ctx.today,
            f"公示异议成立，撤出批次：{reason[:200]}",
            f"objection:{obj.id}",
        )
    obj.state, obj.reason, obj.decided_by, obj.decided_at = (
        "upheld" if outcome == "uphold" else "dismissed",
        reason,
        ctx.actor.user_id,
        utcnow(),
    )
    record_step(
        ctx,
        "objection_" + obj.state,
        batch_id=obj.batch_id,
        entry_id=obj.entry_id,
        result=obj.state,
        summary=reason,
        evidence={"objection_id": obj.id},
    )
    audit.record(
        ctx,
        "listing.objection_decided",
        object_type="listing_objection",
        object_id=obj.id,
        before={"state": "open"},
        after={"state": obj.state, "reason": reason, "entry_id": obj.entry_id},
    )
    return obj

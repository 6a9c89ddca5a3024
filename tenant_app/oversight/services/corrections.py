"""Correction items (内部纠错, issue 17 item 3; XJ-A, SX-O): a parent region's auditor assigns a
finding to one child region (any descendant), the child reports how it corrected it, the auditor
closes it. The row lives in the child tenant (models/oversight.py): the auditor writes it in the
child's scope for that one write, and both audit chains record each step, as a filing's
acknowledgement does (listing/services/filings.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_, select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ServiceError
from tenant_app.extensions import db
from tenant_app.models import Tenant
from tenant_app.models.oversight import CORRECTION_TOPICS, CorrectionItem
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope

MAX_ID = 2**53
FINDING_MAX = 2000


class NotFound(ServiceError):
    status = 404
    code = "not_found"


def _text(data: dict[str, Any], key: str, label: str, size: int) -> str:
    value = str(data.get(key) or "").strip()
    if not value:
        raise ServiceError(f"请填写{label}", {key: [f"请填写{label}"]})
    if len(value) > size:
        raise ServiceError(f"{label}过长", {key: [f"最多 {size} 个字"]})
    return value


def _child(ctx: Context, raw: Any) -> Tenant:
    """A strict descendant of the acting tenant, named by its id."""
    assert ctx.tenant is not None
    text = str(raw or "").strip()
    child = db.session.get(Tenant, int(text)) if text.isdigit() and len(text) < 16 else None
    if child is None or child.id == ctx.tenant.id or not child.path.startswith(ctx.tenant.path):
        raise ServiceError("请选择本单位的下级地区", {"region": ["请选择本单位的下级地区"]})
    return child


def issue(ctx: Context, data: dict[str, Any]) -> CorrectionItem:
    require_action(ctx, Perm.CORRECTIONS_ISSUE)
    if ctx.tenant is None:
        raise ServiceError("请在本单位下达", {"region": ["请在本单位下达"]})
    child = _child(ctx, data.get("region"))
    topic = str(data.get("topic") or "").strip()
    if topic not in CORRECTION_TOPICS:
        raise ServiceError("请选择问题类别", {"topic": ["请选择列出的问题类别"]})
    finding = _text(data, "finding", "发现的问题", FINDING_MAX)
    raw_due = str(data.get("due_on") or "").strip()
    try:
        due = date.fromisoformat(raw_due[:10])
    except ValueError:
        raise ServiceError(
            "整改期限格式不正确", {"due_on": ["请填写日期，如 2026-12-31"]}
        ) from None
    if due < ctx.today:
        raise ServiceError("整改期限不能早于今天", {"due_on": ["整改期限不能早于今天"]})
    with use_scope(tenant_scope(child, ctx.actor.user_id)):
        item = CorrectionItem(
            tenant_id=child.id,
            issuer_tenant_id=ctx.tenant.id,
            topic=topic,
            finding=finding,
            due_on=due,
            status="open",
            issued_by=ctx.actor.user_id,
            issued_by_name=ctx.actor.name[:64],
        )
        db.session.add(item)
        db.session.flush()
        audit.record(
            ctx,
            "correction.issued",
            object_type="correction_item",
            object_id=item.id,
            after={"by_tenant": ctx.tenant.id, "topic": topic, "due_on": due.isoformat()},
        )
        db.session.flush()
    audit.record(
        ctx,
        "correction.issued",
        object_type="correction_item",
        object_id=item.id,
        after={"child_tenant": child.id, "topic": topic, "due_on": due.isoformat()},
    )
    return item


def get(ctx: Context, item_id: int) -> CorrectionItem:
    """An item of the acting tenant or one it issued; anything else is "not found"."""
    row = None
    if 0 < item_id <= MAX_ID:
        row = db.session.execute(
            select(CorrectionItem).where(
                CorrectionItem.id == item_id,
                or_(
                    CorrectionItem.tenant_id == ctx.tenant_id,
                    CorrectionItem.issuer_tenant_id == ctx.tenant_id,
                ),
            )
        ).scalar_one_or_none()
    if row is None:
        raise NotFound("没有该纠错事项")
    return row


def issued(ctx: Context) -> list[CorrectionItem]:
    """What the acting tenant assigned to its descendants (read through the oversight scope)."""
    require_action(ctx, Perm.CORRECTIONS_ISSUE)
    return list(
        db.session.execute(
            select(CorrectionItem)
            .where(CorrectionItem.issuer_tenant_id == ctx.tenant_id)
            .order_by(CorrectionItem.id.desc())
            .limit(500)
        ).scalars()
    )


def received(ctx: Context) -> list[CorrectionItem]:
    """What the acting tenant was assigned."""
    return list(
        db.session.execute(
            select(CorrectionItem)
            .where(CorrectionItem.tenant_id == ctx.tenant_id)
            .order_by(CorrectionItem.id.desc())
            .limit(500)
        ).scalars()
    )


def answer(ctx: Context, item: CorrectionItem, data: dict[str, Any]) -> CorrectionItem:
    require_action(ctx, Perm.CORRECTIONS_ANSWER)
    if item.tenant_id != ctx.tenant_id:
        raise NotFound("没有该纠错事项")
    if item.status != "open":
        raise Conflict("该纠错事项已报送或已核销", {"status": [item.status]})
    text = _text(data, "answer", "整改情况", FINDING_MAX)
    item.answer, item.answered_by_name, item.answered_at = text, ctx.actor.name[:64], utcnow()
    item.status = "answered"
    db.session.flush()
    audit.record(
        ctx,
        "correction.answered",
        object_type="correction_item",
        object_id=item.id,
        before={"status": "open"},
        after={"status": "answered"},
    )
    return item


def close(ctx: Context, item: CorrectionItem, data: dict[str, Any]) -> CorrectionItem:
    """The issuing auditor accepts the child's answer (核销), or sends it back (reopen)."""
    require_action(ctx, Perm.CORRECTIONS_ISSUE)
    if item.issuer_tenant_id != ctx.tenant_id:
        raise NotFound("没有该纠错事项")
    if item.status != "answered":
        raise Conflict("下级地区尚未报送整改情况", {"status": [item.status]})
    accept = str(data.get("verdict") or "accept") == "accept"
    note = str(data.get("note") or "").strip()[:500]
    if not accept and not note:
        raise ServiceError("退回须说明理由", {"note": ["请填写退回理由"]})
    child = db.session.get(Tenant, item.tenant_id)
    assert child is not None
    action_after = {"status": "closed" if accept else "open", "note": note}
    with use_scope(tenant_scope(child, ctx.actor.user_id)):
        if accept:
            item.status, item.closed_by_name, item.closed_at = (
                "closed",
                ctx.actor.name[:64],
                utcnow(),
            )
        else:
            item.status = "open"
        item.close_note = note
        audit.record(
            ctx,
            "correction.closed",
            object_type="correction_item",
            object_id=item.id,
            before={"status": "answered"},
            after=action_after,
        )
        db.session.flush()
    audit.record(
        ctx,
        "correction.closed",
        object_type="correction_item",
        object_id=item.id,
        after={"child_tenant": child.id, **action_after},
    )
    return item

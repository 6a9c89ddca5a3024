"""More time to correct (延期整改申请, SX-15 / XJ-R; issue 15).

The enterprise asks, before its correction order's deadline, for more time with its reasons, the
date it hopes for (optional) and an optional proof file (the one upload store, as progress
evidence). The officer — staff who supervise rectification (``cases.edit``: the officers and
the agency head, who issue and verify orders) — grants a new deadline, as days counted from the
current one by the pack's calendar unit or as a date, never earlier than the current deadline
and never past the pack's bound (``Policy.correction_extension``), or refuses with a reason.
Granted, the order's ``due_on`` moves: the reminders queue, the overdue scan and the plan's
milestones all read it. One request pending at a time. Both sides see the history on the order.
"""

from __future__ import annotations

from datetime import date
from typing import IO, Any

from sqlalchemy import select

from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.core import uploads
from tenant_app.core.errors import Conflict, ValidationFailed
from tenant_app.core.row_fields import FieldProblem, a_date
from tenant_app.extensions import db
from tenant_app.inspections.services.common import get, policy_of
from tenant_app.models import CorrectionExtension, CorrectionOrder, Enterprise
from tenant_app.models.rectification import EXTENSION_STATUSES
from tenant_app.notifications.services.notify import notify, staff_with
from tenant_app.rectification.services.orders import _text, ledger_line, link_of
from tenant_app.rectification.services.rectify import (
    ALLOWED,
    AREA,
    MAX_BYTES,
    _audit,
    _must_be_open,
)

__all__ = ["request", "decide", "extensions_of", "get_extension", "EXTENSION_STATUSES"]


def extensions_of(o: CorrectionOrder) -> list[CorrectionExtension]:
    return list(
        db.session.execute(
            select(CorrectionExtension)
            .where(CorrectionExtension.order_id == o.id)
            .order_by(CorrectionExtension.id)
        ).scalars()
    )


def get_extension(extension_id: Any) -> CorrectionExtension:
    """Within the scope: another tenant's request and a missing one are the same 404."""
    return get(CorrectionExtension, extension_id, "该延期整改申请")


def _a_date(raw: Any, field: str, label: str, *, required: bool = False) -> date | None:
    try:
        return a_date(raw, required=required, label=label)
    except FieldProblem as exc:
        raise ValidationFailed.field(field, str(exc)) from None


def request(
    ctx: Context,
    o: CorrectionOrder,
    data: dict[str, Any],
    stream: IO[bytes] | None = None,
    filename: str = "",
) -> CorrectionExtension:
    """The enterprise asks for more time, before the deadline has passed."""
    require_action(ctx, Perm.OWN_CASES)
    _must_be_open(o)
    if o.status == "verifying":
        raise Conflict("整改核查已开始，不能再申请延期", {"status": [o.status]})
    if ctx.today > o.due_on:
        raise Conflict(
            f"改正期限（{o.due_on}）已届满，延期整改须在期限届满前申请",
            {"reasons": [f"改正期限 {o.due_on} 已届满"]},
        )
    if any(x.status == "pending" for x in extensions_of(o)):
        raise Conflict("已有待审查的延期整改申请", {"reasons": ["已有待审查的延期整改申请"]})
    reasons = _text(data.get("reasons"), "reasons", "延期的理由")
    asked = _a_date(data.get("asked_until"), "asked_until", "希望延长至")
    if asked is not None and asked <= o.due_on:
        raise ValidationFailed.field("asked_until", f"希望延长至的日期应晚于现行期限 {o.due_on}")
    policy = policy_of(ctx)
    row = CorrectionExtension(
        order_id=o.id,
        reasons=reasons,
        asked_until=asked,
        filed_on=ctx.today,
        filed_by=ctx.actor.user_id,
        status="pending",
        old_due_on=o.due_on,
        deadline_text="",
        decision_note="",
        rule_ids=[r for r in [policy.correction_extension(o.due_on, 1).rule_id] if r],
        policy_version=str(policy.version_id or ""),
    )
    if stream is not None and filename:
        s = uploads.store(
            stream,
            filename,
            area=AREA,
            tenant_id=o.tenant_id,
            allowed=ALLOWED,
            max_bytes=MAX_BYTES,
            field="file",
        )
        row.filename, row.content_type, row.size = s.filename, s.content_type, s.size
        row.sha256, row.stored_name = s.sha256, s.stored_name
    else:
        row.filename = row.content_type = row.sha256 = row.stored_name = ""
        row.size = 0
    db.session.add(row)
    db.session.flush()
    _audit(
        ctx,
        o,
        "rectification.extension_requested",
        {"due_on": o.due_on},
        {
            "extension_id": row.id,
            "asked_until": asked,
            "reasons": reasons[:200],
            "file": row.filename,
            "sha256": row.sha256,
        },
    )
    users = set(staff_with(ctx, Perm.CASES_EDIT)) | ({o.issued_by} if o.issued_by else set())
    notify(
        ctx,
        kind="rectification_extension",
        title=f"企业申请延期整改（责令改正 #{o.id}，现行期限 {o.due_on}）",
        link=link_of(ctx, o.id),
        users=sorted(users),
        payload={"order_id": o.id, "extension_id": row.id},
    )
    return row


def decide(ctx: Context, ext: CorrectionExtension, data: dict[str, Any]) -> CorrectionExtension:
    """Grant (``days`` more in the pack's unit, or ``until`` a date) or refuse with a reason."""
    require_action(ctx, Perm.CASES_EDIT)
    o = get(CorrectionOrder, ext.order_id, "该责令改正")
    if ext.status != "pending":
        raise Conflict("该延期整改申请已作出决定", {"status": [ext.status]})
    _must_be_open(o)
    grant = str(data.get("grant") or "").lower() in ("1", "true", "yes", "on", "grant")
    note = _text(data.get("note"), "note", "准予或不予延期的理由")
    policy = policy_of(ctx)
    before = {"due_on": o.due_on, "overdue_on": o.overdue_on}
    if grant:
        until = _a_date(data.get("until"), "until", "延长至")
        raw_days = str(data.get("days") or "").strip()
        if until is None and not raw_days:
            raise ValidationFailed.field("days", "请填写延长的天数或延长至的日期")
        if until is not None and raw_days:
            raise ValidationFailed.field("days", "延长的天数与延长至的日期只填一项")
        days = None
        if raw_days:
            if not raw_days.isdigit():
                raise ValidationFailed.field("days", "延长的天数应为正整数")
            days = int(raw_days)
        d = policy.correction_extension(o.due_on, days, until)
        if d.answer is None:
            raise ValidationFailed.field("until" if until is not None else "days", d.explanation)
        ext.new_due_on, ext.deadline_text = d.answer["due"], d.explanation
        ext.rule_ids = list(dict.fromkeys([*(ext.rule_ids or []), *[r for r in d.rule_ids if r]]))
        o.due_on = d.answer["due"]
        o.provisional = bool(d.provisional)
        o.deadline_text = f"{o.deadline_text.rstrip('。')}。延期：{d.explanation}"
        if o.overdue_on is not None and o.due_on >= ctx.today:
            o.overdue_on = None  # no longer late; a removal already started stays (docs)
    ext.status = "granted" if grant else "refused"
    ext.decision_note, ext.decided_on, ext.decided_by = note, ctx.today, ctx.actor.user_id
    _audit(
        ctx,
        o,
        "rectification.extension_granted" if grant else "rectification.extension_refused",
        before,
        {
            "extension_id": ext.id,
            "due_on": o.due_on,
            "overdue_on": o.overdue_on,
            "note": note[:200],
        },
    )
    if grant:
        e = db.session.get(Enterprise, o.enterprise_id)
        if e is not None:
            ledger_line(
                ctx,
                o,
                e,
                "correction_order",
                f"延期整改（责令改正 #{o.id}）：期限由 {ext.old_due_on} 延至 {o.due_on}",
            )
    notify(
        ctx,
        kind="rectification_extension",
        title=(
            f"延期整改申请已准予：改正期限延至 {o.due_on}（责令改正 #{o.id}）"
            if grant
            else f"延期整改申请未获准予，改正期限仍为 {o.due_on}（责令改正 #{o.id}）"
        ),
        link=link_of(ctx, o.id, staff=False),
        enterprise_id=o.enterprise_id,
        payload={"order_id": o.id, "extension_id": ext.id, "due_on": o.due_on.isoformat()},
    )
    return ext

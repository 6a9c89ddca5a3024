"""Supervised rectification of a correction order (SX-15 强化指导服务, issue 15 item 2).

The enterprise submits its plan online (measures, the responsible person, milestones no later
than the deadline) and reports progress with evidence (one file per report through the one
upload store, core/uploads.py). The bureau comments, records the help it gave (纾困解难), and
verifies (整改核查): off-site, or on site by a follow-up visit linked to the order — an
inspection with the pack's own trigger (``Policy.rectification_rules``: ``follow_up``), so the
SX-3 cap counts it or not as the pack's ``inspection.caps.exempt_triggers`` say — and closes the
order as done, partly done or not done. Every step is an audit entry and, for a listed
enterprise, a line of the positive-list ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.core import uploads
from tenant_app.core.errors import Conflict, ValidationFailed
from tenant_app.extensions import db
from tenant_app.inspections.services import plans
from tenant_app.inspections.services.common import policy_of
from tenant_app.models import (
    CorrectionExtension,
    CorrectionOrder,
    Enterprise,
    Inspection,
    RectificationEntry,
)
from tenant_app.models.rectification import (
    ENTRY_KINDS,
    ORDER_STATUSES,
    OUTCOMES,
    VERIFY_METHODS,
)
from tenant_app.notifications.services.notify import notify, staff_with
from tenant_app.rectification.services.orders import (
    MAX_TEXT,
    NotFound,
    _text,
    ledger_line,
    link_of,
)

AREA = "rectification"
ALLOWED = (".jpg", ".jpeg", ".png", ".pdf", ".mp4")
MAX_BYTES = 20 * 1024 * 1024
MAX_MILESTONES = 20
VISIT_STARTED = ("approved", "in_progress", "done")


def _must_be_open(o: CorrectionOrder) -> None:
    if not o.is_open:
        raise Conflict(f"该责令改正{ORDER_STATUSES[o.status]}，不能再办理", {"status": [o.status]})


def _audit(
    ctx: Context, o: CorrectionOrder, action: str, before: dict[str, Any], after: dict[str, Any]
) -> None:
    audit.record(
        ctx,
        action,
        object_type="correction_order",
        object_id=o.id,
        before=before,
        after={**after, "rule_ids": o.rule_ids},
    )


def _tell_staff(ctx: Context, o: CorrectionOrder, title: str) -> None:
    users = set(staff_with(ctx, Perm.CASES_EDIT))
    if o.issued_by:
        users.add(o.issued_by)
    notify(
        ctx,
        kind="rectification",
        title=title,
        link=link_of(ctx, o.id),
        users=sorted(users),
        payload={"order_id": o.id},
    )


def _tell_party(ctx: Context, o: CorrectionOrder, title: str) -> None:
    notify(
        ctx,
        kind="rectification",
        title=title,
        link=link_of(ctx, o.id, staff=False),
        enterprise_id=o.enterprise_id,
        payload={"order_id": o.id},
    )


def parse_milestones(raw: Any, due: date) -> list[dict[str, str]]:
    """Milestones as a list of ``{"date", "text"}`` or as lines "YYYY-MM-DD 内容"; each no later
    than the order's deadline."""
    items: list[Any]
    if isinstance(raw, str):
        items = []
        for line in raw.splitlines():
            line = line.strip()
            if not line:
                continue
            day, _, text = line.replace("\u3000", " ").partition(" ")
            items.append({"date": day, "text": text})
    elif isinstance(raw, list):
        items = raw
    else:
        items = []
    if not items:
        raise ValidationFailed.field("milestones", "请至少填写一个整改节点（日期 内容）")
    if len(items) > MAX_MILESTONES:
        raise ValidationFailed.field("milestones", f"整改节点不能超过 {MAX_MILESTONES} 个")
    out: list[dict[str, str]] = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise ValidationFailed.field("milestones", f"第{i}个整改节点格式有误")
        try:
            when = date.fromisoformat(str(item.get("date") or "").strip())
        except ValueError:
            raise ValidationFailed.field(
                "milestones", f"第{i}个整改节点的日期有误，应为 YYYY-MM-DD"
            ) from None
        text = str(item.get("text") or "").strip()
        if not text or len(text) > 500:
            raise ValidationFailed.field("milestones", f"第{i}个整改节点须写明内容（500字以内）")
        if when > due:
            raise ValidationFailed.field(
                "milestones", f"第{i}个整改节点（{when}）晚于改正期限 {due}"
            )
        out.append({"date": when.isoformat(), "text": text})
    return sorted(out, key=lambda m: m["date"])


def submit_plan(ctx: Context, o: CorrectionOrder, data: dict[str, Any]) -> CorrectionOrder:
    """The enterprise's rectification plan (SX-15 制定具体可操作的整改计划); resubmitting
    replaces it while the order is not yet being verified."""
    require_action(ctx, Perm.OWN_CASES)
    _must_be_open(o)
    if o.status == "verifying":
        raise Conflict("整改核查已开始，不能再修改整改方案", {"status": [o.status]})
    measures = _text(data.get("measures"), "measures", "整改措施")
    responsible = _text(data.get("responsible"), "responsible", "整改责任人", most=100)
    milestones = parse_milestones(data.get("milestones"), o.due_on)
    before = {"status": o.status}
    o.plan_measures, o.plan_responsible, o.plan_milestones = measures, responsible, milestones
    o.plan_submitted_at, o.status = utcnow(), "planned"
    _audit(
        ctx,
        o,
        "rectification.plan_submitted",
        before,
        {"status": o.status, "responsible": responsible, "milestones": milestones},
    )
    _tell_staff(ctx, o, f"企业已提交整改方案（责令改正 #{o.id}）")
    return o


def _entry(
    ctx: Context,
    o: CorrectionOrder,
    kind: str,
    text: str,
    stream: IO[bytes] | None = None,
    filename: str = "",
) -> RectificationEntry:
    row = RectificationEntry(
        order_id=o.id, kind=kind, text=text, day=ctx.today, author_id=ctx.actor.user_id
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
    db.session.add(row)
    db.session.flush()
    _audit(
        ctx,
        o,
        f"rectification.{kind}",
        {},
        {"entry_id": row.id, "text": text[:200], "file": row.filename, "sha256": row.sha256},
    )
    return row


def report_progress(
    ctx: Context,
    o: CorrectionOrder,
    text: str,
    stream: IO[bytes] | None = None,
    filename: str = "",
) -> RectificationEntry:
    """The enterprise reports progress, optionally with one evidence file."""
    require_action(ctx, Perm.OWN_CASES)
    _must_be_open(o)
    if o.status == "issued":
        raise Conflict("请先提交整改方案，再报告整改进展", {"status": [o.status]})
    body = _text(text, "text", "整改进展")
    row = _entry(ctx, o, "progress", body, stream, filename)
    _tell_staff(ctx, o, f"企业报告了整改进展（责令改正 #{o.id}）")
    return row


def comment(ctx: Context, o: CorrectionOrder, text: str) -> RectificationEntry:
    """The bureau's comment on the plan or the progress (督导企业明确改进方向)."""
    require_action(ctx, Perm.CASES_EDIT)
    _must_be_open(o)
    row = _entry(ctx, o, "comment", _text(text, "text", "意见"))
    _tell_party(ctx, o, f"执法部门对整改提出意见（责令改正 #{o.id}）")
    return row


def record_help(ctx: Context, o: CorrectionOrder, text: str) -> RectificationEntry:
    """Help the bureau gave the enterprise (帮助企业纾困解难): what, when, by whom."""
    require_action(ctx, Perm.CASES_EDIT)
    _must_be_open(o)
    row = _entry(ctx, o, "help", _text(text, "text", "帮扶内容"))
    e = db.session.get(Enterprise, o.enterprise_id)
    if e is not None:
        ledger_line(ctx, o, e, "rectification_help", f"整改帮扶（责令改正 #{o.id}）：{text[:80]}")
    return row


def entries(o: CorrectionOrder) -> list[RectificationEntry]:
    return list(
        db.session.execute(
            select(RectificationEntry)
            .where(RectificationEntry.order_id == o.id)
            .order_by(RectificationEntry.id)
        ).scalars()
    )


def get_entry(o: CorrectionOrder, entry_id: Any) -> RectificationEntry | None:
    try:
        eid = int(entry_id)
    except (TypeError, ValueError):
        return None
    return db.session.execute(
        select(RectificationEntry).where(
            RectificationEntry.id == eid, RectificationEntry.order_id == o.id
        )
    ).scalar_one_or_none()


def schedule_visit(ctx: Context, o: CorrectionOrder, data: dict[str, Any]) -> Inspection:
    """An on-site follow-up visit (整改核查) linked to the order, through the inspection's own
    pre-save checks (officers, approval, listed-enterprise rules, the cap): its trigger is the
    pack's ``verify_trigger``."""
    require_action(ctx, Perm.CASES_EDIT)
    _must_be_open(o)
    if o.inspection_id is not None:
        linked = db.session.get(Inspection, o.inspection_id)
        if linked is not None and linked.status != "cancelled":
            raise Conflict("已安排整改核查检查", {"inspection_id": [str(linked.id)]})
    rules = policy_of(ctx).rectification_rules()
    insp = plans.create_inspection(
        ctx,
        {
            **{k: v for k, v in data.items() if k in ("planned_date", "officer_ids")},
            "enterprise_id": o.enterprise_id,
            "mode": "on_site",
            "trigger": rules.answer["verify_trigger"],
            "title": f"整改核查（责令改正 #{o.id}）",
        },
    )
    before = {"status": o.status, "inspection_id": o.inspection_id}
    o.inspection_id, o.status = insp.id, "verifying"
    _audit(
        ctx,
        o,
        "rectification.visit_scheduled",
        before,
        {
            "status": o.status,
            "inspection_id": insp.id,
            "trigger": insp.trigger,
            "outside_cap": rules.answer["verify_outside_cap"],
            "rule": rules.explanation,
        },
    )
    _tell_party(ctx, o, f"执法部门将于 {insp.planned_date} 现场核查整改情况（责令改正 #{o.id}）")
    return insp


def verify(ctx: Context, o: CorrectionOrder, data: dict[str, Any]) -> CorrectionOrder:
    """整改核查 and closing: ``method`` off_site or on_site (then the linked follow-up visit must
    be approved or under way), ``outcome`` done / partly_done / not_done, with the note."""
    require_action(ctx, Perm.CASES_EDIT)
    _must_be_open(o)
    method = str(data.get("method") or "")
    outcome = str(data.get("outcome") or "")
    errors: dict[str, list[str]] = {}
    if method not in VERIFY_METHODS:
        errors["method"] = ["请选择核查方式（非现场核查或现场核查）"]
    if outcome not in OUTCOMES:
        errors["outcome"] = ["请选择核查结论（已完成、部分完成或未完成整改）"]
    if errors:
        raise ValidationFailed("核查内容不完整", errors)
    note = _text(data.get("note"), "note", "核查意见")
    if method == "on_site":
        insp = db.session.get(Inspection, o.inspection_id) if o.inspection_id else None
        if insp is None or insp.status not in VISIT_STARTED:
            raise ValidationFailed.field(
                "method", "现场核查须先安排与本责令改正关联的整改核查检查，且该检查已获批准"
            )
    before = {"status": o.status}
    o.verify_method, o.status = method, outcome
    o.verified_on, o.verified_by, o.verification_note = ctx.today, ctx.actor.user_id, note
    _audit(
        ctx,
        o,
        "rectification.verified",
        before,
        {
            "status": outcome,
            "method": method,
            "inspection_id": o.inspection_id if method == "on_site" else None,
            "late": ctx.today > o.due_on,
        },
    )
    e = db.session.get(Enterprise, o.enterprise_id)
    if e is not None:
        ledger_line(
            ctx,
            o,
            e,
            "rectification_verified",
            f"整改核查（{VERIFY_METHODS[method]}）：{ORDER_STATUSES[outcome]}（责令改正 #{o.id}）",
        )
    _tell_party(ctx, o, f"整改核查结论：{ORDER_STATUSES[outcome]}（责令改正 #{o.id}）")
    return o


def justify(ctx: Context, o: CorrectionOrder, reason: str) -> CorrectionOrder:
    """The officer records a good reason (正当理由) for the order running late: overdue, it is
    flagged but does not start a listed enterprise's removal (XJ-R)."""
    require_action(ctx, Perm.CASES_EDIT)
    _must_be_open(o)
    text = _text(reason, "reason", "逾期的正当理由", most=MAX_TEXT)
    before = {"overdue_justified": o.overdue_justified}
    o.overdue_justified, o.overdue_reason = True, text
    _audit(ctx, o, "rectification.justified", before, {"overdue_justified": True, "reason": text})
    return o


__all__ = [
    "ENTRY_KINDS",
    "submit_plan",
    "report_progress",
    "comment",
    "record_help",
    "schedule_visit",
    "verify",
    "justify",
    "entries",
]


@dataclass(frozen=True)
class StoredFile:
    path: Path
    content_type: str
    filename: str


def stored_file(o: CorrectionOrder, kind: str, row_id: int) -> StoredFile:
    """The evidence of a progress entry or the proof of an extension request on ``o``, for the
    staff and the enterprise who already see the order; anything else is the same 404."""
    if kind not in ("entry", "extension"):
        raise NotFound("没有该文件")
    model: Any = RectificationEntry if kind == "entry" else CorrectionExtension
    row = db.session.execute(
        select(model).where(model.id == row_id, model.order_id == o.id)
    ).scalar_one_or_none()
    if row is None or not row.stored_name:
        raise NotFound("没有该文件")
    return StoredFile(uploads.path_of(row.stored_name), row.content_type, row.filename)

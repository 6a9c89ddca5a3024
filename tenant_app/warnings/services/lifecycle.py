"""A warning's life (SX-1): sent → acknowledged → answered (explanation, evidence, measure taken)
→ resolved or closed; unanswered past the pack's answer time it escalates to the officer with the
next rung proposed (services/scan.py), and an officer may escalate one by hand. Every step is
an audit entry; every decision carries its rule id, facts and policy version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import EnterpriseWarning
from tenant_app.models.warning import (
    CLOSE_REASONS,
    EVIDENCE_MAX_BYTES,
    OPEN_STATUSES,
    WARNING_CAUSES,
    WARNING_STATUSES,
)
from tenant_app.notifications.services.notify import notify, staff_with
from tenant_app.tenancy.queries import Page, keyset_page
from tenant_app.warnings.services.common import link_of, mine, policy_of
from tenant_app.warnings.services.scan import escalate_one

EVIDENCE_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}
_MAGIC = {"application/pdf": b"%PDF", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG"}
MAX_TEXT = 4000


def warnings_page(
    ctx: Context,
    *,
    status: str | None = None,
    cause: str | None = None,
    enterprise_id: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> Page:
    """Staff list, newest first, keyset-paged on id."""
    require_action(ctx, Perm.WARNINGS_VIEW)
    stmt = select(EnterpriseWarning)
    if status == "open":
        stmt = stmt.where(EnterpriseWarning.status.in_(OPEN_STATUSES))
    elif status in WARNING_STATUSES:
        stmt = stmt.where(EnterpriseWarning.status == status)
    if cause in WARNING_CAUSES:
        stmt = stmt.where(EnterpriseWarning.cause == cause)
    if enterprise_id:
        stmt = stmt.where(EnterpriseWarning.enterprise_id == enterprise_id)
    return keyset_page(stmt, EnterpriseWarning.id, after, limit, descending=True, count=True)


def my_warnings(ctx: Context) -> list[EnterpriseWarning]:
    """The enterprise's own warnings, open ones first, then newest first."""
    e = mine(ctx)
    rows = db.session.execute(
        select(EnterpriseWarning)
        .where(EnterpriseWarning.enterprise_id == e.id)
        .order_by(EnterpriseWarning.id.desc())
        .limit(500)
    ).scalars()
    return sorted(rows, key=lambda w: (not w.is_open, -w.id))


def _must_be_open(w: EnterpriseWarning) -> None:
    if not w.is_open:
        raise Conflict(f"该预警已{WARNING_STATUSES[w.status]}，不能再办理", {"status": [w.status]})


def acknowledge(ctx: Context, w: EnterpriseWarning) -> EnterpriseWarning:
    """The enterprise says it has read the warning (once; later calls change nothing)."""
    require_action(ctx, Perm.OWN_WARNINGS)
    _must_be_open(w)
    if w.acknowledged_at is not None:
        return w
    w.acknowledged_at = utcnow()
    before = w.status
    if w.status == "sent":
        w.status = "acknowledged"
    audit.record(
        ctx,
        "warning.acknowledged",
        object_type="warning",
        object_id=w.id,
        before={"status": before},
        after={"status": w.status, "acknowledged_at": w.acknowledged_at},
    )
    return w


def check_evidence(name: str, content_type: str, data: bytes) -> None:
    if len(data) > EVIDENCE_MAX_BYTES:
        raise ValidationFailed.field(
            "evidence", f"证明材料不能超过 {EVIDENCE_MAX_BYTES // (1024 * 1024)} MB"
        )
    if content_type not in EVIDENCE_TYPES or not data.startswith(_MAGIC[content_type]):
        raise ValidationFailed.field("evidence", "证明材料只接受 PDF、JPG 或 PNG 文件")
    if not name.strip():
        raise ValidationFailed.field("evidence", "证明材料须有文件名")


def answer(
    ctx: Context,
    w: EnterpriseWarning,
    explanation: str,
    measure: str,
    evidence: tuple[str, str, bytes] | None = None,
) -> EnterpriseWarning:
    """The enterprise's answer: what happened, what it did about it, and optionally one file."""
    require_action(ctx, Perm.OWN_WARNINGS)
    _must_be_open(w)
    if w.status == "answered":
        raise Conflict("该预警已答复", {"status": [w.status]})
    explanation, measure = (explanation or "").strip(), (measure or "").strip()
    errors: dict[str, list[str]] = {}
    if not explanation:
        errors["explanation"] = ["请填写情况说明"]
    elif len(explanation) > MAX_TEXT:
        errors["explanation"] = [f"情况说明不能超过 {MAX_TEXT} 字"]
    if not measure:
        errors["measure"] = ["请填写已采取的措施"]
    elif len(measure) > MAX_TEXT:
        errors["measure"] = [f"已采取的措施不能超过 {MAX_TEXT} 字"]
    if errors:
        raise ValidationFailed("答复内容不完整", errors)
    if evidence is not None:
        check_evidence(*evidence)
        w.evidence_name, w.evidence_type, w.evidence = evidence[0][:255], evidence[1], evidence[2]
    before = w.status
    now = utcnow()
    w.explanation, w.measure, w.answered_at, w.status = explanation, measure, now, "answered"
    if w.acknowledged_at is None:
        w.acknowledged_at = now
    audit.record(
        ctx,
        "warning.answered",
        object_type="warning",
        object_id=w.id,
        before={"status": before},
        after={
            "status": "answered",
            "late": ctx.today > w.answer_due,
            "evidence": w.evidence_name,
            "answered_at": now,
        },
    )
    notify(
        ctx,
        kind="warning_answered",
        title=f"企业已答复预警：{WARNING_CAUSES.get(w.cause, w.cause)}",
        link=link_of(ctx, w.id, staff=True),
        users=staff_with(ctx, Perm.WARNINGS_EDIT),
        payload={"warning_id": w.id, "enterprise_id": w.enterprise_id},
    )
    return w


def escalate(ctx: Context, w: EnterpriseWarning, reason: str) -> EnterpriseWarning:
    """An officer escalates an open warning by hand, with the reason."""
    require_action(ctx, Perm.WARNINGS_EDIT)
    _must_be_open(w)
    if w.status == "escalated":
        raise Conflict("该预警已升级", {"status": [w.status]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", "请填写升级理由")
    if len(reason) > MAX_TEXT:
        raise ValidationFailed.field("reason", f"升级理由不能超过 {MAX_TEXT} 字")
    return escalate_one(ctx, policy_of(ctx), w, ctx.today, f"{reason}。")


def finish(ctx: Context, w: EnterpriseWarning, outcome: str, note: str) -> EnterpriseWarning:
    """An officer ends a warning: ``resolved`` (checked, the risk is removed) or ``closed``."""
    require_action(ctx, Perm.WARNINGS_EDIT)
    _must_be_open(w)
    if outcome not in ("resolved", "closed"):
        raise ValidationFailed.field("outcome", "请选择办结或关闭")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed.field("note", "请填写办理意见")
    if len(note) > MAX_TEXT:
        raise ValidationFailed.field("note", f"办理意见不能超过 {MAX_TEXT} 字")
    before = w.status
    w.status, w.close_reason, w.closed_on, w.officer_note = outcome, outcome, ctx.today, note
    audit.record(
        ctx,
        "warning.resolved" if outcome == "resolved" else "warning.closed",
        object_type="warning",
        object_id=w.id,
        before={"status": before},
        after={"status": outcome, "note": note, "reason": CLOSE_REASONS[outcome]},
    )
    return w


def as_dict(w: EnterpriseWarning) -> dict[str, Any]:
    return {
        "id": w.id,
        "enterprise_id": w.enterprise_id,
        "cause": w.cause,
        "period": w.period,
        "due_on": w.due_on,
        "status": w.status,
        "sent_on": w.sent_on,
        "answer_due": w.answer_due,
        "acknowledged_at": w.acknowledged_at,
        "answered_at": w.answered_at,
        "explanation": w.explanation,
        "measure": w.measure,
        "evidence_name": w.evidence_name,
        "escalated_on": w.escalated_on,
        "rung": w.rung,
        "escalation_reason": w.escalation_reason,
        "closed_on": w.closed_on,
        "close_reason": w.close_reason,
        "officer_note": w.officer_note,
        "rule_id": w.rule_id,
        "policy_version": w.policy_version,
        "facts": w.facts,
    }

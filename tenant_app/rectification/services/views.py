"""What the pages and the API show of an order: one dict, the same on both surfaces."""

from __future__ import annotations

from typing import Any

from tenant_app.models import CorrectionExtension, CorrectionOrder, RectificationEntry


def entry_dict(e: RectificationEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind,
        "text": e.text,
        "day": e.day,
        "author_id": e.author_id,
        "filename": e.filename,
        "size": e.size,
        "sha256": e.sha256,
    }


def extension_dict(x: CorrectionExtension) -> dict[str, Any]:
    return {
        "id": x.id,
        "order_id": x.order_id,
        "reasons": x.reasons,
        "asked_until": x.asked_until,
        "filed_on": x.filed_on,
        "filename": x.filename,
        "size": x.size,
        "sha256": x.sha256,
        "status": x.status,
        "old_due_on": x.old_due_on,
        "new_due_on": x.new_due_on,
        "deadline_text": x.deadline_text,
        "decision_note": x.decision_note,
        "decided_on": x.decided_on,
        "rule_ids": list(x.rule_ids or []),
    }


def order_dict(
    o: CorrectionOrder,
    entries: list[RectificationEntry] | None = None,
    extensions: list[CorrectionExtension] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": o.id,
        "enterprise_id": o.enterprise_id,
        "source": o.source,
        "case_id": o.case_id,
        "warning_id": o.warning_id,
        "content": o.content,
        "days": o.days,
        "day_unit": o.day_unit,
        "issued_on": o.issued_on,
        "due_on": o.due_on,
        "provisional": o.provisional,
        "deadline_text": o.deadline_text,
        "rule_ids": list(o.rule_ids or []),
        "policy_version": o.policy_version,
        "status": o.status,
        "plan_measures": o.plan_measures,
        "plan_responsible": o.plan_responsible,
        "plan_milestones": list(o.plan_milestones or []),
        "overdue_on": o.overdue_on,
        "overdue_justified": o.overdue_justified,
        "overdue_reason": o.overdue_reason,
        "removal": dict(o.removal or {}),
        "inspection_id": o.inspection_id,
        "verify_method": o.verify_method,
        "verified_on": o.verified_on,
        "verification_note": o.verification_note,
    }
    if entries is not None:
        out["entries"] = [entry_dict(e) for e in entries]
    if extensions is not None:
        out["extensions"] = [extension_dict(x) for x in extensions]
    return out

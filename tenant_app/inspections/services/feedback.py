"""Feedback to the enterprise after every inspection (SX-6), read online by its users; missing
feedback is flagged after the deadline. The deadline is the pack's ``inspection.feedback.workdays``
when a pack sets it, else DEFAULT_WORKDAYS working days after the inspection ends (the texts
say "及时反馈" without a number: platform default, docs/inspections.md)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tenant_app import clock
from tenant_app.audit import log as audit
from tenant_app.clock import utcnow
from tenant_app.core.errors import Conflict, ValidationFailed
from tenant_app.extensions import db
from tenant_app.inspections.services.common import current_tenant
from tenant_app.models import Inspection
from tenant_app.policy.service import policy_for

DEFAULT_WORKDAYS = 5


def deadline_workdays() -> int:
    pack = policy_for(current_tenant()).pack
    return int(
        ((pack.get("inspection") or {}).get("feedback") or {}).get("workdays") or DEFAULT_WORKDAYS
    )


def due_date(finished_on: date) -> date:
    policy = policy_for(current_tenant(), finished_on)
    due = policy.calendar.period_end(finished_on, deadline_workdays(), "workdays").value
    assert isinstance(due, date)
    return due


def give_feedback(insp: Inspection, text: str) -> Inspection:
    text = text.strip()
    if insp.status != "done":
        raise Conflict("检查结束后才能反馈", {"status": [insp.status]})
    if not text:
        raise ValidationFailed.field("feedback_text", "请填写反馈意见")
    before = {"feedback_text": insp.feedback_text, "feedback_overdue": insp.feedback_overdue}
    insp.feedback_text, insp.feedback_at, insp.feedback_overdue = text[:8000], utcnow(), False
    audit.record(
        "inspection.feedback_given",
        object_type="inspection",
        object_id=insp.id,
        before=before,
        after={
            "feedback_at": insp.feedback_at,
            "late": bool(insp.feedback_due and clock.today() > insp.feedback_due),
        },
    )
    return insp


def mark_read(insp: Inspection) -> Inspection:
    if insp.feedback_at and insp.feedback_read_at is None:
        insp.feedback_read_at = utcnow()
        audit.record(
            "inspection.feedback_read",
            object_type="inspection",
            object_id=insp.id,
            after={"read_at": insp.feedback_read_at},
        )
    return insp


def flag_overdue(today: date | None = None) -> list[int]:
    """Flag finished inspections past their feedback deadline with no feedback (the daily job)."""
    today = today or clock.today()
    rows = (
        db.session.execute(
            select(Inspection).where(
                Inspection.feedback_due < today,
                Inspection.status == "done",
                Inspection.feedback_at.is_(None),
                Inspection.feedback_overdue.is_(False),
            )
        )
        .scalars()
        .all()
    )
    for insp in rows:
        insp.feedback_overdue = True
        audit.record(
            "inspection.feedback_overdue",
            object_type="inspection",
            object_id=insp.id,
            after={"feedback_due": insp.feedback_due, "flagged_on": today},
            actor="system",
        )
    return [i.id for i in rows]


def overdue() -> list[Inspection]:
    return list(
        db.session.execute(
            select(Inspection)
            .where(Inspection.feedback_overdue.is_(True))
            .order_by(Inspection.feedback_due)
        ).scalars()
    )

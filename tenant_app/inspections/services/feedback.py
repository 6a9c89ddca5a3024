"""Feedback to the enterprise after every inspection (SX-6), read online by its users; missing
feedback is flagged after the deadline. The deadline is the pack's ``inspection.feedback.workdays``
when a pack sets it, else DEFAULT_WORKDAYS working days after the inspection ends (the texts
say "及时反馈" without a number: platform default, docs/inspections.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.clock import utcnow
from tenant_app.context import SYSTEM, Context
from tenant_app.core.errors import Conflict, ValidationFailed
from tenant_app.extensions import db
from tenant_app.inspections.services.common import policy_of
from tenant_app.models import Inspection

DEFAULT_WORKDAYS = 5


def deadline_workdays(ctx: Context) -> int:
    return policy_of(ctx).feedback_workdays() or DEFAULT_WORKDAYS


def due_date(ctx: Context, finished_on: date) -> date:
    policy = policy_of(ctx, finished_on)
    due = policy.calendar.period_end(finished_on, deadline_workdays(ctx), "workdays").value
    assert isinstance(due, date)
    return due


def give_feedback(ctx: Context, insp: Inspection, text: str) -> Inspection:
    text = text.strip()
    if insp.status != "done":
        raise Conflict("检查结束后才能反馈", {"status": [insp.status]})
    if not text:
        raise ValidationFailed.field("feedback_text", "请填写反馈意见")
    before = {"feedback_text": insp.feedback_text, "feedback_overdue": insp.feedback_overdue}
    insp.feedback_text, insp.feedback_at, insp.feedback_overdue = text[:8000], utcnow(), False
    audit.record(
        ctx,
        "inspection.feedback_given",
        object_type="inspection",
        object_id=insp.id,
        before=before,
        after={
            "feedback_at": insp.feedback_at,
            "late": bool(insp.feedback_due and ctx.today > insp.feedback_due),
        },
    )
    return insp


def mark_read(ctx: Context, insp: Inspection) -> Inspection:
    if insp.feedback_at and insp.feedback_read_at is None:
        insp.feedback_read_at = utcnow()
        audit.record(
            ctx,
            "inspection.feedback_read",
            object_type="inspection",
            object_id=insp.id,
            after={"read_at": insp.feedback_read_at},
        )
    return insp


def flag_overdue(ctx: Context, today: date | None = None) -> list[int]:
    """Flag finished inspections past their feedback deadline with no feedback (the daily job),
    as of ``today`` (the day of ``ctx`` by default)."""
    today = today or ctx.today
    # The deadline passing flags them, not whoever runs the scan: the system acts.
    by_system = replace(ctx, actor=SYSTEM)
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
            by_system,
            "inspection.feedback_overdue",
            object_type="inspection",
            object_id=insp.id,
            after={"feedback_due": insp.feedback_due, "flagged_on": today},
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

"""Stored deadlines: a due date with its rule, period and policy version, recomputed when a
year's holiday arrangement is entered (a provisional date becomes final)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.calendar.years import work_calendar
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import Deadline
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope


def schedule(
    *,
    subject_type: str,
    subject_id: object,
    rule_id: str,
    event_date: date,
    amount: int,
    unit: str,
    policy_version: str,
    explanation: str = "",
) -> Deadline:
    """Compute and keep (or update) the deadline of one step of one subject."""
    due = work_calendar().period_end(event_date, amount, unit)
    row = db.session.execute(
        select(Deadline).where(
            Deadline.subject_type == subject_type,
            Deadline.subject_id == str(subject_id),
            Deadline.rule_id == rule_id,
        )
    ).scalar_one_or_none()
    if row is None:
        row = Deadline(subject_type=subject_type, subject_id=str(subject_id), rule_id=rule_id)
        db.session.add(row)
    row.event_date, row.amount, row.unit = event_date, amount, unit
    assert isinstance(due.value, date)
    row.due_date, row.provisional = due.value, due.provisional
    row.policy_version, row.explanation = policy_version, explanation
    return row


def of_subject(kind: str, subject_id: object) -> list[Deadline]:
    """The stored deadlines of one subject (e.g. kind "listing_entry", any of its steps)."""
    return list(
        db.session.execute(
            select(Deadline).where(
                Deadline.subject_id == str(subject_id), Deadline.subject_type.like(f"{kind}.%")
            )
        ).scalars()
    )


def recompute_provisional(ctx: Context) -> dict[int, int]:
    """Recompute every provisional deadline, tenant by tenant; returns {tenant_id: changed}.
    Each tenant's chain names the context's actor (whoever entered the year that settled them)."""
    with use_scope(system_scope()):
        tenant_ids = sorted(
            set(
                db.session.execute(
                    select(Deadline.tenant_id).where(Deadline.provisional.is_(True))
                ).scalars()
            )
        )
        db.session.rollback()
    changed: dict[int, int] = {}
    cal = work_calendar()
    for tenant_id in tenant_ids:
        with use_scope(system_scope(tenant_id)):
            rows = (
                db.session.execute(
                    select(Deadline).where(
                        Deadline.tenant_id == tenant_id, Deadline.provisional.is_(True)
                    )
                )
                .scalars()
                .all()
            )
            n = 0
            for row in rows:
                due = cal.period_end(row.event_date, row.amount, row.unit)
                assert isinstance(due.value, date)
                if (due.value, due.provisional) != (row.due_date, row.provisional):
                    audit.record(
                        ctx,
                        "deadline.recomputed",
                        object_type=row.subject_type,
                        object_id=row.subject_id,
                        before={
                            "rule_id": row.rule_id,
                            "due_date": row.due_date,
                            "provisional": row.provisional,
                        },
                        after={
                            "rule_id": row.rule_id,
                            "due_date": due.value,
                            "provisional": due.provisional,
                        },
                    )
                    row.due_date, row.provisional = due.value, due.provisional
                    n += 1
            db.session.commit()
            changed[tenant_id] = n
    return changed

"""Inspection deadlines for the reminders queue (issue 16 item 3): approved visits on their
planned day (each assigned officer), plans waiting for approval before their planned day
(the tenant's queue: whoever may approve) and the feedback owed to the enterprise after a
finished inspection (each of its officers; the pack's conduct obligation). One query each."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.inspections.services.common import policy_of
from tenant_app.models import Inspection
from tenant_app.reminders.items import DueItem


def inspection_deadlines(ctx: Context, *, user_id: int | None, horizon: date) -> list[DueItem]:
    if ctx.tenant is None:
        return []
    return _visits_and_approvals(ctx, user_id, horizon) + _feedback(ctx, user_id, horizon)


def _officer_ids(officers: list[dict] | None, user_id: int | None) -> list[int]:
    ids = [int(o["id"]) for o in officers or [] if o.get("id") is not None]
    return [i for i in ids if user_id is None or i == user_id]


def _feedback(ctx: Context, user_id: int | None, horizon: date) -> list[DueItem]:
    """Finished inspections whose feedback to the enterprise is not yet given (SX-6 in the
    Shanxi pack: 检查结束后，及时向企业反馈检查结果), by their feedback deadline."""
    rule_id = policy_of(ctx).obligation("conduct").rule_id or None
    slug = ctx.tenant.slug if ctx.tenant else ""
    rows = db.session.execute(
        select(Inspection.id, Inspection.title, Inspection.feedback_due, Inspection.officers).where(
            Inspection.tenant_id == ctx.tenant_id,
            Inspection.status == "done",
            Inspection.feedback_at.is_(None),
            Inspection.feedback_due <= horizon,
        )
    ).all()
    return [
        DueItem(
            due,
            f"{title or f'检查 #{insp_id}'}：向企业反馈检查结果",
            f"/{slug}/inspections/{insp_id}/#feedback",
            "inspection.feedback",
            rule_id,
            f"inspection:{insp_id}",
            officer,
        )
        for insp_id, title, due, officers in rows
        for officer in _officer_ids(officers, user_id)
    ]


def _visits_and_approvals(ctx: Context, user_id: int | None, horizon: date) -> list[DueItem]:
    assert ctx.tenant is not None
    slug = ctx.tenant.slug
    rows = db.session.execute(
        select(
            Inspection.id,
            Inspection.title,
            Inspection.status,
            Inspection.planned_date,
            Inspection.officers,
            Inspection.rule_ids,
        ).where(
            Inspection.tenant_id == ctx.tenant_id,
            Inspection.status.in_(("approved", "pending")),
            Inspection.planned_date <= horizon,
        )
    ).all()
    items: list[DueItem] = []
    for insp_id, title, status, planned, officers, rule_ids in rows:
        rule_id = (rule_ids or [None])[0]
        link = f"/{slug}/inspections/{insp_id}/"
        name = title or f"检查 #{insp_id}"
        if status == "pending":
            if user_id is None:
                items.append(
                    DueItem(
                        planned,
                        name,
                        link,
                        "inspection.approval",
                        rule_id,
                        f"inspection:{insp_id}",
                        None,
                    )
                )
            continue
        for officer in _officer_ids(officers, user_id):
            items.append(
                DueItem(
                    planned,
                    name,
                    link,
                    "inspection.visit",
                    rule_id,
                    f"inspection:{insp_id}",
                    officer,
                )
            )
    return items

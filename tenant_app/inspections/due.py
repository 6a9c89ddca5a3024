"""Inspection deadlines for the reminders queue (issue 16 item 3): approved visits on their
planned day (each assigned officer) and plans waiting for approval before their planned day
(the tenant's queue: whoever may approve). One query each."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import Inspection
from tenant_app.reminders.items import DueItem


def inspection_deadlines(ctx: Context, *, user_id: int | None, horizon: date) -> list[DueItem]:
    if ctx.tenant is None:
        return []
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
        for o in officers or []:
            officer = o.get("id")
            if officer is None or (user_id is not None and int(officer) != user_id):
                continue
            items.append(
                DueItem(
                    planned,
                    name,
                    link,
                    "inspection.visit",
                    rule_id,
                    f"inspection:{insp_id}",
                    int(officer),
                )
            )
    return items

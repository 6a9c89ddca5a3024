"""Case deadlines for the reminders queue (issue 16 item 3): the decision time limit (第六十条,
extended when extended), the party's statement window while the notice stands, and the service
of the decision. One query per deadline kind; one item per case officer."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import Case
from tenant_app.policy.service import policy_for
from tenant_app.reminders.items import DueItem

# (kind, date column, stages in which it is open, national rule key of the period)
_DEADLINES: tuple[tuple[str, Any, tuple[str, ...], str], ...] = (
    (
        "cases.decision_limit",
        Case.limit_due,
        ("investigation", "notice", "hearing", "review", "discussion", "decision"),
        "time_limit.decision_days",
    ),
    ("cases.statement", Case.statement_due, ("notice",), "hearing.request_days"),
    ("cases.service", Case.service_due, ("decided",), "service.deliver_days"),
)


def case_deadlines(ctx: Context, *, user_id: int | None, horizon: date) -> list[DueItem]:
    if ctx.tenant is None:
        return []
    policy = policy_for(ctx.tenant, ctx.today)
    slug = ctx.tenant.slug
    items: list[DueItem] = []
    for kind, column, stages, rule_key in _DEADLINES:
        rule_id = policy.case_rule(rule_key).rule_id or None
        rows = db.session.execute(
            select(Case.id, Case.title, Case.officers, column).where(
                Case.tenant_id == ctx.tenant_id,
                Case.stage.in_(stages),
                column.is_not(None),
                column <= horizon,
            )
        ).all()
        for case_id, title, officers, due in rows:
            ids: list[int | None] = [
                int(o["id"]) for o in officers or [] if o.get("id") is not None
            ] or [None]
            for officer in ids:
                if user_id is not None and officer != user_id:
                    continue
                items.append(
                    DueItem(
                        due=due,
                        title=title,
                        link=f"/{slug}/cases/{case_id}/",
                        kind=kind,
                        rule_id=rule_id,
                        object_ref=f"case:{case_id}",
                        assignee_id=officer,
                    )
                )
    return items

"""What the warnings make due, for the reminders queue (issue 16 item 3).

* A warning sent and not yet answered is due on its answer day, for each verified account of the
  enterprise (its own queue, and the reminder job tells it before and after the day).
* An escalated warning waits for an officer's decision from the day it escalated: one item per
  member of staff who may act on warnings (the pack proposes the rung, a person decides).

One query per kind; the rule id is the one the warning was raised under (from the pack).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import EnterpriseAccount, EnterpriseWarning
from tenant_app.models.warning import WARNING_CAUSES, WARNING_RUNGS
from tenant_app.notifications.services.notify import staff_with
from tenant_app.reminders.items import DueItem
from tenant_app.warnings.services.common import link_of

W = EnterpriseWarning


def warning_deadlines(ctx: Context, *, user_id: int | None, horizon: date) -> list[DueItem]:
    """Warnings due by ``horizon`` (overdue ones included) in the context's tenant, for
    ``user_id`` or, when None, for everyone."""
    answers = (
        select(W.id, W.cause, W.answer_due, W.rule_id, EnterpriseAccount.user_id)
        .join(
            EnterpriseAccount,
            (EnterpriseAccount.enterprise_id == W.enterprise_id)
            & (EnterpriseAccount.tenant_id == W.tenant_id),
        )
        .where(
            W.tenant_id == ctx.tenant_id,
            W.status.in_(("sent", "acknowledged")),
            W.answer_due <= horizon,
            EnterpriseAccount.status == "verified",
        )
    )
    if user_id is not None:
        answers = answers.where(EnterpriseAccount.user_id == user_id)
    out = [
        DueItem(
            due=due,
            title=f"答复预警：{WARNING_CAUSES.get(cause, cause)}",
            link=link_of(ctx, wid),
            kind="warning.answer",
            rule_id=rule_id or None,
            object_ref=f"warning:{wid}",
            assignee_id=uid,
        )
        for wid, cause, due, rule_id, uid in db.session.execute(answers.order_by(W.id)).all()
    ]
    officers = staff_with(ctx, Perm.WARNINGS_EDIT)
    if user_id is not None:
        officers = [u for u in officers if u == user_id]
    if officers:
        escalated = db.session.execute(
            select(W.id, W.cause, W.escalated_on, W.rung, W.rule_id)
            .where(
                W.tenant_id == ctx.tenant_id,
                W.status == "escalated",
                W.escalated_on.is_not(None),
                W.escalated_on <= horizon,
            )
            .order_by(W.id)
        ).all()
        for wid, cause, on, rung, rule_id in escalated:
            assert on is not None  # filtered above; the column is nullable
            name = WARNING_RUNGS.get(rung or "", "")
            for officer in officers:
                out.append(
                    DueItem(
                        due=on,
                        title=(
                            f"预警逾期未答复，待决定{('：' + name) if name else ''}"
                            f"（{WARNING_CAUSES.get(cause, cause)}）"
                        ),
                        link=link_of(ctx, wid, staff=True),
                        kind="warning.escalated",
                        rule_id=rule_id or None,
                        object_ref=f"warning:{wid}",
                        assignee_id=officer,
                    )
                )
    return sorted(out, key=lambda i: (i.due, i.object_ref, i.assignee_id or 0))

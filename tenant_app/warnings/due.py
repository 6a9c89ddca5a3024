"""What the warnings make due, for the reminders queue (issue 16 seam; the merger adapts
``DueItem`` to the reminders registry).

* An open warning not yet answered is due on its answer day: for the enterprise (its own users)
  and, tenant-wide, for staff watching it.
* An escalated warning waits for the officer's decision: due the day it escalated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import EnterpriseAccount, EnterpriseWarning
from tenant_app.models.warning import WARNING_CAUSES, WARNING_RUNGS
from tenant_app.warnings.services.common import link_of


@dataclass(frozen=True)
class DueItem:
    due: date
    title: str
    link: str
    kind: str
    rule_id: str | None
    object_ref: str


def due_items(ctx: Context, *, user_id: int | None, horizon: date) -> list[DueItem]:
    """Warnings due by ``horizon`` (overdue ones included) in the context's tenant; for an
    enterprise user (``user_id`` linked to an enterprise) only that enterprise's."""
    enterprise_id = None
    if user_id is not None:
        enterprise_id = db.session.execute(
            select(EnterpriseAccount.enterprise_id).where(
                EnterpriseAccount.user_id == user_id, EnterpriseAccount.status == "verified"
            )
        ).scalar_one_or_none()
    stmt = select(EnterpriseWarning).where(
        EnterpriseWarning.tenant_id == ctx.tenant_id,
        EnterpriseWarning.status.in_(("sent", "acknowledged", "escalated")),
    )
    if enterprise_id is not None:
        stmt = stmt.where(
            EnterpriseWarning.enterprise_id == enterprise_id,
            EnterpriseWarning.status != "escalated",
        )
    out: list[DueItem] = []
    for w in db.session.execute(stmt.order_by(EnterpriseWarning.id)).scalars():
        cause = WARNING_CAUSES.get(w.cause, w.cause)
        ref = f"warning:{w.id}"
        if w.status == "escalated" and w.escalated_on and w.escalated_on <= horizon:
            rung = WARNING_RUNGS.get(w.rung or "", "")
            out.append(
                DueItem(
                    w.escalated_on,
                    f"预警逾期未答复，待决定{('：' + rung) if rung else ''}（{cause}）",
                    link_of(ctx, w.id, staff=True),
                    "warning.escalated",
                    w.rule_id or None,
                    ref,
                )
            )
        elif w.status != "escalated" and w.answer_due <= horizon:
            out.append(
                DueItem(
                    w.answer_due,
                    f"答复预警：{cause}",
                    link_of(ctx, w.id, staff=enterprise_id is None),
                    "warning.answer",
                    w.rule_id or None,
                    ref,
                )
            )
    return sorted(out, key=lambda i: (i.due, i.object_ref))

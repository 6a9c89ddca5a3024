"""What correction orders make due, for the reminders queue (issue 15 item 2, issue 16 item 3).

* An order not yet closed is due on its deadline for each verified account of the enterprise
  (submit the plan, finish and report) and for the officer who made it (verify).

One query per side; the rule ids are the order's own (from the pack).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import CorrectionOrder, EnterpriseAccount
from tenant_app.models.rectification import OPEN_ORDER_STATUSES
from tenant_app.rectification.services import orders
from tenant_app.rectification.services.orders import link_of
from tenant_app.reminders.items import DueItem

CO = CorrectionOrder


def _first(rules: list[str] | None) -> str | None:
    return rules[0] if rules else None


def correction_deadlines(ctx: Context, *, user_id: int | None, horizon: date) -> list[DueItem]:
    """Open orders due by ``horizon`` (overdue ones included), for ``user_id`` or everyone."""
    base = (
        (CO.tenant_id == ctx.tenant_id)
        & CO.status.in_(OPEN_ORDER_STATUSES)
        & (CO.due_on <= horizon)
    )
    party = orders.party_sees(
        select(CO.id, CO.due_on, CO.rule_ids, CO.status, EnterpriseAccount.user_id)
        .join(
            EnterpriseAccount,
            (EnterpriseAccount.enterprise_id == CO.enterprise_id)
            & (EnterpriseAccount.tenant_id == CO.tenant_id),
        )
        .where(base, EnterpriseAccount.status == "verified")
    )
    if user_id is not None:
        party = party.where(EnterpriseAccount.user_id == user_id)
    out = [
        DueItem(
            due=due,
            title="提交整改方案并完成整改" if status == "issued" else "完成整改并报告进展",
            link=link_of(ctx, oid, staff=False),
            kind="rectification.party",
            rule_id=_first(rules),
            object_ref=f"correction_order:{oid}",
            assignee_id=uid,
        )
        for oid, due, rules, status, uid in db.session.execute(party.order_by(CO.id)).all()
    ]
    staff = select(CO.id, CO.due_on, CO.rule_ids, CO.issued_by).where(
        base, CO.issued_by.is_not(None)
    )
    if user_id is not None:
        staff = staff.where(CO.issued_by == user_id)
    for oid, due, rules, uid in db.session.execute(staff.order_by(CO.id)).all():
        out.append(
            DueItem(
                due=due,
                title=f"整改期限届满，核查整改情况（责令改正 #{oid}）",
                link=link_of(ctx, oid),
                kind="rectification.verify",
                rule_id=_first(rules),
                object_ref=f"correction_order:{oid}",
                assignee_id=uid,
            )
        )
    return sorted(out, key=lambda i: (i.due, i.object_ref, i.assignee_id or 0))

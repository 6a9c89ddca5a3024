"""Fine payment deadlines for the reminders queue (issue 15, 第六十七条 and 第六十六条): the next
unpaid instalment (or the statutory due date) of every served fine not yet paid nor sent to the
court nor under review or suit, one item per case officer. A case's schedule is read from its approved arrangement, so
the query is per fine; it reads at most ``LIMIT`` open fines per tenant (newest first)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tenant_app.context import Context
from tenant_app.enforcement.services import payments
from tenant_app.extensions import db
from tenant_app.models import Case
from tenant_app.policy.service import policy_for
from tenant_app.reminders.items import DueItem

LIMIT = 500


def payment_deadlines(ctx: Context, *, user_id: int | None, horizon: date) -> list[DueItem]:
    if ctx.tenant is None:
        return []
    rule_id = policy_for(ctx.tenant, ctx.today).case_rule("payment.period_days").rule_id or None
    slug = ctx.tenant.slug
    rows = db.session.execute(
        select(Case)
        .where(
            Case.tenant_id == ctx.tenant_id,
            Case.total_fine > 0,
            Case.served_on.is_not(None),
            Case.served_on >= date(ctx.today.year - 3, 1, 1),
        )
        .order_by(Case.id.desc())
        .limit(LIMIT)
    ).scalars()
    items: list[DueItem] = []
    for case in rows:
        s = payments.fine_state(ctx, case)
        if s.state in ("paid", "enforcement") or s.review_open:
            # under review or suit nothing is chased: the surcharge pauses too (NAT-APL-73.3)
            continue
        open_parts = [p for p in s.parts if p.paid_fen < p.amount_fen]
        if not open_parts or open_parts[0].due_on > horizon:
            continue
        ids: list[int | None] = [
            int(o["id"]) for o in case.officers or [] if o.get("id") is not None
        ] or [None]
        for officer in ids:
            if user_id is not None and officer != user_id:
                continue
            items.append(
                DueItem(
                    due=open_parts[0].due_on,
                    title=f"{case.decision_no or case.title}：第{open_parts[0].seq}期罚款",
                    link=f"/{slug}/enforcement/cases/{case.id}/payment",
                    kind="payment.due",
                    rule_id=rule_id,
                    object_ref=f"case:{case.id}",
                    assignee_id=officer,
                )
            )
    return items

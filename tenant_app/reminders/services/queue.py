"""The "due soon / overdue" queue (issue 16 item 3) over every source the features declared,
and the periodic reminder run.

An item is *due soon* from ``lead`` working days before its due date (the person's choice, else
the pack's ``Policy.reminder_lead``), *overdue* the day after it. The periodic run notifies each
assignee once per item per threshold (``reminders_sent``: unique per object, kind, due date,
threshold and person), however often it runs; a moved due date is a new item.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, tuple_

from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.calendar.years import work_calendar
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import ReminderSent
from tenant_app.notifications.services.notify import notify
from tenant_app.notifications.services.preferences import lead_days_by_user
from tenant_app.policy.service import NoPack, policy_for
from tenant_app.reminders.items import DueItem
from tenant_app.reminders.registry import sources
from tenant_app.reminders.services.overdue import names_of, record_overdue

# The furthest a queue looks ahead (working days) besides the lead: "upcoming" on the page.
LOOK_AHEAD_WORKDAYS = 20


@dataclass(frozen=True)
class QueueRow:
    item: DueItem
    overdue: bool
    due_soon: bool
    days_left: int  # calendar days; negative when overdue


def default_lead(ctx: Context) -> tuple[int, str]:
    """The pack's lead (working days) and its rule id; the platform default (3) for a tenant
    without a policy (the platform itself: it keeps no deadlines)."""
    if ctx.tenant is None:
        return 3, ""
    try:
        d = policy_for(ctx.tenant, ctx.today).reminder_lead()
    except NoPack:
        return 3, ""
    return int(d.answer), d.rule_id


def lead_for(ctx: Context, user_id: int | None) -> int:
    lead, _rule = default_lead(ctx)
    if user_id is None:
        return lead
    return lead_days_by_user(ctx, [user_id]).get(user_id, lead)


def _workdays_ahead(ctx: Context, n: int) -> date:
    answer = work_calendar().add_workdays(ctx.today, n)
    assert isinstance(answer.value, date)
    return answer.value


def collect(ctx: Context, *, user_id: int | None, horizon: date) -> list[DueItem]:
    items: list[DueItem] = []
    if ctx.tenant is None:
        return items
    try:
        policy_for(ctx.tenant, ctx.today)
    except NoPack:
        return items  # no policy, no deadline computed: nothing is due
    for source in sources():
        items.extend(source(ctx, user_id=user_id, horizon=horizon))
    return sorted(items, key=lambda i: (i.due, i.kind, i.object_ref))


def _rows(ctx: Context, items: Iterable[DueItem], soon_until: date) -> list[QueueRow]:
    today = ctx.today
    return [
        QueueRow(i, i.due < today, today <= i.due <= soon_until, (i.due - today).days)
        for i in items
    ]


def my_queue(ctx: Context) -> list[QueueRow]:
    """The acting person's items: overdue, due soon, and what comes next."""
    require_action(ctx, Perm.DASHBOARD_VIEW)
    if ctx.user_id is None:
        return []
    soon_until = _workdays_ahead(ctx, lead_for(ctx, ctx.user_id))
    horizon = _workdays_ahead(ctx, LOOK_AHEAD_WORKDAYS)
    items = collect(ctx, user_id=ctx.user_id, horizon=max(horizon, soon_until))
    return _rows(ctx, (i for i in items if i.assignee_id == ctx.user_id), soon_until)


def tenant_queue(ctx: Context) -> list[QueueRow]:
    """Every item of the tenant (tenant admins and oversight roles), unassigned ones included."""
    require_action(ctx, Perm.REMINDERS_ALL)
    soon_until = _workdays_ahead(ctx, lead_for(ctx, None))
    horizon = _workdays_ahead(ctx, LOOK_AHEAD_WORKDAYS)
    return _rows(ctx, collect(ctx, user_id=None, horizon=max(horizon, soon_until)), soon_until)


def assignee_names(rows: Iterable[QueueRow]) -> dict[int, str]:
    return names_of({r.item.assignee_id for r in rows if r.item.assignee_id is not None})


def send_reminders(ctx: Context) -> dict[str, int]:
    """The periodic run (one per tenant per day): notify each assignee of the items that reached
    a threshold since the last run, and keep the overdue ones for oversight (overdue.py).
    Idempotent: a second run the same day sends nothing."""
    today = ctx.today
    lead, _rule = default_lead(ctx)
    items = collect(ctx, user_id=None, horizon=_workdays_ahead(ctx, 30))
    overdue = record_overdue(ctx, items)
    assigned = [i for i in items if i.assignee_id is not None]
    leads = lead_days_by_user(ctx, {i.assignee_id for i in assigned if i.assignee_id})
    soon_until: dict[int, date] = {}
    due: list[tuple[DueItem, str]] = []
    for item in assigned:
        uid = int(item.assignee_id or 0)
        if uid not in soon_until:
            soon_until[uid] = _workdays_ahead(ctx, leads.get(uid, lead))
        if item.due < today:
            due.append((item, "overdue"))
        elif item.due <= soon_until[uid]:
            due.append((item, "soon"))
    if not due:
        return {"items": len(items), "sent": 0, "overdue": overdue}
    keys = [(i.object_ref, i.kind, i.due, t, int(i.assignee_id or 0)) for i, t in due]
    sent_before: set[tuple[str, str, date, str, int]] = set(
        db.session.execute(
            select(
                ReminderSent.object_ref,
                ReminderSent.kind,
                ReminderSent.due,
                ReminderSent.threshold,
                ReminderSent.user_id,
            ).where(
                ReminderSent.tenant_id == ctx.tenant_id,
                tuple_(ReminderSent.object_ref, ReminderSent.kind).in_(
                    list({(k[0], k[1]) for k in keys})
                ),
            )
        ).tuples()
    )
    sent = 0
    for (item, threshold), key in zip(due, keys, strict=True):
        if key in sent_before:
            continue
        sent_before.add(key)
        db.session.add(
            ReminderSent(
                object_ref=item.object_ref,
                kind=item.kind,
                due=item.due,
                threshold=threshold,
                user_id=item.assignee_id,
                rule_id=item.rule_id or "",
            )
        )
        prefix = "已逾期" if threshold == "overdue" else "即将到期"
        notify(
            ctx,
            kind="reminder_overdue" if threshold == "overdue" else "reminder_due",
            title=f"{prefix}：{item.title}（期限 {item.due.isoformat()}）",
            link=item.link,
            users=[int(item.assignee_id or 0)],
            payload={
                "due": item.due.isoformat(),
                "due_kind": item.kind,
                "object_ref": item.object_ref,
                "rule_id": item.rule_id,
                "threshold": threshold,
            },
        )
        sent += 1
    return {"items": len(items), "sent": sent, "overdue": overdue}

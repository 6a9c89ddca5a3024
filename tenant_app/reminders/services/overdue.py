"""The tenant's overdue deadlines kept for oversight (issue 16 item 3: "an overdue flag visible
to oversight"). The daily reminder run already collects every deadline of its tenant; it
replaces the tenant's ``overdue_items`` with the overdue ones in its transaction, so a province
reads its whole subtree in one statement instead of running each tenant's sources per page."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select

from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import OverdueItem, RollupRefresh, User
from tenant_app.reminders.items import DueItem

KIND = "overdue"  # RollupRefresh.kind: when the tenant's overdue items were last written


def names_of(ids: set[int]) -> dict[int, str]:
    """Display names of people by id (the queue's assignee column, the overdue rows)."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(User.id, User.display_name, User.username).where(User.id.in_(ids))
    ).all()
    return {uid: display or username for uid, display, username in rows}


def record_overdue(ctx: Context, items: Sequence[DueItem]) -> int:
    """Replace the tenant's overdue items with those of ``items`` due before today; returns
    how many. One person's several items on one deadline stay several rows (each owes it)."""
    overdue = [i for i in items if i.due < ctx.today]
    names = names_of({i.assignee_id for i in overdue if i.assignee_id is not None})
    db.session.execute(delete(OverdueItem))  # the scope guard limits it to the acting tenant
    if overdue:
        db.session.execute(
            insert(OverdueItem),
            [
                {
                    "tenant_id": ctx.tenant_id,
                    "kind": i.kind,
                    "object_ref": i.object_ref[:100],
                    "title": i.title[:300],
                    "link": i.link[:500],
                    "due": i.due,
                    "assignee": names.get(i.assignee_id or 0, "")[:100],
                    "rule_id": (i.rule_id or "")[:32],
                }
                for i in overdue
            ],
        )
    stamp = db.session.execute(
        select(RollupRefresh).where(RollupRefresh.kind == KIND)
    ).scalar_one_or_none()
    if stamp is None:
        stamp = RollupRefresh(tenant_id=ctx.tenant_id, kind=KIND)
        db.session.add(stamp)
    stamp.refreshed_at = ctx.at
    stamp.source_rows = len(items)
    stamp.rollup_rows = len(overdue)
    return len(overdue)

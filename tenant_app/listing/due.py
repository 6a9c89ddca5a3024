"""Positive-list deadlines for the reminders queue (issue 16 item 3): a batch's notice end,
publication and filing, an entry's removal. Assigned to whoever created the batch or entry;
the rule ids are the pack's procedure and removal rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import ListingBatch, ListingEntry
from tenant_app.policy.service import policy_for
from tenant_app.reminders.items import DueItem

# (kind, date column, batch states in which it is open, what is done when it is met)
_BATCH: tuple[tuple[str, Any, tuple[str, ...], Any], ...] = (
    ("listing.notice_end", ListingBatch.notice_end, ("notice",), None),
    (
        "listing.publication",
        ListingBatch.publication_due,
        ("draft", "notice"),
        ListingBatch.published_on,
    ),
    ("listing.filing", ListingBatch.filing_due, ("published",), ListingBatch.filed_on),
)


def listing_deadlines(ctx: Context, *, user_id: int | None, horizon: date) -> list[DueItem]:
    if ctx.tenant is None:
        return []
    slug = ctx.tenant.slug
    ids = policy_for(ctx.tenant, ctx.today).listing_rule_ids()
    items: list[DueItem] = []
    for kind, column, states, done in _BATCH:
        stmt = select(ListingBatch.id, ListingBatch.title, ListingBatch.created_by, column).where(
            ListingBatch.tenant_id == ctx.tenant_id,
            ListingBatch.state.in_(states),
            column.is_not(None),
            column <= horizon,
        )
        if done is not None:
            stmt = stmt.where(done.is_(None))
        if user_id is not None:
            stmt = stmt.where(ListingBatch.created_by == user_id)
        for batch_id, title, created_by, due in db.session.execute(stmt).all():
            if due is None:
                continue
            items.append(
                DueItem(
                    due=due,
                    title=title,
                    link=f"/{slug}/listing/batches/{batch_id}",
                    kind=kind,
                    rule_id=ids.procedure or None,
                    object_ref=f"listing_batch:{batch_id}",
                    assignee_id=created_by,
                )
            )
    stmt = select(ListingEntry.id, ListingEntry.created_by, ListingEntry.removal_due).where(
        ListingEntry.tenant_id == ctx.tenant_id,
        ListingEntry.removal_due.is_not(None),
        ListingEntry.removed_on.is_(None),
        ListingEntry.removal_due <= horizon,
    )
    if user_id is not None:
        stmt = stmt.where(ListingEntry.created_by == user_id)
    for entry_id, created_by, due in db.session.execute(stmt).all():
        if due is None:
            continue
        items.append(
            DueItem(
                due=due,
                title=f"正面清单企业移出（条目 #{entry_id}）",
                link=f"/{slug}/listing/entries/{entry_id}",
                kind="listing.removal",
                rule_id=ids.removal or None,
                object_ref=f"listing_entry:{entry_id}",
                assignee_id=created_by,
            )
        )
    return items

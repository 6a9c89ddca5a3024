"""The parent tenant's filing inbox (XJ-P: 报自治区生态环境厅备案).

A filing row lives in the CHILD tenant (it is the child's act). The parent's receiving staff read
it through ``tenancy.queries.descendants`` (PostgreSQL: the extra RLS read on listing_filings);
a sibling never does. Acknowledging writes the child's row, so it runs in the child's scope for
that one update, after checking the filing is addressed to the caller's tenant; both tenants'
audit chains record it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.core.errors import Conflict
from tenant_app.extensions import db
from tenant_app.listing.services.entries import MAX_ID, NotFound, _text
from tenant_app.models import Tenant
from tenant_app.models.listing import ListingFiling
from tenant_app.tenancy.queries import descendants
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope


def inbox(ctx: Context, pending_only: bool = False) -> list[ListingFiling]:
    require_action(ctx, Perm.FILINGS_RECEIVE)
    me = ctx.tenant_id
    stmt = (
        select(ListingFiling)
        .where(ListingFiling.parent_tenant_id == me)
        .order_by(ListingFiling.id.desc())
    )
    if pending_only:
        stmt = stmt.where(ListingFiling.acknowledged_at.is_(None))
    return list(db.session.execute(descendants(stmt)).scalars())


def get_filing(ctx: Context, filing_id: int) -> ListingFiling:
    me = ctx.tenant_id
    row = None
    if 0 < filing_id <= MAX_ID:
        row = db.session.execute(
            descendants(
                select(ListingFiling).where(
                    ListingFiling.id == filing_id, ListingFiling.parent_tenant_id == me
                )
            )
        ).scalar_one_or_none()
    if row is None:
        raise NotFound("没有该备案")
    return row


def tenant_name(ctx: Context, tenant_id: int) -> str:
    t = db.session.get(Tenant, tenant_id)
    return t.name if t else ""


def acknowledge(ctx: Context, filing: ListingFiling, data: dict[str, Any]) -> ListingFiling:
    require_action(ctx, Perm.FILINGS_RECEIVE)
    if filing.parent_tenant_id != ctx.tenant_id:
        raise NotFound("没有该备案")
    if filing.acknowledged_at is not None:
        raise Conflict("该备案已签收")
    note = _text(data.get("note"), "note", 500, "签收意见", required=False)
    child = db.session.get(Tenant, filing.tenant_id)
    assert child is not None
    # The same actor writes the child's row and the child's audit chain (audit.record takes the
    # tenant from the scope, the actor from the context).
    with use_scope(tenant_scope(child, ctx.actor.user_id)):
        filing.acknowledged_by_name, filing.acknowledged_at, filing.ack_note = (
            ctx.actor.name[:64],
            utcnow(),
            note,
        )
        audit.record(
            ctx,
            "listing.filing_acknowledged",
            object_type="listing_filing",
            object_id=filing.id,
            after={"by_tenant": ctx.tenant_id, "note": note},
        )
        db.session.flush()  # the child's row and audit entry, while the child's scope holds
    audit.record(
        ctx,
        "listing.filing_acknowledged",
        object_type="listing_filing",
        object_id=filing.id,
        after={"child_tenant": child.id, "note": note},
    )
    return filing

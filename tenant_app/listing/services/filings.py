"""The parent tenant's filing inbox (XJ-P: 报自治区生态环境厅备案).

A filing row lives in the CHILD tenant (it is the child's act). The parent's receiving staff read
it through ``tenancy/filings.py`` (PostgreSQL: the extra RLS read on listing_filings); a sibling
never does. Acknowledging writes the child's row in the child's scope, after checking the filing
is addressed to the caller's tenant; both tenants' audit chains record it.
"""

from __future__ import annotations

from typing import Any, cast

from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.core.errors import Conflict
from tenant_app.extensions import db
from tenant_app.listing.services.entries import NotFound, _text
from tenant_app.models.listing import ListingFiling
from tenant_app.tenancy import filings as child_filings


def inbox(ctx: Context, pending_only: bool = False) -> list[ListingFiling]:
    require_action(ctx, Perm.FILINGS_RECEIVE)
    stmt = child_filings.addressed_to(ctx, ListingFiling).order_by(ListingFiling.id.desc())
    if pending_only:
        stmt = stmt.where(ListingFiling.acknowledged_at.is_(None))
    return list(db.session.execute(stmt).scalars())


def get_filing(ctx: Context, filing_id: int) -> ListingFiling:
    row = child_filings.one_addressed_to(ctx, ListingFiling, filing_id)
    if row is None:
        raise NotFound("没有该备案")
    return cast(ListingFiling, row)


def acknowledge(ctx: Context, filing: ListingFiling, data: dict[str, Any]) -> ListingFiling:
    require_action(ctx, Perm.FILINGS_RECEIVE)
    if filing.parent_tenant_id != ctx.tenant_id:
        raise NotFound("没有该备案")
    if filing.acknowledged_at is not None:
        raise Conflict("该备案已签收")
    note = _text(data.get("note"), "note", 500, "签收意见", required=False)
    child_filings.record_acknowledgement(
        ctx, filing, "listing.filing_acknowledged", "listing_filing", note
    )
    return filing

"""A child tenant's filing (备案) with an ancestor: the row lives in the CHILD tenant (it is the
child's act); the ancestor's receiving staff read it through ``queries.descendants`` (PostgreSQL:
the extra RLS read each filing table's migration grants) and acknowledge it, which writes the
child's row in the child's scope and records the act in both tenants' audit chains.

Shared by the positive list's filings (XJ-P) and policy filings (SX-12): each feature keeps its
own checks and words; the reading and the writing across the tenant line happen here, once.
A filing model has ``tenant_id``, ``parent_tenant_id``, ``acknowledged_by_name``,
``acknowledged_at`` and ``ack_note``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from tenant_app.audit import log as audit
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import Tenant
from tenant_app.tenancy.queries import descendants
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope

MAX_ID = 2**63 - 1


def addressed_to(ctx: Context, model: Any) -> Select[Any]:
    """The filings of ``model`` addressed to the acting tenant by its descendants."""
    return descendants(select(model).where(model.parent_tenant_id == ctx.tenant_id))


def one_addressed_to(ctx: Context, model: Any, filing_id: int) -> Any | None:
    """One of them by id, or None (another tenant's filing names nothing)."""
    if not 0 < filing_id <= MAX_ID:
        return None
    stmt = addressed_to(ctx, model).where(model.id == filing_id)
    return db.session.execute(stmt).scalar_one_or_none()


def tenant_names(ids: set[int]) -> dict[int, str]:
    """The names of the filing tenants (or their addressees), by id."""
    if not ids:
        return {}
    return dict(db.session.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(ids))).all())


def record_acknowledgement(
    ctx: Context, filing: Any, action: str, object_type: str, note: str
) -> None:
    """Mark ``filing`` acknowledged by the acting person with ``note``: the child's row and the
    child's audit chain in the child's scope (audit.record takes the tenant from the scope, the
    actor from the context), then the acting tenant's own audit entry. The caller has checked
    that the filing is addressed to it and not yet acknowledged."""
    child = db.session.get(Tenant, filing.tenant_id)
    assert child is not None
    with use_scope(tenant_scope(child, ctx.actor.user_id)):
        filing.acknowledged_by_name = ctx.actor.name[:64]
        filing.acknowledged_at = utcnow()
        filing.ack_note = note
        audit.record(
            ctx,
            action,
            object_type=object_type,
            object_id=filing.id,
            after={"by_tenant": ctx.tenant_id, "note": note},
        )
        db.session.flush()  # the child's row and audit entry, while the child's scope holds
    audit.record(
        ctx,
        action,
        object_type=object_type,
        object_id=filing.id,
        after={"child_tenant": child.id, "note": note},
    )

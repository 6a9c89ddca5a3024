"""Helpers the warning services share: the acting tenant's policy, lookups inside the scope,
the enterprise's own warnings, and the link a notification points to."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from policies import Policy
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.inspections.services.common import get, tenant_of
from tenant_app.models import Enterprise, EnterpriseWarning
from tenant_app.policy.service import policy_for
from tenant_app.registry.services.enterprise_accounts import my_enterprise
from tenant_app.registry.services.enterprises import NotFound

__all__ = ["NotFound", "policy_of", "get_warning", "my_warning", "mine", "link_of"]


def policy_of(ctx: Context, on: date | None = None) -> Policy:
    return policy_for(tenant_of(ctx), on or ctx.today)


def get_warning(warning_id: Any) -> EnterpriseWarning:
    """Within the scope: another tenant's warning and a missing one are the same 404."""
    return get(EnterpriseWarning, warning_id, "该预警")


def mine(ctx: Context) -> Enterprise:
    require_action(ctx, Perm.OWN_WARNINGS)
    return my_enterprise(ctx)


def my_warning(ctx: Context, warning_id: Any) -> EnterpriseWarning:
    """The enterprise's own warning; another enterprise's and a missing one are the same 404."""
    e = mine(ctx)
    try:
        w = get_warning(warning_id)
    except NotFound:
        raise NotFound("没有找到该预警") from None
    if w.enterprise_id != e.id:
        raise NotFound("没有找到该预警")
    return w


def link_of(ctx: Context, warning_id: int, *, staff: bool = False) -> str:
    slug = tenant_of(ctx).slug
    side = "warnings" if staff else "enterprise/warnings"
    return f"/{slug}/{side}/{warning_id}/"


def escalations_before(enterprise_id: int) -> int:
    """How many of the enterprise's warnings escalated before (the ladder's position)."""
    return int(
        db.session.execute(
            select(func.count(EnterpriseWarning.id)).where(
                EnterpriseWarning.enterprise_id == enterprise_id,
                EnterpriseWarning.escalated_on.is_not(None),
            )
        ).scalar_one()
    )

"""Small helpers the inspection services share: lookups inside the scope, the officer pool,
the acting tenant and its policy, rule citations, dates.

Who acts, in which tenant and on which day comes from the ``Context`` each service is handed
(tenant_app/context.py), never from Flask's request state: a job, an operator command or the
demo calls a service exactly as a page does."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import or_, select

from policies import Policy
from tenant_app.accounts.users import officer_pool
from tenant_app.context import Context
from tenant_app.core.errors import ServiceError, ValidationFailed
from tenant_app.core.row_fields import FieldProblem, a_date
from tenant_app.extensions import db
from tenant_app.models import Enterprise, RoleGrant, Tenant, User
from tenant_app.policy.service import policy_for
from tenant_app.registry.services.enterprises import NotFound
from tenant_app.tenancy.queries import Page, keyset_page

T = TypeVar("T")
MAX_ID = 2**63 - 1

__all__ = [
    "NotFound",
    "ServiceError",
    "ValidationFailed",
    "get",
    "tenant_of",
    "policy_of",
    "cite",
    "rules_cited",
    "officer_pool",
    "officer_search",
    "counties",
    "parse_date",
    "parse_int",
]


def get(model: type[T], object_id: Any, what: str = "该记录") -> T:
    """Within the scope: another tenant's row and a missing one are the same 404."""
    try:
        oid = int(object_id)
    except (TypeError, ValueError):
        raise NotFound(f"没有找到{what}") from None
    obj = None
    if 0 < oid <= MAX_ID:
        obj = db.session.execute(select(model).where(model.id == oid)).scalar_one_or_none()  # type: ignore[attr-defined]
    if obj is None:
        raise NotFound(f"没有找到{what}")
    return obj


def tenant_of(ctx: Context) -> Tenant:
    """The tenant the context acts in; an inspection service has nothing to do without one."""
    if ctx.tenant is None:
        raise ServiceError("没有当前租户")
    return ctx.tenant


def policy_of(ctx: Context, on: date | None = None) -> Policy:
    """The acting tenant's policy in force on ``on`` (the day of the act by default)."""
    return policy_for(tenant_of(ctx), on or ctx.today)


def cite(rule_id: str, text: str) -> str:
    """``text`` under the rule that requires it (f"{rule_id}：…"), or bare when the tenant's pack
    has no such rule: the rule id always comes from the pack, never from the core."""
    return f"{rule_id}：{text}" if rule_id else text


def officer_search(
    ctx: Context, q: str | None = None, after: int | None = None, limit: int = 20
) -> Page:
    """The officer picker of the forms: the pool above, by part of the name or of the
    enforcement certificate number, keyset-paged on the account id with how many match. An
    empty query lists the pool page by page. A query longer than a name is a 422."""
    q = (q or "").strip()
    if len(q) > 64:
        raise ValidationFailed.field("q", "查询条件过长（不超过64个字）")
    stmt = select(User).where(
        User.id.in_(
            select(RoleGrant.user_id).where(
                RoleGrant.role == "officer", RoleGrant.tenant_id == ctx.tenant_id
            )
        ),
        User.active.is_(True),
    )
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                User.display_name.ilike(like, escape="\\"),
                User.certificate_no.ilike(like, escape="\\"),
            )
        )
    return keyset_page(stmt, User.id, after, limit, count=True)


def counties(ctx: Context) -> list[Tenant]:
    """The acting tenant's own subdivisions (a city's counties), by division code: what a
    campaign's or a draw's scope may be narrowed to, picked by name instead of typed ids."""
    return list(
        db.session.execute(
            select(Tenant).where(Tenant.parent_id == ctx.tenant_id).order_by(Tenant.division_code)
        ).scalars()
    )


def parse_date(raw: Any, field: str, required: bool = True) -> date | None:
    """One date path (row_fields.a_date): formats and the 1949–2100 range, a date object too."""
    try:
        return a_date(raw, required=required, label="日期")
    except FieldProblem as exc:
        raise ValidationFailed.field(field, str(exc)) from None


def parse_int(raw: Any, field: str, required: bool = True) -> int | None:
    if raw in (None, ""):
        if required:
            raise ValidationFailed.field(field, "必填")
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed.field(field, "应为整数") from None
    if not 0 < value <= MAX_ID:
        raise ValidationFailed.field(field, "超出范围")
    return value


def enterprise(enterprise_id: Any) -> Enterprise:
    return get(Enterprise, enterprise_id, "该企业")


def rules_cited(ctx: Context) -> dict[str, str]:
    """The rule ids the inspection pages cite in their headings, from the acting tenant's pack
    ("" where it has no such rule): the annual plan, special campaigns, listed enterprises."""
    p = policy_of(ctx)
    return {
        "plan": p.inspection_plan_defaults().rule_id,
        "campaign": p.special_campaign_rules().rule_id,
        "listed": p.listed_supervision().rule_id,
    }

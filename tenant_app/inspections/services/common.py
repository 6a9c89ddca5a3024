"""Small helpers the inspection services share: lookups inside the scope, the officer pool,
the current user's roles, dates."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import select

from tenant_app.core.errors import ServiceError, ValidationFailed
from tenant_app.core.row_fields import FieldProblem, a_date
from tenant_app.extensions import db
from tenant_app.models import Enterprise, RoleGrant, Tenant, User
from tenant_app.registry.services.enterprises import NotFound
from tenant_app.tenancy.scope import current_scope

T = TypeVar("T")
MAX_ID = 2**63 - 1

__all__ = [
    "NotFound",
    "ServiceError",
    "ValidationFailed",
    "get",
    "current_tenant",
    "officer_pool",
    "user_id",
    "user_name",
    "current_roles",
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


def current_tenant() -> Tenant:
    tid = current_scope().tenant_id
    tenant = db.session.get(Tenant, tid) if tid is not None else None
    if tenant is None:
        raise ServiceError("没有当前租户")
    return tenant


def officer_pool(ids: list[int] | None = None) -> list[User]:
    """Active users holding the officer role in the write tenant (ordered by id)."""
    stmt = (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(
            RoleGrant.role == "officer",
            RoleGrant.tenant_id == current_scope().tenant_id,
            User.active.is_(True),
        )
        .order_by(User.id)
    )
    if ids is not None:
        stmt = stmt.where(User.id.in_(ids))
    return list(db.session.execute(stmt).scalars().unique())


def user_id() -> int | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return int(current_user.id)
    return current_scope().user_id


def user_name() -> str:
    if has_request_context() and current_user and current_user.is_authenticated:
        return str(current_user.display_name)
    uid = current_scope().user_id
    user = db.session.get(User, uid) if uid else None
    return user.display_name if user else "system"


def current_roles() -> frozenset[str]:
    return current_scope().roles


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

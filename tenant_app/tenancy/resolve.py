"""Turn (tenant from the URL, signed-in user) into the Scope of the request."""

from __future__ import annotations

from sqlalchemy import select

from tenant_app.auth.roles import OVERSIGHT_ROLES, Role
from tenant_app.extensions import db
from tenant_app.models import RoleGrant, Tenant, User
from tenant_app.tenancy.scope import Scope, current_scope, use_scope


def tenant_by_slug(slug: str) -> Tenant | None:
    return db.session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()


def subtree_ids(tenant: Tenant) -> tuple[int, ...]:
    rows = db.session.execute(select(Tenant.id).where(Tenant.path.startswith(tenant.path)))
    return tuple(sorted(r[0] for r in rows))


def all_tenant_ids() -> tuple[int, ...]:
    return tuple(r[0] for r in db.session.execute(select(Tenant.id).order_by(Tenant.id)))


def roles_at(tenant: Tenant, user: User) -> frozenset[str]:
    """Roles granted at this tenant, plus oversight roles granted at one of its ancestors."""
    chain = (*tenant.ancestor_ids, tenant.id)
    with use_scope(Scope(read_ids=chain, user_id=user.id)):
        grants = db.session.execute(
            select(RoleGrant.tenant_id, RoleGrant.role).where(RoleGrant.user_id == user.id)
        ).all()
    roles = {role for tid, role in grants if tid == tenant.id}
    roles |= {role for tid, role in grants if tid != tenant.id and role in OVERSIGHT_ROLES}
    return frozenset(roles)


def scope_for(tenant: Tenant, user: User | None) -> Scope:
    if user is None or not user.is_authenticated:
        return Scope(
            tenant_id=tenant.id, read_ids=(tenant.id,), ancestor_ids=tuple(tenant.ancestor_ids)
        )
    roles = roles_at(tenant, user)
    oversees = any(Role(r) in OVERSIGHT_ROLES for r in roles)
    read_ids = subtree_ids(tenant) if oversees else (tenant.id,)
    return Scope(
        tenant_id=tenant.id,
        read_ids=read_ids,
        user_id=user.id,
        roles=roles,
        ancestor_ids=tuple(tenant.ancestor_ids),
    )


def system_scope(tenant_id: int | None = None) -> Scope:
    """For operator commands and the job relay: read every tenant, write one (or none)."""
    with use_scope(current_scope()):
        ids = all_tenant_ids()
    return Scope(tenant_id=tenant_id, read_ids=ids)


def tenant_scope(tenant: Tenant, user_id: int | None = None) -> Scope:
    """A job or command acting inside one tenant, as its own staff would."""
    return Scope(
        tenant_id=tenant.id,
        read_ids=(tenant.id,),
        user_id=user_id,
        ancestor_ids=tuple(tenant.ancestor_ids),
    )

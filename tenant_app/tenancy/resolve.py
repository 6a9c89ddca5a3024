"""Turn (tenant from the URL, signed-in user) into the Scope of the request.

A request's tenant, its subtree and the user's roles there are cached per process (issue 13
item 1), so a read does not look them up again on every request:

* roles are keyed by ``users.auth_version``, which the transaction changing a user's grants bumps
  (``_bump_auth_version`` below) and which the request reads with the user anyway (the token or
  session lookup): a revoked role is gone on the next request, in every process;
* tenants (slug → row) and subtrees live ``TENANT_TTL`` seconds, and are dropped at once in the
  process that writes a tenant. Tenants are never deleted and a slug never moves, so the only
  stale answer another process can give, for up to the TTL, is an oversight scope still missing
  a tenant created in the meantime (which has no data yet).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from tenant_app.auth.roles import OVERSIGHT_ROLES, Role
from tenant_app.extensions import db
from tenant_app.models import RoleGrant, Tenant, User
from tenant_app.models.attach import attached
from tenant_app.tenancy.scope import Scope, current_scope, use_scope

TENANT_TTL = 30.0
_ROLES_MAX = 50_000
_lock = threading.Lock()
_tenants: dict[str, tuple[float, dict[str, Any]]] = {}  # slug → (loaded at, column values)
_subtrees: dict[int, tuple[float, tuple[int, ...]]] = {}
_roles: dict[tuple[int, int, int], frozenset[str]] = {}  # (tenant, user, auth_version) → roles


def clear_caches() -> None:
    with _lock:
        _tenants.clear()
        _subtrees.clear()
        _roles.clear()


def tenant_by_slug(slug: str) -> Tenant | None:
    return db.session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()


def request_tenant(slug: str) -> Tenant | None:
    """The tenant of a request's URL, from the per-process cache while fresh, attached to the
    request's session without a query. Its ``publication_version`` may be stale: the public
    pages read that from the database (ui/public_cache.py)."""
    hit = _tenants.get(slug)
    if hit is not None and time.monotonic() - hit[0] < TENANT_TTL:
        return attached(Tenant, hit[1])
    t = tenant_by_slug(slug)
    if t is not None:
        values = {c.key: getattr(t, c.key) for c in Tenant.__table__.columns}
        with _lock:
            _tenants[slug] = (time.monotonic(), values)
    return t


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


def _cached_subtree(tenant: Tenant) -> tuple[int, ...]:
    hit = _subtrees.get(tenant.id)
    if hit is not None and time.monotonic() - hit[0] < TENANT_TTL:
        return hit[1]
    ids = subtree_ids(tenant)
    with _lock:
        _subtrees[tenant.id] = (time.monotonic(), ids)
    return ids


def _cached_roles(tenant: Tenant, user: User) -> frozenset[str]:
    key = (tenant.id, user.id, user.auth_version or 0)
    roles = _roles.get(key)
    if roles is None:
        roles = roles_at(tenant, user)
        with _lock:
            if len(_roles) >= _ROLES_MAX:
                _roles.clear()
            _roles[key] = roles
    return roles


def _user_scope(tenant: Tenant, user_id: int, roles: frozenset[str]) -> Scope:
    oversees = any(Role(r) in OVERSIGHT_ROLES for r in roles)
    read_ids = _cached_subtree(tenant) if oversees else (tenant.id,)
    return Scope(
        tenant_id=tenant.id,
        read_ids=read_ids,
        user_id=user_id,
        roles=roles,
        ancestor_ids=tuple(tenant.ancestor_ids),
    )


def known_scope(tenant: Tenant, user_id: int, auth_version: int) -> Scope | None:
    """The scope ``scope_for`` would give this user here, from the caches alone (None when the
    roles are not cached): what a request with a token seen before most likely has."""
    roles = _roles.get((tenant.id, user_id, auth_version))
    if roles is None:
        return None
    return _user_scope(tenant, user_id, roles)


def scope_for(tenant: Tenant, user: User | None) -> Scope:
    if user is None or not user.is_authenticated:
        return Scope(
            tenant_id=tenant.id, read_ids=(tenant.id,), ancestor_ids=tuple(tenant.ancestor_ids)
        )
    return _user_scope(tenant, user.id, _cached_roles(tenant, user))


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


@event.listens_for(Session, "after_flush")
def _bump_auth_version(session: Session, flush_context: Any) -> None:
    """A flush that writes a role grant bumps its user's ``auth_version`` in the same
    transaction, so every process's cached roles for that user are stale once it commits; one
    that writes a tenant drops this process's tenant caches."""
    changed = [*session.new, *session.dirty, *session.deleted]
    user_ids = {o.user_id for o in changed if isinstance(o, RoleGrant)}
    if user_ids:
        session.connection().execute(
            update(User)
            .where(User.id.in_(sorted(user_ids)))
            .values(auth_version=User.auth_version + 1)
        )
    if any(isinstance(o, Tenant) for o in changed):
        clear_caches()

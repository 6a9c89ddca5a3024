"""The context of a web request (pages and API alike), built once per request from the tenant
in the URL, the signed-in user (session or token) and the client's address."""

from __future__ import annotations

from typing import Any

from flask import abort, g, has_request_context, request
from flask_login import current_user

from tenant_app.context import ANONYMOUS, SYSTEM, Actor, Context, actor_of
from tenant_app.tenancy.resolve import request_tenant, scope_for
from tenant_app.tenancy.scope import Scope, current_scope, set_request_scope


def bind_tenant(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Pages and API under /<tenant>/: the tenant in the URL and the signed-in user become the
    request's scope, once, before the view runs (a missing tenant is a 404)."""
    slug = (values or {}).pop("tenant", None)
    tenant = request_tenant(slug) if slug else None
    if tenant is None:
        abort(404)
    g.tenant = tenant
    user = current_user if current_user.is_authenticated else None
    set_request_scope(scope_for(tenant, user))


def request_context() -> Context:
    """Pages and API resources call this and pass the value on to services.

    Rebuilt when the scope changed within the request (a login sets a new one)."""
    scope = current_scope()
    cached: Context | None = g.get("acting_context")
    if cached is not None and cached.scope is scope:
        return cached
    ctx = Context(
        tenant=g.get("tenant"),
        scope=scope,
        actor=actor_of(current_user) if has_request_context() else ANONYMOUS,
        address=(request.remote_addr or "") if has_request_context() else "",
    )
    g.acting_context = ctx
    return ctx


def scope_context(scope: Scope | None = None, *, address: str = "") -> Context:
    """The context of a job, an operator command, the demo or a test that entered a scope with
    ``use_scope``: the scope's user acts (the system when it has none)."""
    from tenant_app.extensions import db
    from tenant_app.models import Tenant, User

    scope = scope or current_scope()
    tenant = db.session.get(Tenant, scope.tenant_id) if scope.tenant_id is not None else None
    user = db.session.get(User, scope.user_id) if scope.user_id is not None else None
    actor = Actor(user.id, user.username, user.display_name or "") if user is not None else SYSTEM
    # Inside a request (a test driving a service through one) the roles are checked as for a
    # page; a job, a command or the demo acts on behalf of a request checked before.
    return Context(
        tenant=tenant,
        scope=scope,
        actor=actor,
        address=address,
        checks_roles=has_request_context(),
    )

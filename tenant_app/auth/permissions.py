"""Authorisation, checked in one place: ``require(perm)`` for services, ``@permission`` for views.

Every route declares what it needs (or that it is public); tests/test_routes_declared.py fails
when a route declares nothing. A refusal is written to the audit log before the 403 goes out.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from tenant_app.auth.roles import Perm, permissions_for
from tenant_app.context import Context
from tenant_app.tenancy.scope import current_scope

F = TypeVar("F", bound=Callable[..., Any])
PUBLIC = "public"
AUTHENTICATED = "authenticated"


def can(perm: Perm) -> bool:
    return perm in permissions_for(current_scope().roles)


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _unauthenticated() -> NoReturn:
    if _is_api():
        abort(401)
    tenant = getattr(g, "tenant", None)
    target = (
        url_for("web.auth.login", tenant=tenant.slug, next=request.full_path) if tenant else "/"
    )
    abort(redirect(target))


def deny(perm: str, ctx: Context | None = None) -> NoReturn:
    from tenant_app.audit import log as audit
    from tenant_app.tenancy.acting import request_context

    if current_scope().tenant_id is not None:
        audit.record_now(
            ctx or request_context(),
            "authz.denied",
            object_type="permission",
            object_id=perm,
            after={"path": request.path, "method": request.method},
        )
    current_app.logger.info("refused %s to %s on %s", perm, current_user, request.path)
    abort(403)


def require(perm: Perm) -> None:
    if not current_user.is_authenticated:
        _unauthenticated()
    if not can(perm):
        deny(perm)


def require_action(ctx: Context, perm: Perm, /) -> None:
    """A service action's own check, against the roles of the context the service was handed.
    Enforced for a web request's context (``ctx.checks_roles``); operator commands and jobs run
    as the operator or on behalf of the user who asked for the job, whose request was checked
    already."""
    if not ctx.checks_roles:
        return
    if not ctx.actor.is_person:
        _unauthenticated()
    if perm not in permissions_for(ctx.roles):
        deny(perm, ctx)


def permission(perm: Perm | str) -> Callable[[F], F]:
    """Declare and enforce what a view needs: a Perm, AUTHENTICATED, or PUBLIC."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if perm == AUTHENTICATED:
                if not current_user.is_authenticated:
                    _unauthenticated()
            elif perm != PUBLIC:
                require(Perm(perm))
            return view(*args, **kwargs)

        wrapper.required_permission = str(perm)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate

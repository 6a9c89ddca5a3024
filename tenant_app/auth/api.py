"""API authentication: bearer tokens only. Cookies are ignored here, so the API needs no CSRF."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_login import AnonymousUserMixin

from tenant_app.auth.tokens import needs_use_recorded, token_for
from tenant_app.extensions import db
from tenant_app.tenancy.acting import bind_tenant


def authenticate_bearer() -> None:
    header = request.headers.get("Authorization", "")
    token = None
    if header[:7].lower() == "bearer ":
        token = token_for(header[7:].strip())
        if token is not None and needs_use_recorded(token):
            # at most every few minutes a token (tokens.LAST_USED_EVERY), in its own short
            # transaction before the request's: a read writes nothing otherwise
            db.session.commit()
    g.api_token = token  # the token of this request: what it mints may not outlive it
    g._login_user = token.user if token is not None else AnonymousUserMixin()


def bind_api_tenant(endpoint: str | None, values: dict[str, Any] | None) -> None:
    authenticate_bearer()
    bind_tenant(endpoint, values)

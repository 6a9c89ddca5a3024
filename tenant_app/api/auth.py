"""API authentication: bearer tokens only. Cookies are ignored here, so the API needs no CSRF."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_login import AnonymousUserMixin

from ..auth.tokens import user_for_token
from ..extensions import db
from ..web.tenant_pages import bind_tenant


def authenticate_bearer() -> None:
    header = request.headers.get("Authorization", "")
    user = None
    if header[:7].lower() == "bearer ":
        user = user_for_token(header[7:].strip())
        if user is not None:
            db.session.commit()  # last_used_at
    g._login_user = user if user is not None else AnonymousUserMixin()


def bind_api_tenant(endpoint: str | None, values: dict[str, Any] | None) -> None:
    authenticate_bearer()
    bind_tenant(endpoint, values)

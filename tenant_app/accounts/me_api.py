"""The token's own user: password, page sessions and API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import g
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from tenant_app import clock
from tenant_app.accounts import users
from tenant_app.api.schemas import (
    MeSchema,
    PasswordChangeSchema,
    SessionSchema,
    TokenCreateSchema,
    TokenSchema,
)
from tenant_app.auth import sessions
from tenant_app.auth.api import authenticate_bearer
from tenant_app.auth.permissions import AUTHENTICATED, permission
from tenant_app.extensions import db
from tenant_app.models import ApiToken, Tenant, UserSession
from tenant_app.tenancy.acting import request_context
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import set_request_scope

blp = Blueprint("api_me", __name__, url_prefix="/api/v1/me", description="当前用户与 API 令牌")
blp.before_request(authenticate_bearer)


def _home_scope() -> Tenant:
    home = db.session.get(Tenant, current_user.home_tenant_id)
    assert home is not None
    set_request_scope(tenant_scope(home, current_user.id))
    return home


def dump_token(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "prefix": t.prefix,
        "created_at": t.created_at,
        "last_used_at": t.last_used_at,
        "expires_at": t.expires_at,
        "parent_id": t.parent_id,
    }


def dump_session(s: UserSession) -> dict[str, Any]:
    return {
        "id": s.id,
        "tenant": s.login_tenant.slug,
        "address": s.address,
        "user_agent": s.user_agent,
        "created_at": s.created_at,
        "last_seen_at": s.last_seen_at,
    }


@blp.route("")
class Me(MethodView):
    @permission(AUTHENTICATED)
    @blp.response(200, MeSchema)
    def get(self) -> dict[str, Any]:
        home = _home_scope()
        return {
            "id": current_user.id,
            "username": current_user.username,
            "display_name": current_user.display_name,
            "home_tenant": home.slug,
        }


@blp.route("/password")
class Password(MethodView):
    @permission(AUTHENTICATED)
    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    def post(self, data: dict[str, Any]) -> None:
        """Change the password: every page session of the account ends."""
        _home_scope()
        users.change_password(
            request_context(), current_user, data["current_password"], data["new_password"]
        )
        db.session.commit()


@blp.route("/sessions")
class Sessions(MethodView):
    @permission(AUTHENTICATED)
    @blp.response(200, SessionSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """The account's live page sessions."""
        _home_scope()
        return [dump_session(s) for s in sessions.active_sessions(current_user.id)]


@blp.route("/sessions/<int:session_id>")
class SessionItem(MethodView):
    @permission(AUTHENTICATED)
    @blp.response(204)
    def delete(self, session_id: int) -> None:
        _home_scope()
        users.end_own_session(request_context(), current_user, session_id)
        db.session.commit()


@blp.route("/tokens")
class Tokens(MethodView):
    @permission(AUTHENTICATED)
    @blp.response(200, TokenSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """The account's live API tokens (not revoked, not expired)."""
        _home_scope()
        return [dump_token(t) for t in sessions.active_tokens(current_user.id)]

    @permission(AUTHENTICATED)
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Mint a token with this token: it expires no later than this one and is revoked
        with it."""
        _home_scope()
        days = data.get("expires_in_days")
        expires = clock.utcnow() + timedelta(days=days) if days else None
        token, raw = users.create_token(
            request_context(),
            current_user,
            data.get("name", ""),
            parent=g.get("api_token"),
            expires_at=expires,
        )
        db.session.commit()
        return {**dump_token(token), "token": raw}


@blp.route("/tokens/<int:token_id>")
class TokenItem(MethodView):
    @permission(AUTHENTICATED)
    @blp.response(204)
    def delete(self, token_id: int) -> None:
        """Revoke a token, and every token minted from it."""
        _home_scope()
        users.revoke_own_token(request_context(), current_user, token_id)
        db.session.commit()

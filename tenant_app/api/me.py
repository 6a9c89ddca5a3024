"""The token's own user, and its API tokens."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from ..auth.permissions import AUTHENTICATED, permission
from ..auth.tokens import revoke
from ..extensions import db
from ..models import ApiToken, Tenant
from ..services import audit, users
from ..tenancy.resolve import tenant_scope
from ..tenancy.scope import set_request_scope
from .auth import authenticate_bearer
from .schemas import MeSchema, TokenCreateSchema, TokenSchema

blp = Blueprint("api_me", __name__, url_prefix="/api/v1/me", description="当前用户与 API 令牌")
blp.before_request(authenticate_bearer)


def _home_scope() -> Tenant:
    home = db.session.get(Tenant, current_user.home_tenant_id)
    assert home is not None
    set_request_scope(tenant_scope(home, current_user.id))
    return home


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


@blp.route("/tokens")
class Tokens(MethodView):
    @permission(AUTHENTICATED)
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        _home_scope()
        token, raw = users.create_token(current_user, data.get("name", ""))
        db.session.commit()
        return {"id": token.id, "name": token.name, "prefix": token.prefix, "token": raw}


@blp.route("/tokens/<int:token_id>")
class TokenItem(MethodView):
    @permission(AUTHENTICATED)
    @blp.response(204)
    def delete(self, token_id: int) -> None:
        _home_scope()
        token = db.session.execute(
            select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == current_user.id)
        ).scalar_one_or_none()
        if token is None:
            abort(404)
        revoke(token)
        audit.record(
            "token.revoked",
            object_type="api_token",
            object_id=token.id,
            after={"prefix": token.prefix},
        )
        db.session.commit()

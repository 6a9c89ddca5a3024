"""Members of a tenant: list, create, grant and revoke roles."""

from __future__ import annotations

from typing import Any

from flask import abort, g
from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth.permissions import permission
from ..auth.roles import Perm
from ..extensions import db
from ..services import users as user_service
from .auth import bind_api_tenant
from .schemas import GrantSchema, UserCreateSchema, UserSchema

blp = Blueprint(
    "api_users",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/users",
    description="本租户的用户与角色",
)
blp.url_value_preprocessor(bind_api_tenant)


def _dump(user: Any, roles: list[str]) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "certificate_no": user.certificate_no,
        "active": user.active,
        "roles": roles,
    }


@blp.route("")
class UserList(MethodView):
    @permission(Perm.USERS_VIEW)
    @blp.response(200, UserSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        return [_dump(u, roles) for u, roles in user_service.members(g.tenant)]

    @permission(Perm.USERS_MANAGE)
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        user = user_service.create_user(tenant=g.tenant, **data)
        db.session.commit()
        return _dump(user, list(data["roles"]))


@blp.route("/grants")
class UserGrants(MethodView):
    @permission(Perm.USERS_MANAGE)
    @blp.arguments(GrantSchema)
    @blp.response(201, UserSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Grant a role here to an existing account, named by its username (it may be another
        tenant's user: that is how one person acts in two bureaus)."""
        user = user_service.user_by_username(data["username"])
        if user is None:
            abort(404)
        user_service.grant_role(tenant=g.tenant, user=user, role=data["role"])
        db.session.commit()
        roles = next((r for u, r in user_service.members(g.tenant) if u.id == user.id), [])
        return _dump(user, roles)


@blp.route("/<int:user_id>/roles/<string:role>")
class UserRoleItem(MethodView):
    @permission(Perm.USERS_MANAGE)
    @blp.response(204)
    def delete(self, user_id: int, role: str) -> None:
        user = user_service.member_or_none(g.tenant, user_id)
        if user is None:
            abort(404)
        user_service.revoke_role(tenant=g.tenant, user=user, role=role)
        db.session.commit()

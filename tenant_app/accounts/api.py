"""Members of a tenant: list, create, grant and revoke roles, (de)activate, and cross-tenant
role proposals (docs/security.md: accounts are isolated like data)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import abort, g, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.accounts import users as user_service
from tenant_app.api.schemas import (
    ActiveSchema,
    GrantSchema,
    ProposalDecisionSchema,
    ProposalSchema,
    UserCreateSchema,
    UserSchema,
)
from tenant_app.auth.api import bind_api_tenant
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.extensions import db
from tenant_app.models import RoleProposal
from tenant_app.tenancy.acting import request_context

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


def dump_proposal(p: RoleProposal) -> dict[str, Any]:
    return {
        "id": p.id,
        "tenant": p.tenant.slug,
        "username": p.username,
        "role": p.role,
        "status": p.status,
        "reason": p.reason,
        "created_at": p.created_at,
        "decided_at": p.decided_at,
    }


def _found_first(view: Any) -> Any:
    """Look the URL's member or received proposal up before the body is parsed: a missing or
    foreign one is a 404 whatever the body holds (never a 422 about it)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if "user_id" in kwargs and user_service.member_or_none(g.tenant, kwargs["user_id"]) is None:
            abort(404)
        if "proposal_id" in kwargs:
            user_service.received_proposal(g.tenant, kwargs["proposal_id"])
        return view(*args, **kwargs)

    return wrapper


def _roles_here(user_id: int) -> list[str]:
    return next((r for u, r in user_service.members(g.tenant) if u.id == user_id), [])


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
        user = user_service.create_user(request_context(), tenant=g.tenant, **data)
        db.session.commit()
        return _dump(user, list(data["roles"]))


@blp.route("/grants")
class UserGrants(MethodView):
    @permission(Perm.USERS_MANAGE)
    @blp.arguments(GrantSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(
        202,
        schema=ProposalSchema,
        description="该账号不由本单位管理（或不存在）：已记录授权提议，待其所属单位确认",
    )
    def post(self, data: dict[str, Any]) -> Any:
        """Grant a role here to an account this tenant manages (its home is this tenant or a
        descendant; the superadmin: any account). For any other username a proposal is
        recorded for the account's home tenant to decide, and the answer (202) is the same
        whether the username exists or not."""
        result = user_service.grant_or_propose(
            request_context(), tenant=g.tenant, username=data["username"], role=data["role"]
        )
        db.session.commit()
        if isinstance(result, RoleProposal):
            resp = jsonify(ProposalSchema().dump(dump_proposal(result)))
            resp.status_code = 202
            return resp
        return _dump(result.user, _roles_here(result.user_id))


@blp.route("/<int:user_id>")
class UserItem(MethodView):
    @permission(Perm.USERS_MANAGE)
    @_found_first
    @blp.arguments(ActiveSchema)
    @blp.response(200, UserSchema)
    def patch(self, data: dict[str, Any], user_id: int) -> dict[str, Any]:
        """Deactivate or re-activate a member. Refused (403, with the reason) for an account
        whose home is not this tenant or a descendant, or that holds roles elsewhere."""
        user = user_service.member_or_none(g.tenant, user_id)
        if user is None:
            abort(404)
        user_service.set_active(request_context(), user, data["active"], tenant=g.tenant)
        db.session.commit()
        return _dump(user, _roles_here(user.id))


@blp.route("/<int:user_id>/roles/<string:role>")
class UserRoleItem(MethodView):
    @permission(Perm.USERS_MANAGE)
    @blp.response(204)
    def delete(self, user_id: int, role: str) -> None:
        user = user_service.member_or_none(g.tenant, user_id)
        if user is None:
            abort(404)
        user_service.revoke_role(request_context(), tenant=g.tenant, user=user, role=role)
        db.session.commit()


@blp.route("/proposals")
class Proposals(MethodView):
    @permission(Perm.USERS_MANAGE)
    @blp.response(200, ProposalSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Proposals this tenant made (every state)."""
        return [dump_proposal(p) for p in user_service.proposals_made(g.tenant)]


@blp.route("/proposals/<int:proposal_id>")
class ProposalItem(MethodView):
    @permission(Perm.USERS_MANAGE)
    @blp.response(204)
    def delete(self, proposal_id: int) -> None:
        """Withdraw a pending proposal this tenant made."""
        user_service.withdraw_proposal(request_context(), tenant=g.tenant, proposal_id=proposal_id)
        db.session.commit()


@blp.route("/proposals/received")
class ProposalsReceived(MethodView):
    @permission(Perm.USERS_MANAGE)
    @blp.response(200, ProposalSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Pending proposals for accounts whose home is this tenant."""
        return [dump_proposal(p) for p in user_service.proposals_received(g.tenant)]


@blp.route("/proposals/received/<int:proposal_id>")
class ProposalDecision(MethodView):
    @permission(Perm.USERS_MANAGE)
    @_found_first
    @blp.arguments(ProposalDecisionSchema)
    @blp.response(200, ProposalSchema)
    def post(self, data: dict[str, Any], proposal_id: int) -> dict[str, Any]:
        """Accept (the role is granted in the proposing tenant) or decline."""
        proposal = user_service.decide_proposal(
            request_context(),
            tenant=g.tenant,
            proposal_id=proposal_id,
            accept=data["accept"],
            reason=data["reason"],
        )
        db.session.commit()
        return dump_proposal(proposal)

"""User management for tenant admins: members, new accounts, role grants."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from tenant_app.accounts import users as user_service
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm, permissions_for
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.models import RoleProposal
from tenant_app.tenancy.acting import request_context
from tenant_app.tenancy.scope import current_scope
from tenant_app.ui.actions import confirmed_action
from tenant_app.ui.forms import ConfirmForm, DecisionForm, GrantForm, UserForm, apply_errors

bp = Blueprint("users", __name__, template_folder="templates", url_prefix="/admin/users")


def _role_choices() -> list[tuple[str, str]]:
    return [(value, _(label)) for value, label in user_service.role_choices(g.tenant)]


@bp.get("/")
@permission(Perm.USERS_VIEW)
def index(grant_form: GrantForm | None = None) -> str:
    """The members and proposals; ``grant_form``: a refused grant, drawn again as typed."""
    if grant_form is None:
        grant_form = GrantForm()
        grant_form.role.choices = _role_choices()
    manage = "users.manage" in {str(p) for p in permissions_for(current_scope().roles)}
    return render_template(
        "users/index.html",
        members=user_service.members(g.tenant),
        grant_form=grant_form,
        confirm=ConfirmForm(),
        decision=DecisionForm(),
        proposals_made=user_service.proposals_made(g.tenant) if manage else [],
        proposals_received=user_service.proposals_received(g.tenant) if manage else [],
    )


@bp.route("/new", methods=["GET", "POST"])
@permission(Perm.USERS_MANAGE)
def new() -> Any:
    form = UserForm()
    form.roles.choices = _role_choices()
    if form.validate_on_submit():
        try:
            user = user_service.create_user(
                request_context(),
                tenant=g.tenant,
                username=form.username.data or "",
                display_name=form.display_name.data or "",
                password=form.password.data or "",
                roles=form.roles.data or [],
                certificate_no=form.certificate_no.data,
                enterprise_uscc=form.enterprise_uscc.data,
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("已创建用户 %(name)s", name=user.username), "success")
            return redirect(url_for(".index"))
    return render_template("users/new.html", form=form), 200 if not form.errors else 422


@bp.post("/grant")
@permission(Perm.USERS_MANAGE)
def grant() -> Any:
    form = GrantForm()
    form.role.choices = _role_choices()
    if not form.validate_on_submit():  # the name and role typed stay, the reason by its field
        return index(form), 422
    username = (form.username.data or "").strip()
    try:
        result = user_service.grant_or_propose(
            request_context(), tenant=g.tenant, username=username, role=form.role.data or ""
        )
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        apply_errors(form, exc)
        flash(exc.message, "danger")
        return index(form), exc.status
    if isinstance(result, RoleProposal):
        flash(
            _(
                "已记录向 %(name)s 授予角色的提议：如该账号存在且不属于本单位管理，"
                "将由其所属单位确认后生效",
                name=username,
            ),
            "info",
        )
    else:
        flash(_("已向 %(name)s 授予角色", name=username), "success")
    return redirect(url_for(".index"))


def _error_text(exc: ServiceError) -> str:
    reasons = sum(exc.errors.values(), [])
    return exc.message + ("：" + "；".join(reasons) if reasons else "")


@bp.post("/proposals/<int:proposal_id>/withdraw")
@permission(Perm.USERS_MANAGE)
def withdraw(proposal_id: int) -> Any:
    confirmed_action(
        lambda: user_service.withdraw_proposal(
            request_context(), tenant=g.tenant, proposal_id=proposal_id
        ),
        _("已撤回授权提议"),
    )
    return redirect(url_for(".index"))


@bp.post("/proposals/received/<int:proposal_id>")
@permission(Perm.USERS_MANAGE)
def decide(proposal_id: int) -> Any:
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        user_service.received_proposal(g.tenant, proposal_id)
    except user_service.NotFound:
        abort(404)
    except ServiceError as exc:
        flash(exc.message, "danger")
        return redirect(url_for(".index"))
    accept = bool(form.accept.data)
    try:
        user_service.decide_proposal(
            request_context(),
            tenant=g.tenant,
            proposal_id=proposal_id,
            accept=accept,
            reason=form.reason.data or "",
        )
        db.session.commit()
        flash(_("已同意授权提议") if accept else _("已拒绝授权提议"), "success")
    except ServiceError as exc:
        db.session.rollback()
        flash(_error_text(exc), "danger")
    return redirect(url_for(".index"))


@bp.post("/<int:user_id>/revoke/<role>")
@permission(Perm.USERS_MANAGE)
def revoke(user_id: int, role: str) -> Any:
    user = user_service.member_or_none(g.tenant, user_id) or abort(404)
    confirmed_action(
        lambda: user_service.revoke_role(request_context(), tenant=g.tenant, user=user, role=role),
        _("已撤销角色"),
    )
    return redirect(url_for(".index"))


@bp.post("/<int:user_id>/active/<int:state>")
@permission(Perm.USERS_MANAGE)
def set_active(user_id: int, state: int) -> Any:
    user = user_service.member_or_none(g.tenant, user_id) or abort(404)
    confirmed_action(
        lambda: user_service.set_active(request_context(), user, bool(state), tenant=g.tenant)
    )
    return redirect(url_for(".index"))

"""User management for tenant admins: members, new accounts, role grants."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from ..auth.permissions import permission
from ..auth.roles import Perm
from ..extensions import db
from ..services import users as user_service
from ..services.errors import ServiceError
from .forms import ConfirmForm, GrantForm, UserForm

bp = Blueprint("users", __name__, url_prefix="/admin/users")


def _apply_errors(form: Any, exc: ServiceError) -> None:
    placed = False
    for name, reasons in exc.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + list(reasons)
            placed = True
    if not placed:
        form.form_errors.append(exc.message)


def _role_choices() -> list[tuple[str, str]]:
    return [(value, _(label)) for value, label in user_service.role_choices(g.tenant)]


@bp.get("/")
@permission(Perm.USERS_VIEW)
def index() -> str:
    grant_form = GrantForm()
    grant_form.role.choices = _role_choices()
    return render_template(
        "users/index.html",
        members=user_service.members(g.tenant),
        grant_form=grant_form,
        confirm=ConfirmForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@permission(Perm.USERS_MANAGE)
def new() -> Any:
    form = UserForm()
    form.roles.choices = _role_choices()
    if form.validate_on_submit():
        try:
            user = user_service.create_user(
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
            _apply_errors(form, exc)
        else:
            flash(_("已创建用户 %(name)s", name=user.username), "success")
            return redirect(url_for(".index"))
    return render_template("users/new.html", form=form), 200 if not form.errors else 422


@bp.post("/grant")
@permission(Perm.USERS_MANAGE)
def grant() -> Any:
    form = GrantForm()
    form.role.choices = _role_choices()
    if form.validate_on_submit():
        user = user_service.user_by_username((form.username.data or "").strip())
        if user is None:
            flash(_("没有这个用户名"), "danger")
        else:
            try:
                user_service.grant_role(tenant=g.tenant, user=user, role=form.role.data or "")
                db.session.commit()
                flash(_("已向 %(name)s 授予角色", name=user.username), "success")
            except ServiceError as exc:
                db.session.rollback()
                flash(exc.message + "：" + "；".join(sum(exc.errors.values(), [])), "danger")
    return redirect(url_for(".index"))


@bp.post("/<int:user_id>/revoke/<role>")
@permission(Perm.USERS_MANAGE)
def revoke(user_id: int, role: str) -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = user_service.member_or_none(g.tenant, user_id) or abort(404)
    try:
        user_service.revoke_role(tenant=g.tenant, user=user, role=role)
        db.session.commit()
        flash(_("已撤销角色"), "success")
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    return redirect(url_for(".index"))


@bp.post("/<int:user_id>/active/<int:state>")
@permission(Perm.USERS_MANAGE)
def set_active(user_id: int, state: int) -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = user_service.member_or_none(g.tenant, user_id) or abort(404)
    try:
        user_service.set_active(user, bool(state))
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message + "：" + "；".join(sum(exc.errors.values(), [])), "danger")
    return redirect(url_for(".index"))

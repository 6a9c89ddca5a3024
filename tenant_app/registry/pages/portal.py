"""The enterprise side: online registration (public), the enterprise user's own page, and the
staff's review of pending registrations."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tenant_app.auth.permissions import PUBLIC, permission
from tenant_app.auth.roles import Perm
from tenant_app.core.errors import ServiceError, Throttled
from tenant_app.extensions import db
from tenant_app.registry.pages.enterprises import LABELS
from tenant_app.registry.pages.forms import RegisterForm, RejectForm
from tenant_app.registry.services import enterprise_accounts as service
from tenant_app.registry.services import enterprises as enterprise_service
from tenant_app.registry.services import records
from tenant_app.registry.services.compliance_calendar import compliance_calendar
from tenant_app.registry.services.enterprise_facts import permit_status_of
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.forms import ConfirmForm, apply_errors
from tenant_app.ui.refused import redisplay

bp = Blueprint("enterprise_portal", __name__, template_folder="../templates")


@bp.route("/enterprise/register", methods=["GET", "POST"])
@permission(PUBLIC)
def register() -> Any:
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        try:
            ctx = request_context()
            service.note_registration_attempt(ctx)
            service.register(ctx, {name: fld.data for name, fld in form._fields.items()})
            db.session.commit()
        except Throttled as exc:
            form.form_errors.append(exc.message)
            status = 429
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
            status = exc.status
        else:
            return render_template("enterprises/registered.html")
    elif form.errors:
        status = 422
    return render_template("enterprises/register.html", form=form), status


@bp.get("/enterprise/")
@permission(Perm.OWN_ENTERPRISE_VIEW)
def mine() -> Any:
    """Only the enterprise the user's verified account links to: there is no id to change."""
    ctx = request_context()
    e = service.my_enterprise(ctx)
    today = ctx.today
    return render_template(
        "enterprises/show.html",
        e=e,
        timeline=records.timeline(e, party=True),
        ratings=enterprise_service.ratings(e),
        calendar=compliance_calendar(e, today),
        permit_status=permit_status_of(e, today),
        labels=LABELS,
        rating_form=None,
        staff=False,
    )


@bp.get("/enterprises/accounts/")
@permission(Perm.ENTERPRISE_ACCOUNTS_VERIFY)
def accounts() -> Any:
    status = request.args.get("status", "pending")
    if status not in ("pending", "verified", "rejected"):
        status = "pending"
    raw = request.args.get("after", "")
    after = int(raw) if raw.isdigit() and len(raw) < 19 else None
    page = service.accounts(request_context(), status, after)
    return render_template(
        "enterprises/accounts.html",
        page=page,
        status=status,
        confirm=ConfirmForm(),
        reject_form=RejectForm(),
    )


@bp.post("/enterprises/accounts/<int:account_id>/verify")
@permission(Perm.ENTERPRISE_ACCOUNTS_VERIFY)
def verify(account_id: int) -> Any:
    acc = service.get_account(account_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.verify(request_context(), acc)
        db.session.commit()
        flash(_("已通过 %(name)s 的注册申请并关联企业", name=acc.enterprise_name), "success")
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message + "：" + "；".join(sum(exc.errors.values(), [])), "danger")
    return redirect(url_for(".accounts"))


@bp.post("/enterprises/accounts/<int:account_id>/reject")
@permission(Perm.ENTERPRISE_ACCOUNTS_VERIFY)
def reject(account_id: int) -> Any:
    acc = service.get_account(account_id)
    form = RejectForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.reject(request_context(), acc, form.reason.data or "")
        db.session.commit()
        flash(_("已驳回 %(name)s 的注册申请", name=acc.enterprise_name), "success")
    except ServiceError as exc:
        return redisplay(accounts, f"reject-{acc.id}", exc)
    return redirect(url_for(".accounts"))

"""Adding and changing an enterprise's compliance records (one form per record kind)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.models.records import RECORD_KINDS
from tenant_app.registry.pages.forms import fill_record, record_form_class, record_values
from tenant_app.registry.services import enterprises as enterprise_service
from tenant_app.registry.services import records as service
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.forms import apply_errors

bp = Blueprint(
    "enterprise_records",
    __name__,
    template_folder="../templates",
    url_prefix="/enterprises/<int:enterprise_id>/records",
)


@bp.route("/new/<kind>", methods=["GET", "POST"])
@permission(Perm.RECORDS_EDIT)
def new(enterprise_id: int, kind: str) -> Any:
    e = enterprise_service.get_enterprise(enterprise_id)
    if kind not in RECORD_KINDS:
        abort(404)
    form = record_form_class(kind)()
    if form.validate_on_submit():
        try:
            service.add_record(request_context(), e, kind, record_values(form))
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("已添加%(kind)s记录", kind=RECORD_KINDS[kind]), "success")
            return redirect(url_for("web.enterprises.show", enterprise_id=e.id) + "#timeline")
    return render_template(
        "enterprises/record_form.html",
        form=form,
        e=e,
        kind=kind,
        kind_label=RECORD_KINDS[kind],
        record=None,
    ), (422 if form.errors or form.form_errors else 200)


@bp.route("/<int:record_id>/edit", methods=["GET", "POST"])
@permission(Perm.RECORDS_EDIT)
def edit(enterprise_id: int, record_id: int) -> Any:
    """E.g. a rectification's outcome, or the date an enterprise left a credit list."""
    e = enterprise_service.get_enterprise(enterprise_id)
    rec = service.get_record(e, record_id)
    form = record_form_class(rec.kind)()
    if request.method == "GET":
        fill_record(form, service.record_row(rec))
    elif form.validate_on_submit():
        try:
            service.update_record(request_context(), rec, record_values(form))
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("已保存"), "success")
            return redirect(url_for("web.enterprises.show", enterprise_id=e.id) + "#timeline")
    return render_template(
        "enterprises/record_form.html",
        form=form,
        e=e,
        kind=rec.kind,
        kind_label=RECORD_KINDS[rec.kind],
        record=rec,
    ), (422 if form.errors or form.form_errors else 200)

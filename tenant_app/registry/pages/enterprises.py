"""The enterprise registry pages for staff: list and search, create/edit, the enterprise page
(profile, compliance calendar, timeline, ratings)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from policies.vocab import PERMIT_STATUSES
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.models import Tenant
from tenant_app.models.enterprise import (
    ENTERPRISE_TAGS,
    PERMIT_CLASSES,
    RATING_KINDS,
    SUPERVISION_CATEGORIES,
)
from tenant_app.models.records import RECORD_KINDS
from tenant_app.registry.pages.forms import EnterpriseForm, RatingForm
from tenant_app.registry.services import enterprise_search, records
from tenant_app.registry.services import enterprises as service
from tenant_app.registry.services.compliance_calendar import compliance_calendar
from tenant_app.registry.services.enterprise_facts import permit_status_of
from tenant_app.registry.services.enterprise_rows import PROCEDURE_ONLY_CATEGORIES
from tenant_app.tenancy.acting import request_context
from tenant_app.ui import picker
from tenant_app.ui.forms import apply_errors
from tenant_app.ui.links import filter_args

bp = Blueprint("enterprises", __name__, template_folder="../templates", url_prefix="/enterprises")
LABELS = {
    "permit_class": PERMIT_CLASSES,
    "permit_status": PERMIT_STATUSES,
    "category": SUPERVISION_CATEGORIES,
    "tags": ENTERPRISE_TAGS,
    "rating_kind": RATING_KINDS,
    "record_kind": RECORD_KINDS,
}


def counties() -> list[Tenant]:
    return list(
        db.session.execute(
            select(Tenant).where(Tenant.parent_id == g.tenant.id).order_by(Tenant.division_code)
        ).scalars()
    )


def _form(current_category: str | None = None) -> EnterpriseForm:
    form = EnterpriseForm()
    form.county_tenant_id.choices = [("", _("（不属下级区划）"))] + [
        (str(t.id), f"{t.name}（{t.division_code}）") for t in counties()
    ]
    # "Listed" is the positive-list procedure's outcome (issue 11 item 6): offered only to show
    # an enterprise already listed, never as something the registry sets.
    form.supervision_category.choices = [
        (k, v)
        for k, v in SUPERVISION_CATEGORIES.items()
        if k not in PROCEDURE_ONLY_CATEGORIES or k == current_category
    ]
    return form


def _after(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 19 else None


@bp.get("/")
@permission(Perm.ENTERPRISES_VIEW)
def index() -> Any:
    args = request.args.to_dict()
    errors: dict[str, list[str]] = {}
    page = None
    try:
        flt = enterprise_search.parse_filters(args)
        page = enterprise_search.search(flt, _after(args.get("after")), 50)
    except ServiceError as exc:
        errors = exc.errors
    next_args = filter_args(args, drop=("after",))
    return render_template(
        "enterprises/index.html",
        page=page,
        args=args,
        errors=errors,
        next_args=next_args,
        counties=counties(),
        labels=LABELS,
    ), (422 if errors else 200)


@bp.get("/pick")
@permission(Perm.ENTERPRISES_VIEW)
def pick() -> Any:
    """The enterprise picker's matches (htmx, ui/templates/_picker.html): by part of the name or
    by the credit code, from the keyset-paged search; only this tenant's register."""
    ask = picker.ask_from_request("enterprise_id")
    found = picker.results(
        ask,
        lambda q, after: enterprise_search.pick(q, after),
        picker.enterprise_option,
        "web.enterprises.pick",
    )
    return picker.answer(ask, found)


@bp.route("/new", methods=["GET", "POST"])
@permission(Perm.ENTERPRISES_EDIT)
def new() -> Any:
    form = _form()
    if form.validate_on_submit():
        try:
            e = service.create_enterprise(request_context(), form.values())
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("已登记企业 %(name)s", name=e.name), "success")
            return redirect(url_for(".show", enterprise_id=e.id))
    return render_template("enterprises/form.html", form=form, enterprise=None), (
        422 if form.errors or form.form_errors else 200
    )


@bp.get("/<int:enterprise_id>/")
@permission(Perm.ENTERPRISES_VIEW)
def show(enterprise_id: int, rating_form: RatingForm | None = None) -> Any:
    """The enterprise's profile; ``rating_form``: a refused rating, drawn again as typed."""
    e = service.get_enterprise(enterprise_id)
    today = request_context().today
    return render_template(
        "enterprises/show.html",
        e=e,
        timeline=records.timeline(e),
        ratings=service.ratings(e),
        calendar=compliance_calendar(e, today),
        permit_status=permit_status_of(e, today),
        labels=LABELS,
        rating_form=rating_form or RatingForm(),
        staff=True,
    )


@bp.route("/<int:enterprise_id>/edit", methods=["GET", "POST"])
@permission(Perm.ENTERPRISES_EDIT)
def edit(enterprise_id: int) -> Any:
    e = service.get_enterprise(enterprise_id)
    form = _form(e.supervision_category)
    if request.method == "GET":
        form.fill(service.as_row(e))
    elif form.validate_on_submit():
        try:
            service.update_enterprise(request_context(), e, form.values())
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("已保存"), "success")
            return redirect(url_for(".show", enterprise_id=e.id))
    return render_template("enterprises/form.html", form=form, enterprise=e), (
        422 if form.errors or form.form_errors else 200
    )


@bp.post("/<int:enterprise_id>/ratings")
@permission(Perm.RECORDS_EDIT)
def add_rating(enterprise_id: int) -> Any:
    e = service.get_enterprise(enterprise_id)
    form = RatingForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return show(e.id, form), 422  # what was typed stays, the reason by its field
    try:
        service.set_rating(
            request_context(),
            e,
            {
                "kind": form.kind.data,
                "year": form.year.data,
                "value": form.value.data,
                "source": form.source.data,
            },
        )
        db.session.commit()
        flash(_("已保存评价结果"), "success")
    except ServiceError as exc:
        db.session.rollback()
        apply_errors(form, exc)
        flash(exc.message, "danger")
        return show(e.id, form), exc.status
    return redirect(url_for(".show", enterprise_id=e.id) + "#ratings")

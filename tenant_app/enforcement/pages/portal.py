"""The enterprise's side (issue 15): its fines with the due date, schedule, surcharge and what it
still owes; applying for deferral or instalments with its reasons and a proof of hardship; its
ladder (SX-0) and the guidance letters and reasoned warnings it was given. The enterprise is the
one the user's verified account links to, never an id from the URL."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.core.errors import ServiceError
from tenant_app.enforcement.pages.staff import proof_response
from tenant_app.enforcement.services import ladder, payments, reviews
from tenant_app.enforcement.services.common import NotFound, mine, policy_of, yuan
from tenant_app.extensions import db
from tenant_app.http.bodies import accepts_upload
from tenant_app.models.enforcement import PROOF_MAX_BYTES
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.forms import ConfirmForm
from tenant_app.ui.refused import redisplay

bp = Blueprint(
    "enforcement_portal",
    __name__,
    template_folder="../templates",
    url_prefix="/enterprise/enforcement",
)


@bp.get("/")
@permission(Perm.OWN_ENFORCEMENT)
def mine_page() -> Any:
    ctx = request_context()
    e = mine(ctx)
    cases = payments.fined_cases(ctx, e.id)
    return render_template(
        "enforcement/mine.html",
        e=e,
        rows=[(c, payments.fine_state(ctx, c)) for c in cases],
        pos=ladder.position(ctx, e, party=True),
        yuan=yuan,
    )


def _case(case_id: int) -> Any:
    try:
        return payments.my_case(request_context(), case_id)
    except NotFound:
        abort(404)


@bp.get("/cases/<int:case_id>")
@permission(Perm.OWN_ENFORCEMENT)
def case_page(case_id: int) -> Any:
    ctx = request_context()
    case = _case(case_id)
    return render_template(
        "enforcement/payment.html",
        case=case,
        e=mine(ctx),
        s=payments.fine_state(ctx, case),
        applications=payments.applications_of(case),
        paid=payments.payments_of(case),
        approver=policy_of(ctx).case_rule("payment.deferral_approver"),
        may_decide=False,
        yuan=yuan,
        party=True,
        max_parts=payments.MAX_PARTS,
        reviews=reviews.reviews_of(case),
    )


@bp.post("/cases/<int:case_id>/apply")
@accepts_upload
@permission(Perm.OWN_ENFORCEMENT)
def apply(case_id: int) -> Any:
    ctx = request_context()
    case = _case(case_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    f = request.files.get("proof")
    proof = None
    try:
        if f is not None and f.filename:
            proof = (f.filename, f.mimetype or "", f.stream.read(PROOF_MAX_BYTES + 1))
        payments.apply(ctx, case, request.form.to_dict(), proof)
        db.session.commit()
        flash(_("申请已提交，等待批准"), "success")
        return redirect(url_for(".case_page", case_id=case_id))
    except ServiceError as exc:
        return redisplay(case_page, "apply", exc, case_id=case_id)


@bp.get("/applications/<int:application_id>/proof")
@permission(Perm.OWN_ENFORCEMENT)
def proof(application_id: int) -> Any:
    ctx = request_context()
    e = mine(ctx)
    try:
        app = payments.get_application(application_id)
    except NotFound:
        abort(404)
    if app.enterprise_id != e.id:
        abort(404)
    return proof_response(app)


@bp.get("/steps/<int:step_id>/document")
@permission(Perm.OWN_ENFORCEMENT)
def document(step_id: int) -> Any:
    ctx = request_context()
    e = mine(ctx)
    try:
        step = ladder.get_step(step_id)
    except NotFound:
        abort(404)
    if step.enterprise_id != e.id or not step.document_body:
        abort(404)
    return render_template("enforcement/document.html", step=step, e=e)

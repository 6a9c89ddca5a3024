"""Staff pages after the decision (issue 15): fines and their payment (applications for deferral
or instalments, the approval by the pack's role, payments, the payment-platform import, the
surcharge, enforcement), an enterprise's ladder with the proposal for a new finding (SX-0), the
guidance letter / reasoned warning as a printable document, and 普法 activities (SX-2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from policies.vocab import VIOLATION_FLAGS
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.cases.services.publicity import public_decisions
from tenant_app.core.errors import ServiceError
from tenant_app.enforcement.services import education, ladder, payment_import, payments, reviews
from tenant_app.enforcement.services.common import (
    NotFound,
    get_case,
    get_enterprise,
    policy_of,
    yuan,
)
from tenant_app.extensions import db
from tenant_app.http.bodies import accepts_upload
from tenant_app.models import Enterprise
from tenant_app.models.enforcement import EDUCATION_KINDS, LADDER_ORIGINS
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.downloads import stored_attachment
from tenant_app.ui.forms import ConfirmForm
from tenant_app.ui.refused import redisplay

bp = Blueprint("enforcement", __name__, template_folder="../templates", url_prefix="/enforcement")


def _or_404(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except NotFound:
        abort(404)


def _post(
    action: Callable[[], object], done: str, page: Callable[..., Any], form: str, **kw: Any
) -> Any:
    """One POST: CSRF, the service, commit; a refusal draws the page again as typed."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action()
        db.session.commit()
        flash(done, "success")
        return None
    except ServiceError as exc:
        if exc.status == 404:
            db.session.rollback()
            abort(404)
        return redisplay(page, form, exc, **kw)


@bp.app_template_global("ladder_position")
def ladder_position(enterprise_id: int) -> dict[str, Any] | None:
    """For the pages where staff act on a new finding (a case, an inspection, a warning): the
    enterprise's position on the ladder and the rung proposed for an ordinary finding (SX-0),
    drawn by ``enforcement/_position.html``; None when it cannot be read here."""
    try:
        ctx = request_context()
        e = get_enterprise(enterprise_id)
        pos = ladder.position(ctx, e)
        prop = ladder.proposal(ctx, e)
    except ServiceError:  # another tenant's enterprise, a missing one: nothing to show
        return None
    titles = {s["id"]: s["title"] for s in pos["ladder"].answer}
    return {
        "enterprise_id": e.id,
        "position": titles.get(pos["position"] or "", ""),
        "proposal": prop,
    }


@bp.get("/")
@permission(Perm.ENFORCEMENT_VIEW)
def index() -> Any:
    ctx = request_context()
    cases = payments.fined_cases(ctx)
    names = {
        e.id: e.name
        for e in db.session.execute(
            db.select(Enterprise).where(Enterprise.id.in_({c.enterprise_id for c in cases}))
        ).scalars()
    }
    return render_template(
        "enforcement/index.html",
        rows=[(c, payments.fine_state(ctx, c)) for c in cases],
        names=names,
        pending=payments.pending_applications(ctx),
        yuan=yuan,
    )


@bp.get("/cases/<int:case_id>/payment")
@permission(Perm.ENFORCEMENT_VIEW)
def payment(case_id: int) -> Any:
    ctx = request_context()
    case = _or_404(lambda: get_case(case_id))
    if not case.total_fine or case.served_on is None:
        abort(404)
    approver = policy_of(ctx).case_rule("payment.deferral_approver")
    return render_template(
        "enforcement/payment.html",
        case=case,
        e=get_enterprise(case.enterprise_id),
        s=payments.fine_state(ctx, case),
        applications=payments.applications_of(case),
        paid=payments.payments_of(case),
        approver=approver,
        may_decide=str(approver.answer) in ctx.roles,
        yuan=yuan,
        party=False,
        reviews=reviews.reviews_of(case),
    )


@bp.post("/cases/<int:case_id>/payments")
@permission(Perm.ENFORCEMENT_EDIT)
def record_payment(case_id: int) -> Any:
    ctx = request_context()
    case = _or_404(lambda: get_case(case_id))
    out = _post(
        lambda: payments.record_payment(ctx, case, request.form.to_dict()),
        _("已登记缴款"),
        payment,
        "pay",
        case_id=case_id,
    )
    return out or redirect(url_for(".payment", case_id=case_id))


@bp.post("/cases/<int:case_id>/enforcement")
@permission(Perm.ENFORCEMENT_EDIT)
def enforcement(case_id: int) -> Any:
    ctx = request_context()
    case = _or_404(lambda: get_case(case_id))
    out = _post(
        lambda: payments.apply_enforcement(ctx, case, request.form.get("note", "")),
        _("已登记申请人民法院强制执行"),
        payment,
        "enforce",
        case_id=case_id,
    )
    return out or redirect(url_for(".payment", case_id=case_id))


@bp.post("/cases/<int:case_id>/reviews")
@permission(Perm.ENFORCEMENT_EDIT)
def record_review(case_id: int) -> Any:
    """第七十三条: the party applied for administrative review or filed a suit."""
    ctx = request_context()
    case = _or_404(lambda: get_case(case_id))
    out = _post(
        lambda: reviews.record(ctx, case, request.form.to_dict()),
        _("已登记行政复议或行政诉讼，期间不计加处罚款"),
        payment,
        "review",
        case_id=case_id,
    )
    return out or redirect(url_for(".payment", case_id=case_id))


@bp.post("/reviews/<int:review_id>/end")
@permission(Perm.ENFORCEMENT_EDIT)
def end_review(review_id: int) -> Any:
    ctx = request_context()
    review = _or_404(lambda: reviews.get_review(review_id))
    out = _post(
        lambda: reviews.end(ctx, review, request.form.to_dict()),
        _("已登记复议或诉讼结果"),
        payment,
        f"review-end-{review_id}",
        case_id=review.case_id,
    )
    return out or redirect(url_for(".payment", case_id=review.case_id))


@bp.post("/applications/<int:application_id>/decide")
@permission(Perm.ENFORCEMENT_VIEW)
def decide(application_id: int) -> Any:
    ctx = request_context()
    app = _or_404(lambda: payments.get_application(application_id))
    out = _post(
        lambda: payments.decide(
            ctx, app, request.form.get("approve", ""), request.form.get("note", "")
        ),
        _("已作出决定"),
        payment,
        f"decide-{application_id}",
        case_id=app.case_id,
    )
    return out or redirect(url_for(".payment", case_id=app.case_id))


@bp.get("/applications/<int:application_id>/proof")
@permission(Perm.ENFORCEMENT_VIEW)
def proof(application_id: int) -> Any:
    return proof_response(_or_404(lambda: payments.get_application(application_id)))


def proof_response(app: Any) -> Any:
    name = f"proof-{app.id}{payments.PROOF_TYPES.get(app.proof_type, '')}"
    return stored_attachment(app.proof if app.proof_name else None, app.proof_type, name)


@bp.route("/payments/import", methods=["GET", "POST"])
@accepts_upload
@permission(Perm.ENFORCEMENT_EDIT)
def import_payments() -> Any:
    ctx = request_context()
    errors: dict[str, list[str]] = {}
    result = None
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        f = request.files.get("file")
        try:
            if f is None or not f.filename:
                raise ServiceError("请选择文件", {"file": ["请选择文件"]})
            result = payment_import.take_file(ctx, f.filename, f.stream)
            db.session.commit()
            flash(_("缴款记录已导入"), "success")
        except ServiceError as exc:
            db.session.rollback()
            errors = {**exc.errors, "_": [exc.message]}
    return render_template("enforcement/import.html", errors=errors, result=result), (
        422 if errors else 200
    )


@bp.get("/enterprises/<int:enterprise_id>/ladder")
@permission(Perm.ENFORCEMENT_VIEW)
def enterprise_ladder(enterprise_id: int) -> Any:
    ctx = request_context()
    e = _or_404(lambda: get_enterprise(enterprise_id))
    flags = [f for f in request.args.getlist("flags") if f in VIOLATION_FLAGS]
    return render_template(
        "enforcement/ladder.html",
        e=e,
        pos=ladder.position(ctx, e),
        prop=ladder.proposal(ctx, e, flags),
        flags=flags,
        all_flags=VIOLATION_FLAGS,
        origins=LADDER_ORIGINS,
        origin=request.args.get("origin", "manual"),
        origin_ref=request.args.get("ref", "")[:64],
        steps=ladder.steps_of(e),
        cases=payments.fined_cases(ctx, e.id),
    )


@bp.post("/enterprises/<int:enterprise_id>/ladder")
@permission(Perm.ENFORCEMENT_EDIT)
def record_step(enterprise_id: int) -> Any:
    ctx = request_context()
    e = _or_404(lambda: get_enterprise(enterprise_id))
    data: dict[str, Any] = request.form.to_dict()
    data["flags"] = request.form.getlist("flags")
    out = _post(
        lambda: ladder.record(ctx, e, data),
        _("已记录本次措施"),
        enterprise_ladder,
        "step",
        fields=("flags",),
        enterprise_id=enterprise_id,
    )
    return out or redirect(url_for(".enterprise_ladder", enterprise_id=enterprise_id))


@bp.get("/steps/<int:step_id>/document")
@permission(Perm.ENFORCEMENT_VIEW)
def document(step_id: int) -> Any:
    step = _or_404(lambda: ladder.get_step(step_id))
    if not step.document_body:
        abort(404)
    return render_template(
        "enforcement/document.html", step=step, e=get_enterprise(step.enterprise_id)
    )


@bp.get("/education/")
@permission(Perm.ENFORCEMENT_VIEW)
def education_index() -> Any:
    ctx = request_context()
    return render_template(
        "enforcement/education.html",
        rows=education.events(ctx),
        kinds=EDUCATION_KINDS,
        typical=public_decisions(ctx)["typical"],
    )


@bp.post("/education/")
@permission(Perm.ENFORCEMENT_EDIT)
def education_create() -> Any:
    ctx = request_context()
    data: dict[str, Any] = request.form.to_dict()
    data["invited"] = request.form.getlist("invited") or request.form.get("invited", "")
    data["present"] = request.form.getlist("present") or request.form.get("present", "")
    out = _post(lambda: education.create(ctx, data), _("已登记普法活动"), education_index, "event")
    return out or redirect(url_for(".education_index"))


@bp.get("/education/<int:event_id>/")
@permission(Perm.ENFORCEMENT_VIEW)
def education_show(event_id: int) -> Any:
    ev = _or_404(lambda: education.get_event(event_id))
    return render_template("enforcement/education_show.html", ev=ev, rows=education.attendance(ev))

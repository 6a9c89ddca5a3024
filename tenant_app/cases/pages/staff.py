"""Case pages for staff: the list (keyset-paged, with its count), opening a case (by hand or
from an inspection), and the case page with its stages, deadlines and rules, the proposal of
every violation with each factor's effect, and the form of each step. Irreversible steps ask
for confirmation (data-confirm) and carry the CSRF token checked by ConfirmForm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from tenant_app.accounts.users import officer_pool
from tenant_app.auth.permissions import can, permission
from tenant_app.auth.roles import Perm
from tenant_app.cases import closing
from tenant_app.cases.services import (
    cases,
    consequences,
    decision,
    documents,
    evidence,
    measures,
    notice,
    party,
    procedure,
    similar,
    stages,
    violations,
)
from tenant_app.cases.services.common import (
    get_case,
    get_statement,
    get_violation,
    policy_of,
    statements_of,
    steps_of,
    violations_of,
)
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.http.bodies import accepts_upload
from tenant_app.models import Case, Enterprise, EnterpriseWarning, Inspection
from tenant_app.models.case import CASE_ORIGINS, CASE_STAGES, COERCIVE_MEASURES
from tenant_app.registry.pickers import chosen_enterprises, enterprise_pick
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.actions import confirmed_action
from tenant_app.ui.downloads import stored_file_response
from tenant_app.ui.forms import ConfirmForm

bp = Blueprint("cases", __name__, template_folder="../templates", url_prefix="/cases")


def _after(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 19 else None


def _reasons(exc: ServiceError) -> str:
    items = [r for k, v in exc.errors.items() if k != "rule_ids" for r in v]
    return exc.message + ("：" + "；".join(items) if items and items[0] not in exc.message else "")


def _act(action: Callable[[], Any], ok: str, back: str) -> Any:
    """One step in one transaction after the CSRF check; a refusal is flashed with its reasons
    (a refusal that is itself a fact to keep, like a decision routed to legal review, is
    committed)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action()
        db.session.commit()
        flash(ok, "success")
    except ServiceError as exc:
        if exc.keep:
            db.session.commit()
        else:
            db.session.rollback()
        if exc.status == 404:
            abort(404)
        flash(_reasons(exc), "danger")
    return redirect(back)


def _back(case_id: int, anchor: str = "") -> str:
    return url_for(".show", case_id=case_id) + (f"#{anchor}" if anchor else "")


@bp.get("/")
@permission(Perm.CASES_VIEW)
def index() -> Any:
    stage = request.args.get("stage") or None
    stage = stage if stage in CASE_STAGES else None
    page, total = cases.cases(stage=stage, after=_after(request.args.get("after")))
    return render_template(
        "cases/index.html",
        page=page,
        total=total,
        stage=stage,
        stages=CASE_STAGES,
        names=cases.enterprise_names([c.enterprise_id for c in page.items]),
        today=request_context().today,
    )


def _new_data() -> dict[str, Any]:
    f = request.form
    return {
        "inspection_id": f.get("inspection_id") or None,
        "warning_id": f.get("warning_id") or None,
        "enterprise_id": f.get("enterprise_id") or None,
        "origin": f.get("origin") or "manual",
        "title": f.get("title", ""),
        "facts": f.get("facts", ""),
        "officer_ids": f.getlist("officer_ids"),
        "complex_case": f.get("complex_case"),
        "public_interest": f.get("public_interest"),
        "major_violation": f.get("major_violation"),
    }


@bp.route("/new", methods=["GET", "POST"])
@permission(Perm.CASES_EDIT)
def new() -> Any:
    ctx = request_context()
    errors: dict[str, list[str]] = {}
    message, status = "", 200
    inspection = warning = None
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        data = _new_data()
        # without scripts the picker's search button submits the form: the page again, unsaved
        if not request.form.get("pick"):
            try:
                case = cases.open_case(ctx, data)
                db.session.commit()
                flash(_("已立案：%(title)s", title=case.title), "success")
                return redirect(url_for(".show", case_id=case.id))
            except ServiceError as exc:
                db.session.rollback()
                if exc.status == 404:
                    abort(404)
                errors, message, status = exc.errors, _reasons(exc), exc.status
    elif request.args.get("inspection_id"):
        data = cases.prefill_from_inspection(request.args["inspection_id"])
    elif request.args.get("warning_id"):
        try:
            data = cases.prefill_from_warning(ctx, request.args["warning_id"])
        except ServiceError as exc:
            if exc.status == 404:
                abort(404)
            flash(_reasons(exc), "danger")
            return redirect(url_for("web.warnings.show", warning_id=request.args["warning_id"]))
    else:
        data = {
            "enterprise_id": request.args.get("enterprise_id"),
            "origin": "manual",
            "officer_ids": [],
        }
    if data.get("inspection_id"):
        inspection = db.session.execute(
            select(Inspection).where(Inspection.id == int(data["inspection_id"]))
        ).scalar_one_or_none()
    elif data.get("warning_id") and str(data["warning_id"]).isdigit():
        warning = db.session.execute(
            select(EnterpriseWarning).where(EnterpriseWarning.id == int(data["warning_id"]))
        ).scalar_one_or_none()
    form = request.form if request.method == "POST" else request.args
    return render_template(
        "cases/new.html",
        data=data,
        errors=errors,
        message=message,
        inspection=inspection,
        warning=warning,
        enterprise_chosen=chosen_enterprises(data.get("enterprise_id")),
        enterprise_results=enterprise_pick(form, "enterprise_id"),
        enterprise_q=form.get("enterprise_id_q", ""),
        officers=officer_pool(ctx),
        origins=CASE_ORIGINS,
        officers_rule=policy_of(ctx).case_rule("review.officers_min"),
    ), status


def _page(
    case: Case,
    typed: dict[str, Any] | None = None,
    errors: dict[str, Any] | None = None,
    message: str = "",
    status: int = 200,
) -> Any:
    ctx = request_context()
    policy = policy_of(ctx)
    catalogue = policy.case_catalogue()
    enterprise = db.session.get(Enterprise, case.enterprise_id)
    return render_template(
        "cases/show.html",
        case=case,
        enterprise=enterprise,
        stage_now=stages.expected(case, ctx.today),
        window_open=stages.window_open(case, ctx.today),
        next_steps=stages.next_steps(case, ctx.today),
        violations=violations_of(case),
        statements=statements_of(case),
        steps=steps_of(case),
        consequences=consequences.consequences_of(steps_of(case)),
        similar_cases=similar.for_case(ctx, violations_of(case)),
        measures=measures.measures_of(case),
        case_evidence=evidence.evidence_of(case),
        inspection_evidence=evidence.inspection_evidence(case),
        coercive_measures=COERCIVE_MEASURES,
        coercive_rule=policy.coercive_measures().rule_id,
        close_blockers=closing.blockers(ctx, case) if case.stage == "served" else [],
        catalogue=catalogue.answer,
        catalogue_rule=catalogue.rule_id,
        today=ctx.today,
        typed=typed or {},
        errors=errors or {},
        message=message,
    ), status


@bp.get("/<int:case_id>/")
@permission(Perm.CASES_VIEW)
def show(case_id: int) -> Any:
    return _page(get_case(case_id))


@bp.post("/<int:case_id>/facts")
@permission(Perm.CASES_EDIT)
def facts(case_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    f = request.form
    return _act(
        lambda: cases.update_case(
            ctx,
            case,
            {
                "facts": f.get("facts", ""),
                "complex_case": f.get("complex_case"),
                "public_interest": f.get("public_interest"),
                "major_violation": f.get("major_violation"),
            },
        ),
        _("已保存案情"),
        _back(case.id, "facts"),
    )


def _violation_data() -> dict[str, Any]:
    f = request.form
    return {
        "violation_key": f.get("violation_key"),
        "facts": f.get("violation_facts", ""),
        "list_entry": f.get("list_entry", ""),
        "levels": {k[len("level_") :]: v for k, v in f.items() if k.startswith("level_") and v},
    }


@bp.post("/<int:case_id>/violations")
@permission(Perm.CASES_EDIT)
def add_violation(case_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    return _act(
        lambda: violations.add_violation(ctx, case, _violation_data()),
        _("已记录违法行为，并按裁量基准给出建议"),
        _back(case.id, "violations"),
    )


@bp.post("/<int:case_id>/violations/<int:violation_id>")
@permission(Perm.CASES_EDIT)
def update_violation(case_id: int, violation_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    v = get_violation(case, violation_id)
    return _act(
        lambda: violations.update_violation(ctx, case, v, _violation_data()),
        _("已更新违法行为和裁量情节"),
        _back(case.id, f"violation-{v.id}"),
    )


@bp.post("/<int:case_id>/violations/<int:violation_id>/delete")
@permission(Perm.CASES_EDIT)
def remove_violation(case_id: int, violation_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    v = get_violation(case, violation_id)
    return _act(
        lambda: violations.remove_violation(ctx, case, v),
        _("已删除该违法行为"),
        _back(case.id, "violations"),
    )


def _penalties(case: Case) -> list[dict[str, Any]]:
    f = request.form
    return [
        {
            "violation_id": v.id,
            "outcome": f.get(f"v{v.id}_outcome"),
            "fine": f.get(f"v{v.id}_fine"),
            "measures": f.getlist(f"v{v.id}_measures"),
            "reason": f.get(f"v{v.id}_reason", ""),
        }
        for v in violations_of(case)
    ]


def _form_step(case: Case, action: Callable[[], Any], ok: str, anchor: str) -> Any:
    """A step with a form the user filled: on a refusal the page comes back with what was
    typed and the reasons beside the fields."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action()
        db.session.commit()
    except ServiceError as exc:
        if exc.keep:
            db.session.commit()
        else:
            db.session.rollback()
        if exc.status == 404:
            abort(404)
        db.session.refresh(case)
        return _page(case, request.form.to_dict(flat=False), exc.errors, _reasons(exc), exc.status)
    flash(ok, "success")
    return redirect(_back(case.id, anchor))


@bp.post("/<int:case_id>/notice")
@permission(Perm.CASES_EDIT)
def give_notice(case_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    return _form_step(
        case,
        lambda: notice.notify(ctx, case, {"penalties": _penalties(case)}),
        _("已告知当事人拟作出的行政处罚，陈述、申辩期间开始计算"),
        "stages",
    )


@bp.post("/<int:case_id>/statements")
@permission(Perm.CASES_EDIT)
def record_statement(case_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    return _act(
        lambda: party.file(
            ctx, case, request.form.get("kind", ""), request.form.get("content", ""), via="staff"
        ),
        _("已登记当事人提交的意见"),
        _back(case.id, "statements"),
    )


@bp.post("/<int:case_id>/statements/<int:statement_id>/answer")
@permission(Perm.CASES_EDIT)
def answer_statement(case_id: int, statement_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    st = get_statement(case, statement_id)
    return _act(
        lambda: procedure.answer_statement(
            ctx, case, st, request.form.get("answer", ""), request.form.get("adopted")
        ),
        _("已复核并答复"),
        _back(case.id, "statements"),
    )


@bp.post("/<int:case_id>/hearing")
@permission(Perm.CASES_EDIT)
def schedule_hearing(case_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    return _act(
        lambda: procedure.schedule_hearing(
            ctx, case, request.form.get("hearing_date"), request.form.get("hearing_place", "")
        ),
        _("已通知听证时间、地点"),
        _back(case.id, "hearing"),
    )


@bp.post("/<int:case_id>/hearing/record")
@permission(Perm.CASES_EDIT)
def record_hearing(case_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    return _act(
        lambda: procedure.record_hearing(ctx, case, request.form.get("hearing_record", "")),
        _("已记录听证，案件转法制审核"),
        _back(case.id, "hearing"),
    )


@bp.post("/<int:case_id>/review")
@permission(Perm.CASES_REVIEW)
def review(case_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    return _act(
        lambda: procedure.legal_review(
            ctx, case, request.form.get("verdict", ""), request.form.get("opinion", "")
        ),
        _("已记录法制审核意见"),
        _back(case.id, "review"),
    )


@bp.post("/<int:case_id>/discussion")
@permission(Perm.CASES_DECIDE)
def discussion(case_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    return _act(
        lambda: procedure.collective_discussion(
            ctx, case, request.form.get("discussion_record", "")
        ),
        _("已记录集体讨论"),
        _back(case.id, "review"),
    )


@bp.post("/<int:case_id>/extension")
@permission(Perm.CASES_DECIDE)
def extension(case_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    return _act(
        lambda: procedure.extend(ctx, case, request.form.get("reason", "")),
        _("已延长办案期限"),
        _back(case.id, "stages"),
    )


@bp.post("/<int:case_id>/decision")
@permission(Perm.CASES_DECIDE)
def decide(case_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    f = request.form
    return _form_step(
        case,
        lambda: decision.decide(
            ctx,
            case,
            {
                "penalties": _penalties(case),
                "correction_order": f.get("correction_order", ""),
                "correction_days": f.get("correction_days") or None,
                "education_record": f.get("education_record", ""),
                "police_transfer": f.get("police_transfer") == "1",
                "police_transfer_reason": f.get("police_transfer_reason", ""),
            },
        ),
        _("已作出决定，请在期限内送达"),
        "decision",
    )


@bp.post("/<int:case_id>/service")
@permission(Perm.CASES_EDIT)
def serve(case_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    return _act(
        lambda: decision.serve(
            ctx, case, request.form.get("method", ""), request.form.get("consent")
        ),
        _("已登记送达"),
        _back(case.id, "decision"),
    )


@bp.post("/<int:case_id>/close")
@permission(Perm.CASES_EDIT)
def close(case_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    confirmed_action(lambda: decision.close(ctx, case, request.form.get("note", "")), _("已结案"))
    return redirect(_back(case.id))


@bp.post("/<int:case_id>/evidence")
@accepts_upload
@permission(Perm.CASES_EDIT)
def add_evidence(case_id: int) -> Any:
    """A file collected for the case, with its SHA-256 (bounded upload, core/uploads.py)."""
    ctx, case = request_context(), get_case(case_id)
    upload = request.files.get("file")
    return _act(
        lambda: evidence.add_evidence(
            ctx,
            case,
            upload.stream if upload is not None else None,
            (upload.filename or "") if upload is not None else "",
            request.form.get("note", ""),
        ),
        _("已上传证据并记录其哈希值"),
        _back(case.id, "evidence"),
    )


@bp.get("/<int:case_id>/evidence/<int:evidence_id>")
@permission(Perm.CASES_VIEW)
def evidence_file(case_id: int, evidence_id: int) -> Any:
    case = get_case(case_id)
    try:
        ev = evidence.get_evidence(case, evidence_id)
    except ServiceError:
        abort(404)
    return stored_file_response(evidence.path_of(ev), ev.content_type, ev.filename)


@bp.post("/<int:case_id>/typical")
@permission(Perm.CASES_DECIDE)
def typical(case_id: int) -> Any:
    """以案释法: the principal head publishes a served decision as a typical case (or withdraws
    it); the explanation is masked on the public page like the decision."""
    ctx, case = request_context(), get_case(case_id)
    f = request.form
    on = f.get("typical") == "1"
    return _act(
        lambda: decision.mark_typical(ctx, case, on, f.get("typical_note", "")),
        _("已作为典型案例公开") if on else _("已撤回典型案例"),
        _back(case.id, "typical"),
    )


@bp.post("/<int:case_id>/measures")
@permission(Perm.CASES_EDIT)
def propose_measure(case_id: int) -> Any:
    """SX-13: an officer proposes a coercive measure with why lighter means do not suffice."""
    ctx, case = request_context(), get_case(case_id)
    f = request.form
    return _act(
        lambda: measures.propose(
            ctx,
            case,
            {
                "kind": f.get("kind"),
                "scope": f.get("scope", ""),
                "reason": f.get("reason", ""),
            },
        ),
        _("已提请采取措施，待法制审核"),
        _back(case.id, "measures"),
    )


@bp.post("/<int:case_id>/measures/<int:measure_id>/review")
@permission(Perm.CASES_REVIEW)
def review_measure(case_id: int, measure_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    m = measures.get_measure(case, measure_id)
    f = request.form
    return _act(
        lambda: measures.review(ctx, case, m, f.get("passed") == "1", f.get("opinion", "")),
        _("已记录措施的法制审核意见"),
        _back(case.id, "measures"),
    )


@bp.post("/<int:case_id>/measures/<int:measure_id>/approval")
@permission(Perm.CASES_DECIDE)
def approve_measure(case_id: int, measure_id: int) -> Any:
    ctx, case = request_context(), get_case(case_id)
    m = measures.get_measure(case, measure_id)
    f = request.form
    return _act(
        lambda: measures.approve(ctx, case, m, f.get("approved") == "1", f.get("note", "")),
        _("已记录主要负责人的批准意见"),
        _back(case.id, "measures"),
    )


@bp.get("/far-from-similar")
@permission(Perm.CASES_VIEW)
def far_from_similar() -> Any:
    """类案同罚 for the legal reviewer and oversight (principal head, auditor, admin): decided
    fines flagged far from their similar cases, within the reader's scope."""
    if not (can(Perm.CASES_REVIEW) or can(Perm.AUDIT_VIEW)):
        abort(403)
    rows = similar.far_decisions()
    case_ids = sorted({v.case_id for v in rows})
    found = (
        db.session.execute(select(Case).where(Case.id.in_(case_ids))).scalars().all()
        if case_ids
        else []
    )
    by_id = {c.id: c for c in found}
    return render_template(
        "cases/far.html",
        rows=rows,
        cases=by_id,
        names=cases.enterprise_names([c.enterprise_id for c in found]),
    )


def document_response(doc: documents.Document, back: str, docx_url: str, as_docx: bool) -> Any:
    if as_docx:
        name = f"{doc.title}-{doc.number or doc.date}.docx"
        from urllib.parse import quote

        return Response(
            documents.docx_bytes(doc),
            mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
        )
    return render_template("cases/document.html", doc=doc, back=back, docx=docx_url)


def _document(case_id: int, kind: str, as_docx: bool) -> Any:
    ctx = request_context()
    case = get_case(case_id)
    back = url_for(".show", case_id=case.id)
    try:
        doc = documents.build(ctx, case, kind)
    except ServiceError as exc:
        flash(_reasons(exc), "error")
        return redirect(back)
    return document_response(
        doc, back, url_for(".document_docx", case_id=case.id, kind=kind), as_docx
    )


@bp.get("/<int:case_id>/documents/<kind>")
@permission(Perm.CASES_VIEW)
def document(case_id: int, kind: str) -> Any:
    """The notice or the decision as a print view (SX-2)."""
    return _document(case_id, kind, as_docx=False)


@bp.get("/<int:case_id>/documents/<kind>.docx")
@permission(Perm.CASES_VIEW)
def document_docx(case_id: int, kind: str) -> Any:
    """The same document as an editable DOCX."""
    return _document(case_id, kind, as_docx=True)

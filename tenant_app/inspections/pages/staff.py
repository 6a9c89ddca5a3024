"""Inspection pages for staff: list, approvals inbox, create with the pre-save checks shown
(preview, create, one-click join into a joint inspection), the inspection page (approve/reject,
start, findings, record, evidence, finish, feedback) and the printable record (现场检查笔录)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from policies.vocab import TRIGGERS
from tenant_app import clock
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.http.bodies import accepts_upload
from tenant_app.inspections.services import (
    approvals,
    campaigns,
    checks,
    conduct,
    feedback,
    moments,
    plans,
    reports,
    storage,
)
from tenant_app.inspections.services.common import (
    NotFound,
    get,
    officer_pool,
    officer_search,
    rules_cited,
)
from tenant_app.models import Enterprise, InspectionEvidence
from tenant_app.models.inspection import (
    EVIDENCE_KINDS,
    FINDING_RESULTS,
    MODES,
    OFF_SITE_SOURCES,
    STATUSES,
)
from tenant_app.registry.pickers import chosen_enterprises, enterprise_pick
from tenant_app.tenancy.acting import request_context
from tenant_app.ui import picker
from tenant_app.ui.downloads import stored_file_response
from tenant_app.ui.labels import label
from tenant_app.ui.refused import again, refusal_text

bp = Blueprint("inspections", __name__, template_folder="../templates", url_prefix="/inspections")
LABELS = {
    "mode": MODES,
    "status": STATUSES,
    "trigger": TRIGGERS,
    "source": OFF_SITE_SOURCES,
    "result": FINDING_RESULTS,
    "evidence": EVIDENCE_KINDS,
}
MANUAL_TRIGGERS = {k: v for k, v in TRIGGERS.items() if k != "random_draw"}


def _after(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 19 else None


def _run(
    action: Callable[[], Any],
    ok: str,
    back: str,
    again: Callable[[ServiceError], Any] | None = None,
) -> Any:
    """Run a service action in one transaction. A refusal of a form with fields draws the page
    again with what was typed (``again``: tenant_app/ui/refused.py); of a one-button step it is
    flashed with its reasons."""
    try:
        action()
        db.session.commit()
        flash(ok, "success")
    except ServiceError as exc:
        if again is not None:
            return again(exc)
        db.session.rollback()
        flash(refusal_text(exc), "danger")
    return redirect(back)


@bp.get("/")
@permission(Perm.INSPECTIONS_VIEW)
def index() -> Any:
    status = request.args.get("status") or None
    page = plans.inspections(
        status=status if status in STATUSES else None,
        after=_after(request.args.get("after")),
        count=True,
    )
    names = _names([i.enterprise_id for i in page.items])
    return render_template(
        "inspections/index.html",
        page=page,
        names=names,
        labels=LABELS,
        status=status,
        overdue=feedback.overdue()[:50],
    )


@bp.get("/inbox")
@permission(Perm.INSPECTIONS_APPROVE)
def inbox() -> Any:
    rows = approvals.inbox(request_context())
    return render_template(
        "inspections/inbox.html",
        rows=rows,
        names=_names([i.enterprise_id for i in rows]),
        labels=LABELS,
    )


def _names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids))
        ).all()
    )


def _form_data() -> dict[str, Any]:
    f = request.form
    return {
        "enterprise_id": f.get("enterprise_id"),
        "mode": f.get("mode"),
        "trigger": f.get("trigger"),
        "planned_date": f.get("planned_date"),
        "officer_ids": f.getlist("officer_ids"),
        "campaign_id": f.get("campaign_id") or None,
        "join_with": f.get("join_with") or None,
        "data_source": f.get("data_source") or None,
        "title": f.get("title", ""),
        "self_report_id": f.get("self_report_id") or None,
    }


@bp.get("/pick/officers")
@permission(Perm.INSPECTIONS_VIEW)
def pick_officers() -> Any:
    """The officer picker's matches (htmx): the acting tenant's officers by part of the name or
    of the certificate number, keyset-paged."""
    ctx = request_context()
    ask = picker.ask_from_request("officer_ids")
    found = picker.results(
        ask,
        lambda q, after: officer_search(ctx, q, after),
        picker.officer_option,
        "web.inspections.pick_officers",
    )
    return picker.answer(ask, found)


def officer_pick(ctx: Any, form: Any, field: str, *, always: bool = True) -> picker.Results | None:
    """The officer picker's matches inside the page: the first page of the pool until searched."""
    ask = picker.ask_from_form(form, field, always=always)
    if ask is None:
        return None
    return picker.results(
        ask,
        lambda q, after: officer_search(ctx, q, after),
        picker.officer_option,
        "web.inspections.pick_officers",
    )


def chosen_officers(ctx: Any, ids: Any) -> list[tuple[Any, str]]:
    wanted = [int(x) for x in (ids if isinstance(ids, list) else [ids]) if str(x).isdigit()]
    wanted = [x for x in wanted if 0 < x < 2**63][:50]
    if not wanted:
        return []
    found = {u.id: u for u in officer_pool(ctx, wanted)}
    return [picker.officer_option(found[x]) for x in dict.fromkeys(wanted) if x in found]


@bp.route("/new", methods=["GET", "POST"])
@permission(Perm.INSPECTIONS_EDIT)
def new() -> Any:
    data: dict[str, Any] = {
        "enterprise_id": request.args.get("enterprise_id"),
        "mode": "on_site",
        "trigger": "proactive",
        "officer_ids": [],
    }
    ctx = request_context()
    report, errors, status = None, {}, 200
    picking = request.method == "POST" and bool(request.form.get("pick"))
    if picking:
        data = _form_data()  # a picker's search without scripts: nothing checked, nothing saved
    elif request.method == "POST":
        data = _form_data()
        try:
            if request.form.get("action") == "create" or data["join_with"]:
                insp = plans.create_inspection(ctx, data)
                db.session.commit()
                flash(
                    _(
                        "已创建检查 #%(id)s（%(status)s）",
                        id=insp.id,
                        status=label("inspection_status", insp.status),
                    ),
                    "success",
                )
                return redirect(url_for(".show", inspection_id=insp.id))
            report = checks.preview(ctx, data)
        except plans.Refused as exc:
            db.session.rollback()
            errors, status = {"rules": exc.errors.get("rules", [])}, 422
            try:
                report = checks.preview(ctx, data)
            except ServiceError:
                report = None
        except ServiceError as exc:
            db.session.rollback()
            errors, status = exc.errors or {"form": [exc.message]}, exc.status
    form = request.form if request.method == "POST" else request.args
    return render_template(
        "inspections/new.html",
        data=data,
        report=report,
        errors=errors,
        labels=LABELS,
        triggers=MANUAL_TRIGGERS,
        enterprise_chosen=chosen_enterprises(data.get("enterprise_id")),
        enterprise_results=enterprise_pick(form, "enterprise_id"),
        enterprise_q=form.get("enterprise_id_q", ""),
        officers_chosen=chosen_officers(ctx, data.get("officer_ids") or []),
        officer_results=officer_pick(ctx, form, "officer_ids"),
        officer_q=form.get("officer_ids_q", ""),
        campaigns=campaigns.usable(),
        leads=reports.leads(),
    ), status


@bp.get("/<int:inspection_id>/")
@permission(Perm.INSPECTIONS_VIEW)
def show(inspection_id: int) -> Any:
    ctx, insp = request_context(), plans.get_inspection(inspection_id)
    found = {f.item_key: f for f in conduct.findings(insp)}
    return render_template(
        "inspections/show.html",
        insp=insp,
        labels=LABELS,
        found=found,
        approvals=approvals.history(insp),
        evidence=conduct.evidence(insp),
        can_approve=approvals.can_approve(ctx, insp),
        rules=rules_cited(ctx),
        record_fields=conduct.RECORD_FIELDS,
        upload_key=uuid.uuid4().hex,  # a resubmitted form (no scripts) stores its file once
    )


@bp.get("/<int:inspection_id>/print")
@permission(Perm.INSPECTIONS_VIEW)
def print_record(inspection_id: int) -> Any:
    insp = plans.get_inspection(inspection_id)
    return render_template(
        "inspections/print.html",
        insp=insp,
        labels=LABELS,
        found={f.item_key: f for f in conduct.findings(insp)},
        evidence=conduct.evidence(insp),
        record_fields=conduct.RECORD_FIELDS,
    )


def _back(insp_id: int) -> str:
    return url_for(".show", inspection_id=insp_id)


@bp.post("/<int:inspection_id>/approve")
@permission(Perm.INSPECTIONS_APPROVE)
def approve(inspection_id: int) -> Any:
    ctx, insp = request_context(), plans.get_inspection(inspection_id)
    return _run(
        lambda: approvals.approve(ctx, insp, request.form.get("comment", "")),
        _("已审批同意"),
        _back(insp.id),
        again(show, "approval", inspection_id=insp.id),
    )


@bp.post("/<int:inspection_id>/reject")
@permission(Perm.INSPECTIONS_APPROVE)
def reject(inspection_id: int) -> Any:
    ctx, insp = request_context(), plans.get_inspection(inspection_id)
    return _run(
        lambda: approvals.reject(ctx, insp, request.form.get("comment", "")),
        _("已驳回"),
        _back(insp.id),
        again(show, "approval", inspection_id=insp.id),
    )


@bp.post("/<int:inspection_id>/start")
@permission(Perm.INSPECTIONS_EDIT)
def start(inspection_id: int) -> Any:
    ctx, insp = request_context(), plans.get_inspection(inspection_id)
    return _run(lambda: conduct.start(ctx, insp), _("检查已开始"), _back(insp.id))


@bp.post("/<int:inspection_id>/replan")
@permission(Perm.INSPECTIONS_EDIT)
def replan(inspection_id: int) -> Any:
    """Another day: judged again for it; what that day adds goes back to the approvers."""
    ctx, insp = request_context(), plans.get_inspection(inspection_id)
    return _run(
        lambda: moments.replan(
            ctx, insp, request.form.get("planned_date"), request.form.get("reason", "")
        ),
        _("已改期并重新核验"),
        _back(insp.id),
        again(show, "replan", inspection_id=insp.id),
    )


@bp.post("/<int:inspection_id>/prior-notice")
@permission(Perm.INSPECTIONS_EDIT)
def prior_notice(inspection_id: int) -> Any:
    ctx, insp = request_context(), plans.get_inspection(inspection_id)
    return _run(
        lambda: conduct.note_prior_notice(ctx, insp, request.form.get("prior_notice", "")),
        _("已登记事先告知"),
        _back(insp.id),
        again(show, "prior-notice", inspection_id=insp.id),
    )


def _partial() -> bool:
    """A request from a script of the page (htmx, or the evidence uploader) that wants a piece
    of the page back instead of a redirect."""
    return (
        request.headers.get("HX-Request") == "true"
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )


def _reasons(exc: ServiceError) -> list[str]:
    """What the line under an item says: a refused value's reasons by field (422), otherwise
    the refusal's own sentence (a conflict's details are codes, not words)."""
    if exc.status == 422 and exc.errors:
        return [str(r) for r in sum(exc.errors.values(), [])]
    return [exc.message]


def _saved_state(action: Callable[[], Any], field: str) -> Any:
    """Run one save of the record page for a script (htmx): the line under the item says it is
    saved (and when), or why not, by field; the transaction is committed or rolled back."""
    try:
        action()
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return render_template(
            "inspections/_saved.html", reasons=_reasons(exc), field=field
        ), exc.status
    at = format_datetime(clock.utcnow(), "HH:mm:ss")
    return render_template("inspections/_saved.html", reasons=[], at=at, field=field)


@bp.post("/<int:inspection_id>/findings/<item_key>")
@permission(Perm.INSPECTIONS_EDIT)
def finding_item(inspection_id: int, item_key: str) -> Any:
    """One checklist item, saved on its own as the officer records it (htmx, the page saves each
    item as it is chosen or typed): the same service call as the whole table and the API."""
    ctx, insp = request_context(), plans.get_inspection(inspection_id)
    key = item_key[:64]
    value = {
        key: {
            "result": request.form.get(f"result_{key}", ""),
            "note": request.form.get(f"note_{key}", ""),
        }
    }
    action = lambda: conduct.save_findings(ctx, insp, value)  # noqa: E731
    if _partial():
        return _saved_state(action, f"finding.{key}")
    return _run(action, _("已保存检查结果"), _back(insp.id) + "#findings")


@bp.post("/<int:inspection_id>/findings")
@permission(Perm.INSPECTIONS_EDIT)
def findings(inspection_id: int) -> Any:
    ctx, insp = request_context(), plans.get_inspection(inspection_id)
    # An item with a note but no result is sent too: the service asks for its result and the
    # page keeps the note, rather than dropping what the officer wrote on site.
    values = {
        i["key"]: {
            "result": request.form.get(f"result_{i['key']}", ""),
            "note": request.form.get(f"note_{i['key']}", ""),
        }
        for i in insp.checklist or []
        if request.form.get(f"result_{i['key']}")
        or request.form.get(f"note_{i['key']}", "").strip()
    }
    aliases = {f"finding.{i['key']}": f"result_{i['key']}" for i in insp.checklist or []}
    return _run(
        lambda: conduct.save_findings(ctx, insp, values),
        _("已保存检查结果"),
        _back(insp.id) + "#findings",
        again(show, "findings", inspection_id=insp.id, aliases=aliases, fields=aliases.values()),
    )


@bp.post("/<int:inspection_id>/record")
@permission(Perm.INSPECTIONS_EDIT)
def record(inspection_id: int) -> Any:
    """The record's fields: all of them from the form's button, or one as it is typed (htmx
    sends only that field, and gets back the line saying it is saved)."""
    ctx, insp = request_context(), plans.get_inspection(inspection_id)
    values = request.form.to_dict()
    action = lambda: conduct.save_record(ctx, insp, values)  # noqa: E731
    if _partial():
        return _saved_state(action, next((k for k in values if k in conduct.RECORD_FIELDS), ""))
    return _run(
        action,
        _("已保存检查笔录"),
        _back(insp.id) + "#record",
        again(show, "record", inspection_id=insp.id),
    )


@bp.post("/<int:inspection_id>/evidence")
@accepts_upload
@permission(Perm.INSPECTIONS_EDIT)
def evidence(inspection_id: int) -> Any:
    """One evidence file. The page's uploader (static/evidence-upload.js) sends it by XHR with
    progress and retries it over a flaky connection with the same ``upload_key``: the service
    returns the first attachment for a key it already holds, so a retry never stores twice.
    That request gets the evidence list back (or the reasons); the plain form a redirect."""
    ctx, insp = request_context(), plans.get_inspection(inspection_id)
    upload = request.files.get("file")

    def act() -> Any:
        if upload is None or not upload.filename:
            raise ServiceError("请选择文件", {"file": ["请选择文件"]})
        return conduct.add_evidence(
            ctx,
            insp,
            upload.stream,
            upload.filename,
            request.form.get("kind", ""),
            request.form.get("note", ""),
            upload_key=(request.form.get("upload_key") or "")[:100] or None,
        )

    if not _partial():
        return _run(act, _("已上传证据"), _back(insp.id) + "#evidence")
    try:
        ev = act()
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return render_template(
            "inspections/_saved.html", reasons=_reasons(exc), field="file"
        ), exc.status
    return render_template(
        "inspections/_evidence_list.html",
        insp=insp,
        evidence=conduct.evidence(insp),
        added=ev.id,
    ), 201


@bp.post("/<int:inspection_id>/bodycam")
@permission(Perm.INSPECTIONS_EDIT)
def bodycam(inspection_id: int) -> Any:
    ctx, insp = request_context(), plans.get_inspection(inspection_id)
    return _run(
        lambda: conduct.add_bodycam(
            ctx, insp, request.form.get("reference", ""), request.form.get("note", "")
        ),
        _("已登记执法记录仪视频"),
        _back(insp.id) + "#evidence",
        again(show, "bodycam", inspection_id=insp.id),
    )


@bp.get("/<int:inspection_id>/evidence/<int:evidence_id>")
@permission(Perm.INSPECTIONS_VIEW)
def evidence_file(inspection_id: int, evidence_id: int) -> Any:
    insp = plans.get_inspection(inspection_id)
    ev = get(InspectionEvidence, evidence_id, "该证据")
    if ev.inspection_id != insp.id or not ev.stored_name:
        raise NotFound("没有该证据文件")
    return stored_file_response(storage.path_of(ev.stored_name), ev.content_type, ev.filename)


@bp.post("/<int:inspection_id>/finish")
@permission(Perm.INSPECTIONS_EDIT)
def finish(inspection_id: int) -> Any:
    ctx, insp = request_context(), plans.get_inspection(inspection_id)
    return _run(
        lambda: conduct.finish(
            ctx,
            insp,
            conclusion=request.form.get("conclusion", ""),
            data_source=request.form.get("data_source") or None,
        ),
        _("检查已完成，请及时向企业反馈"),
        _back(insp.id),
        again(show, "finish", inspection_id=insp.id, fields=("findings",)),
    )


@bp.post("/<int:inspection_id>/feedback")
@permission(Perm.INSPECTIONS_EDIT)
def give_feedback(inspection_id: int) -> Any:
    ctx, insp = request_context(), plans.get_inspection(inspection_id)
    return _run(
        lambda: feedback.give_feedback(ctx, insp, request.form.get("feedback_text", "")),
        _("已向企业反馈"),
        _back(insp.id),
        again(show, "feedback", inspection_id=insp.id),
    )


@bp.post("/<int:inspection_id>/cancel")
@permission(Perm.INSPECTIONS_EDIT)
def cancel(inspection_id: int) -> Any:
    ctx, insp = request_context(), plans.get_inspection(inspection_id)
    return _run(
        lambda: plans.cancel(ctx, insp, request.form.get("reason", "")),
        _("已撤销"),
        _back(insp.id),
    )

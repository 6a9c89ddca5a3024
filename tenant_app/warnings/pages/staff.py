"""Staff pages for warnings (SX-1): the list (keyset-paged, by status, cause and enterprise), a
warning with the enterprise's answer and evidence, escalating and ending it, and the upload of
monitoring anomalies (CSV/XLSX)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.cases.services import cases as case_service
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.http.bodies import accepts_upload
from tenant_app.models import Case, Enterprise
from tenant_app.models.warning import WARNING_CAUSES, WARNING_STATUSES
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.downloads import stored_attachment
from tenant_app.ui.forms import ConfirmForm
from tenant_app.warnings.services import lifecycle, upload
from tenant_app.warnings.services.common import NotFound, get_warning, policy_of

bp = Blueprint("warnings", __name__, template_folder="../templates", url_prefix="/warnings")


def act(action: Callable[[], object], done: str) -> None:
    """One step after the CSRF check, in one transaction; another tenant's or enterprise's
    warning is a 404, a refusal is flashed with its reason."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action()
        db.session.commit()
        flash(done, "success")
    except ServiceError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        reasons = "；".join(m for msgs in exc.errors.values() for m in msgs)
        flash(
            f"{exc.message}{('：' + reasons) if reasons and reasons != exc.message else ''}",
            "danger",
        )


def _int(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 2**63 else None


@bp.get("/")
@permission(Perm.WARNINGS_VIEW)
def index() -> Any:
    ctx = request_context()
    status = request.args.get("status") or "open"
    cause = request.args.get("cause") or None
    page = lifecycle.warnings_page(
        ctx, status=status, cause=cause, enterprise_id=_int("enterprise_id"), after=_int("after")
    )
    ids = {w.enterprise_id for w in page.items}
    names = {
        e.id: e.name
        for e in db.session.execute(db.select(Enterprise).where(Enterprise.id.in_(ids))).scalars()
    }
    return render_template(
        "warnings/index.html",
        page=page,
        names=names,
        status=status,
        cause=cause,
        statuses=WARNING_STATUSES,
        causes=WARNING_CAUSES,
        kinds=policy_of(ctx).warning_kinds(),
    )


@bp.get("/<int:warning_id>/")
@permission(Perm.WARNINGS_VIEW)
def show(warning_id: int) -> Any:
    try:
        w = get_warning(warning_id)
    except NotFound:
        abort(404)
    case_id = db.session.execute(select(Case.id).where(Case.warning_id == w.id)).scalar()
    may_open_case = (
        case_id is None and case_service.why_no_case_yet(w, request_context().today) is None
    )
    return render_template(
        "warnings/show.html", w=w, e=w.enterprise, case_id=case_id, may_open_case=may_open_case
    )


@bp.post("/<int:warning_id>/escalate")
@permission(Perm.WARNINGS_EDIT)
def escalate(warning_id: int) -> Any:
    ctx = request_context()
    act(
        lambda: lifecycle.escalate(ctx, get_warning(warning_id), request.form.get("reason", "")),
        _("预警已升级"),
    )
    return redirect(url_for(".show", warning_id=warning_id))


@bp.post("/<int:warning_id>/finish")
@permission(Perm.WARNINGS_EDIT)
def finish(warning_id: int) -> Any:
    ctx = request_context()
    act(
        lambda: lifecycle.finish(
            ctx,
            get_warning(warning_id),
            request.form.get("outcome", ""),
            request.form.get("note", ""),
        ),
        _("预警已办结"),
    )
    return redirect(url_for(".show", warning_id=warning_id))


@bp.get("/<int:warning_id>/evidence")
@permission(Perm.WARNINGS_VIEW)
def evidence(warning_id: int) -> Any:
    try:
        w = get_warning(warning_id)
    except NotFound:
        abort(404)
    return evidence_response(w)


def evidence_response(w: Any) -> Any:
    name = f"evidence-{w.id}{lifecycle.EVIDENCE_TYPES.get(w.evidence_type, '')}"
    return stored_attachment(w.evidence if w.evidence_name else None, w.evidence_type, name)


@bp.route("/monitoring", methods=["GET", "POST"])
@accepts_upload
@permission(Perm.MONITORING_INTAKE)
def monitoring() -> Any:
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
            answer, created = upload.take_file(ctx, f.filename, f.stream)
            db.session.commit()
            result = {**answer, "replayed": not created}
            flash(
                _("已接收") if created else _("该文件已上传过，未重复写入"),
                "success" if created else "info",
            )
        except ServiceError as exc:
            db.session.rollback()
            errors = {**exc.errors, "_": [exc.message]}
    return render_template("warnings/monitoring.html", errors=errors, result=result), (
        422 if errors else 200
    )

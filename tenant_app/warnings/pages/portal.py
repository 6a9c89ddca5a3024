"""The enterprise's side of its warnings (SX-1): what it has been warned of and must do by when,
acknowledging and answering (explanation, measure taken, one evidence file), its compliance
calendar, and both as an iCalendar file for its own calendar. The enterprise is the one the
user's verified account links to, never an id from the URL."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.http.bodies import accepts_upload
from tenant_app.models.warning import EVIDENCE_MAX_BYTES, WARNING_CAUSES
from tenant_app.registry.services.compliance_calendar import compliance_calendar
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.forms import ConfirmForm
from tenant_app.warnings.pages.staff import act, evidence_response
from tenant_app.warnings.services import ics, lifecycle
from tenant_app.warnings.services.common import NotFound, mine, my_warning

bp = Blueprint(
    "warnings_portal",
    __name__,
    template_folder="../templates",
    url_prefix="/enterprise/warnings",
)


@bp.get("/")
@permission(Perm.OWN_WARNINGS)
def mine_page() -> Any:
    ctx = request_context()
    e = mine(ctx)
    return render_template(
        "warnings/mine.html",
        e=e,
        rows=lifecycle.my_warnings(ctx),
        calendar=compliance_calendar(e, ctx.today),
        today=ctx.today,
    )


def _mine_or_404(warning_id: int) -> Any:
    try:
        return my_warning(request_context(), warning_id)
    except NotFound:
        abort(404)


@bp.get("/<int:warning_id>/")
@permission(Perm.OWN_WARNINGS)
def show(warning_id: int) -> Any:
    w = _mine_or_404(warning_id)
    return render_template(
        "warnings/mine_show.html",
        w=w,
        errors={},
        form={},
        max_mb=EVIDENCE_MAX_BYTES // (1024 * 1024),
    )


@bp.post("/<int:warning_id>/acknowledge")
@permission(Perm.OWN_WARNINGS)
def acknowledge(warning_id: int) -> Any:
    ctx = request_context()
    act(lambda: lifecycle.acknowledge(ctx, my_warning(ctx, warning_id)), _("已确认收到预警"))
    return redirect(url_for(".show", warning_id=warning_id))


@bp.post("/<int:warning_id>/answer")
@accepts_upload
@permission(Perm.OWN_WARNINGS)
def answer(warning_id: int) -> Any:
    ctx = request_context()
    w = _mine_or_404(warning_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    f = request.files.get("evidence")
    evidence = None
    try:
        if f is not None and f.filename:
            data = f.stream.read(EVIDENCE_MAX_BYTES + 1)
            evidence = (f.filename, f.mimetype or "", data)
        lifecycle.answer(
            ctx, w, request.form.get("explanation", ""), request.form.get("measure", ""), evidence
        )
        db.session.commit()
        flash(_("已提交答复"), "success")
        return redirect(url_for(".show", warning_id=warning_id))
    except ServiceError as exc:
        db.session.rollback()
        w = _mine_or_404(warning_id)
        errors = {**exc.errors, "_": [exc.message]}
        return render_template(
            "warnings/mine_show.html",
            w=w,
            errors=errors,
            form=request.form,
            max_mb=EVIDENCE_MAX_BYTES // (1024 * 1024),
        ), exc.status


@bp.get("/<int:warning_id>/evidence")
@permission(Perm.OWN_WARNINGS)
def evidence(warning_id: int) -> Any:
    return evidence_response(_mine_or_404(warning_id))


@bp.get("/calendar.ics")
@permission(Perm.OWN_WARNINGS)
def calendar_ics() -> Any:
    ctx = request_context()
    e = mine(ctx)
    host = request.host or "tenant-app"
    events: list[tuple[str, Any, str, str]] = [
        (
            f"cal-{item.kind}-{item.day.isoformat()}-{e.id}@{host}",
            item.day,
            item.title,
            item.detail,
        )
        for item in compliance_calendar(e, ctx.today)
    ]
    for w in lifecycle.my_warnings(ctx):
        if w.is_open and w.status != "answered":
            events.append(
                (
                    f"warning-{w.id}@{host}",
                    w.answer_due,
                    f"答复预警：{WARNING_CAUSES.get(w.cause, w.cause)}",
                    f"请在此日前在线确认并答复（{w.rule_id}）。",
                )
            )
    body = ics.calendar(f"{e.name} 合规日历", events, ctx.at)
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": "attachment; filename=compliance-calendar.ics"},
    )

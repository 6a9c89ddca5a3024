"""The enterprise user's side of inspections: its own inspections and their feedback (read
online, SX-6), its self-inspection reports (XJ-S) and its requests for an inspection. The
enterprise is always the one the user's verified account links to, never an id from the URL."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.extensions import db
from tenant_app.http.bodies import accepts_upload
from tenant_app.inspections.pages.staff import LABELS, _run
from tenant_app.inspections.services import reports, requests, visits
from tenant_app.models.inspection import REPORT_STATUSES
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.refused import again

bp = Blueprint(
    "inspections_portal",
    __name__,
    template_folder="../templates",
    url_prefix="/enterprise/inspections",
)


@bp.get("/")
@permission(Perm.OWN_INSPECTIONS)
def mine() -> Any:
    return render_template(
        "inspections/mine.html",
        rows=requests.my_inspections(request_context()),
        labels=LABELS,
        reports=reports.my_reports(request_context()),
        anomalies=reports.my_anomalies(request_context()),
        report_status=REPORT_STATUSES,
        my_requests=requests.my_requests(request_context()),
        budget=visits.my_budget(request_context()),
    )


@bp.get("/<int:inspection_id>/")
@permission(Perm.OWN_INSPECTIONS)
def my_inspection(inspection_id: int) -> Any:
    insp = requests.my_inspection(request_context(), inspection_id)  # marks the feedback read
    db.session.commit()
    return render_template("inspections/mine_show.html", insp=insp, labels=LABELS)


@bp.post("/self-reports")
@accepts_upload
@permission(Perm.OWN_INSPECTIONS)
def submit_report() -> Any:
    ctx, upload = request_context(), request.files.get("file")
    return _run(
        lambda: reports.submit(
            ctx,
            request.form.get("summary", ""),
            upload.stream if upload and upload.filename else None,
            (upload.filename or "") if upload else "",
            request.form.get("anomaly_record_id") or None,
        ),
        _("已提交自查报告，等待审核"),
        url_for(".mine"),
        again(mine, "report"),
    )


@bp.post("/requests")
@permission(Perm.OWN_INSPECTIONS)
def submit_request() -> Any:
    ctx = request_context()
    return _run(
        lambda: requests.submit(
            ctx, request.form.get("reason", ""), request.form.get("preferred_date")
        ),
        _("已提交检查申请"),
        url_for(".mine"),
        again(mine, "request"),
    )

"""A job's progress page (polls the JSON API) and a button to run the pipeline self-check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, url_for

from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.extensions import db
from tenant_app.jobs.enqueue import enqueue
from tenant_app.models import Job
from tenant_app.tenancy.queries import get_or_404
from tenant_app.ui.forms import ConfirmForm
from tenant_app.ui.labels import label

bp = Blueprint("jobs", __name__, template_folder="templates", url_prefix="/jobs")


@bp.get("/<path:job_id>/")
@permission(Perm.JOBS_VIEW)
def show(job_id: str) -> str:
    return render_template("jobs/show.html", job=get_or_404(Job, job_id))


@bp.get("/<path:job_id>/status")
@permission(Perm.JOBS_VIEW)
def status(job_id: str) -> Any:
    job = get_or_404(Job, job_id)
    return jsonify(
        id=job.id,
        status=job.status,
        status_label=label("job_status", job.status),
        progress=job.progress,
        message=job.message,
        error=job.error,
    )


@bp.post("/self-check")
@permission(Perm.JOBS_RUN)
def self_check() -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    job = enqueue("housekeeping.self_check", {"steps": 5, "pause": 0.5})
    db.session.commit()
    return redirect(url_for(".show", job_id=job.id))

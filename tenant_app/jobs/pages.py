"""A job's page: its progress box (polled through htmx), the reason and a retry button when it
failed, the file when it made one; the JSON poll; and a button to run the pipeline self-check.

The progress box (templates/jobs/_progress.html) is also included by the pages that start a
job (an import, a screening run); it asks ``/progress`` again while the job is active and, with
``reload=1``, reloads its page once the job has ended so the page can show the result."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import BooleanField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.jobs import status as job_status
from tenant_app.jobs.enqueue import enqueue
from tenant_app.models import Job, JobStatus
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.forms import ConfirmForm
from tenant_app.ui.labels import label

bp = Blueprint("jobs", __name__, template_folder="templates", url_prefix="/jobs")


class RetryForm(FlaskForm):
    """The attempt count the person saw: a second click carries the same and starts nothing."""

    attempt = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=10_000)])
    reload = BooleanField()


def _job(job_id: str) -> Job:
    return job_status.get_job(request_context(), job_id)


def _box(job: Job, reload: bool) -> str:
    return render_template(
        "jobs/_progress.html",
        v=job_status.view(job),
        reload=reload,
        can_download=job_status.file_of(request_context(), job) is not None,
    )


@bp.app_template_global("job_progress")
def job_progress(job: Job | str | None, reload: bool = True) -> Markup:
    """The progress box of a job (a row or its id) for a page that started it; nothing when
    the job is not readable here. ``reload``: reload the page once the job has ended."""
    if isinstance(job, str):
        try:
            job = _job(job)
        except ServiceError:
            return Markup("")
    if job is None:
        return Markup("")
    return Markup(_box(job, reload))  # noqa: S704 - a rendered, autoescaped template


@bp.get("/<path:job_id>/")
@permission(Perm.JOBS_VIEW)
def show(job_id: str) -> str:
    return render_template("jobs/show.html", job=_job(job_id))


@bp.get("/<path:job_id>/progress")
@permission(Perm.JOBS_VIEW)
def progress(job_id: str) -> Any:
    """The progress box alone, for htmx. ``reload=1``: the including page shows the job's
    result below the box, so once the job has ended htmx reloads the whole page."""
    job = _job(job_id)
    reload = request.args.get("reload") == "1"
    if reload and job.status not in JobStatus.ACTIVE and request.headers.get("HX-Request"):
        resp = make_response("", 200)
        resp.headers["HX-Refresh"] = "true"
        return resp
    return _box(job, reload)


@bp.get("/<path:job_id>/status")
@permission(Perm.JOBS_VIEW)
def status(job_id: str) -> Any:
    ctx = request_context()
    job = _job(job_id)
    v = job_status.view(job)
    return jsonify(
        id=job.id,
        status=job.status,
        status_label=label("job_status", job.status),
        progress=v.percent,
        items_done=v.done,
        items_total=v.total,
        message=job.message,
        error=job.error,
        waiting_for_worker=v.waiting,
        waited_minutes=v.waited_minutes,
        download_url=(
            url_for(".download", job_id=job.id)
            if job_status.file_of(ctx, job) is not None
            else None
        ),
    )


@bp.post("/<path:job_id>/retry")
@permission(Perm.JOBS_VIEW)
def retry(job_id: str) -> Any:
    """A new attempt of a failed job (jobs/status.py: who may, and why twice starts once)."""
    _job(job_id)  # another tenant's job and a missing one: 404 before anything is read
    form = RetryForm()
    if not form.validate_on_submit():
        abort(400)
    job, started = job_status.retry(request_context(), job_id, int(form.attempt.data or 0))
    db.session.commit()
    if request.headers.get("HX-Request"):
        return _box(job, bool(form.reload.data))
    if started:
        flash(_("已重新开始该任务"), "success")
    else:
        flash(_("该任务已在重试，或已不是失败状态，没有再次开始"), "info")
    return redirect(url_for(".show", job_id=job.id))


@bp.get("/<path:job_id>/file")
@permission(Perm.JOBS_VIEW)
def download(job_id: str) -> Response:
    """The file the job made, for the person who asked for it (404 for anyone else)."""
    found = job_status.file_of(request_context(), _job(job_id))
    if found is None:
        abort(404)
    db.session.rollback()  # end the read transaction before the (long) download
    return send_file(
        found.path,
        mimetype=found.content_type,
        as_attachment=True,
        download_name=found.download_name,
    )


@bp.post("/self-check")
@permission(Perm.JOBS_RUN)
def self_check() -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    job = enqueue("housekeeping.self_check", {"steps": 5, "pause": 0.5})
    db.session.commit()
    return redirect(url_for(".show", job_id=job.id))

"""Bulk import pages (upload, progress and result, error downloads, a template per kind) and
the enterprise list's XLSX export (at once, or as a job for a large set)."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import RadioField, SelectField

from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.core.errors import ServiceError
from tenant_app.core.spreadsheet import safe_row
from tenant_app.extensions import db
from tenant_app.http.bodies import accepts_upload
from tenant_app.imports.downloads import import_job, report_file, send_export
from tenant_app.imports.services import export as export_service
from tenant_app.imports.services import storage
from tenant_app.imports.services.columns import kinds, required_for, titles_for
from tenant_app.models import Job
from tenant_app.models.job import JOB_STATUS_LABELS
from tenant_app.registry.services import enterprise_search
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.forms import ConfirmForm
from tenant_app.ui.links import filter_args

bp = Blueprint("imports", __name__, template_folder="templates")
STATUS = JOB_STATUS_LABELS


class ImportForm(FlaskForm):
    kind = SelectField(_l("导入内容"), choices=[], validate_choice=False)
    file = FileField(_l("文件（CSV 或 XLSX）"))
    mode = RadioField(
        _l("导入方式"), choices=list(storage.MODES.items()), default="all", validate_choice=False
    )


def _form() -> ImportForm:
    form = ImportForm()
    form.kind.choices = list(kinds().items())
    return form


def _recent() -> list[Job]:
    return list(
        db.session.execute(
            select(Job)
            .where(Job.name == storage.JOB_NAME)
            .order_by(Job.created_at.desc())
            .limit(20)
        ).scalars()
    )


@bp.route("/imports/", methods=["GET", "POST"])
@accepts_upload
@permission(Perm.IMPORTS_RUN)
def index() -> Any:
    form = _form()
    if form.validate_on_submit():
        upload = request.files.get("file")
        try:
            job = storage.start_import(
                request_context(),
                upload.stream if upload else None,
                upload.filename if upload else "",
                form.kind.data,
                form.mode.data,
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            for name, reasons in exc.errors.items():
                getattr(form, name, form.file).errors = list(reasons)
            if not exc.errors:
                form.form_errors.append(exc.message)
        else:
            return redirect(url_for(".show", job_id=job.id))
    elif request.method == "POST" and not form.errors:
        form.form_errors.append(_l("请求有误，请刷新页面后重试"))
    failed = request.method == "POST"
    return render_template(
        "imports/index.html",
        form=form,
        recent=_recent(),
        kinds=kinds(),
        modes=storage.MODES,
        status=STATUS,
    ), (422 if failed else 200)


@bp.get("/imports/<job_id>/")
@permission(Perm.IMPORTS_RUN)
def show(job_id: str) -> Any:
    job = import_job(job_id)
    return render_template(
        "imports/show.html",
        job=job,
        args=job.args or {},
        result=job.result or {},
        kinds=kinds(),
        modes=storage.MODES,
        status=STATUS,
    )


@bp.get("/imports/<job_id>/errors.csv")
@permission(Perm.IMPORTS_RUN)
def errors_csv(job_id: str) -> Any:
    return report_file(job_id, "csv")


@bp.get("/imports/<job_id>/errors.xlsx")
@permission(Perm.IMPORTS_RUN)
def errors_xlsx(job_id: str) -> Any:
    return report_file(job_id, "xlsx")


@bp.get("/imports/template.csv")
@permission(Perm.IMPORTS_RUN)
def template() -> Any:
    """An empty file with the canonical column titles of a kind (required ones first)."""
    kind = request.args.get("kind", "enterprises")
    if kind not in kinds():
        abort(404)
    titles = titles_for(kind)
    order = [*required_for(kind), *[f for f in titles if f not in required_for(kind)]]
    buf = io.StringIO()
    csv.writer(buf).writerow(safe_row(titles[f][0] for f in order))
    return Response(
        "\ufeff" + buf.getvalue(),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename=import-template-{kind}.csv"},
    )


@bp.get("/enterprises/export.xlsx")
@permission(Perm.ENTERPRISES_VIEW)
def export() -> Any:
    """The file at once up to EXPORT_INLINE_MAX_ROWS rows; a larger set is offered as a job on
    the export page (one more click there: a GET link starts nothing)."""
    try:
        flt = enterprise_search.parse_filters(request.args.to_dict())
    except ServiceError:
        # the filters back, never url_for's instructions (_external…) or another tenant
        return redirect(url_for("web.enterprises.index", **filter_args(request.args.to_dict())))
    large, _n = export_service.runs_as_job(request_context(), flt)
    if large:
        return redirect(url_for(".export_job", **filter_args(request.args.to_dict())))
    return send_export(flt)


@bp.route("/enterprises/export/", methods=["GET", "POST"])
@permission(Perm.ENTERPRISES_VIEW)
def export_job() -> Any:
    """How many enterprises the filter finds and, for a large set, the button that makes the
    file in the background (the job's page offers it when ready)."""
    ctx = request_context()
    source = request.form if request.method == "POST" else request.args
    args = filter_args(source.to_dict(), drop=("csrf_token",))
    try:
        flt = enterprise_search.parse_filters(args)
    except ServiceError:
        return redirect(url_for("web.enterprises.index", **filter_args(args)))
    large, n = export_service.runs_as_job(ctx, flt)
    errors: list[str] = []
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            errors.append(_l("页面已过期，请刷新后重试"))
        else:
            try:
                job = export_service.start_export(ctx, flt)
                db.session.commit()
            except ServiceError as exc:
                db.session.rollback()
                errors.extend(r for reasons in exc.errors.values() for r in reasons)
                errors = errors or [exc.message]
            else:
                return redirect(url_for("web.jobs.show", job_id=job.id))
    return render_template(
        "imports/export.html",
        count=n,
        large=large,
        limit=int(current_app.config["EXPORT_INLINE_MAX_ROWS"]),
        args=args,
        errors=errors,
        form=ConfirmForm(),
    ), (422 if errors else 200)

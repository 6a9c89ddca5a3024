"""The files the import pages and the import API both send: an import's error report and the
enterprise list's export (one audit line per export: who took which data). An export larger
than EXPORT_INLINE_MAX_ROWS is not sent: it runs as a job (imports/services/export.py)."""

from __future__ import annotations

from typing import Any

from flask import abort, send_file

from tenant_app.audit import log as audit
from tenant_app.extensions import db
from tenant_app.imports.services import storage
from tenant_app.imports.services.export import (
    export_enterprises,
    filters_summary,
    runs_as_job,
    start_export,
)
from tenant_app.models import Job
from tenant_app.registry.services import enterprise_search
from tenant_app.tenancy.acting import request_context
from tenant_app.tenancy.queries import get_or_404

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def import_job(job_id: str) -> Job:
    """The tenant's import job or 404 (another tenant's, or a job of another kind)."""
    job = get_or_404(Job, job_id)
    if job.name != storage.JOB_NAME:
        abort(404)
    return job


def report_file(job_id: str, fmt: str) -> Any:
    job = import_job(job_id)
    name = ((job.result or {}).get("report") or {}).get(fmt)
    if not name:
        abort(404)
    path = storage.folder(job.tenant_id) / name
    if not path.is_file():
        abort(404)
    mime = XLSX_MIME if fmt == "xlsx" else "text/csv; charset=utf-8"
    return send_file(
        path,
        mimetype=mime,
        as_attachment=True,
        download_name=f"导入错误清单-{job.args.get('kind', '')}.{fmt}",
    )


def send_export(flt: enterprise_search.Filters) -> Any:
    """Stream the file and leave one audit line (who took which data)."""
    out, n = export_enterprises(flt)
    ctx = request_context()
    if ctx.tenant_id is not None:
        audit.record_now(
            ctx,
            "enterprise.exported",
            object_type="enterprise_export",
            after={"filters": filters_summary(flt), "rows": n},
        )
    db.session.rollback()  # end the read transaction before the (long) download
    return send_file(out, mimetype=XLSX_MIME, as_attachment=True, download_name="企业名录.xlsx")


def export_job(flt: enterprise_search.Filters) -> Job | None:
    """For a large set: the export job started (and committed) for the person asking; None when
    the set is small enough to send at once (send_export)."""
    ctx = request_context()
    large, _n = runs_as_job(ctx, flt)
    if not large:
        return None
    job = start_export(ctx, flt)
    db.session.commit()
    return job

"""The enterprise list's current filter as an XLSX file, in constant memory.

Rows are read in keyset chunks on id (each chunk one short query, so no cursor stays open while
the job reports its progress through another connection) and written with openpyxl's
write_only workbook, which spools each row to a temporary file instead of keeping cells in
memory. The headers are the import's titles, so an exported file can be edited and imported
again (new enterprises; existing codes are reported).

Up to EXPORT_INLINE_MAX_ROWS rows the file is sent at once (imports/downloads.py). A larger set
runs as the job "imports.export_enterprises" (:func:`start_export`, :func:`run_export`): the
file goes through the one upload store into the tenant's folder, the audit line
"enterprise.exported" is written with it, and the job's page offers the file to the person who
asked for it (jobs/status.py).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from datetime import date, datetime
from typing import IO, Any

from flask import current_app
from sqlalchemy import func, select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.core import uploads
from tenant_app.core.errors import Throttled
from tenant_app.core.spreadsheet import safe_row, safe_text
from tenant_app.extensions import db
from tenant_app.imports.services.columns import ENTERPRISE_TITLES
from tenant_app.jobs.enqueue import enqueue
from tenant_app.jobs.registry import Progress
from tenant_app.jobs.status import FILE_AREA, offer_file
from tenant_app.models import AuditEntry, Enterprise, Industry, Job, JobStatus, Tenant
from tenant_app.models.enterprise import ENTERPRISE_TAGS, PERMIT_CLASSES, SUPERVISION_CATEGORIES
from tenant_app.registry.services.enterprise_rows import BOOL_FIELDS, FIELDS, UNKNOWN_OK_FIELDS
from tenant_app.registry.services.enterprise_search import Filters, parse_filters, search_statement

MAX_ROWS = 1_000_000  # an XLSX sheet holds 1,048,576 rows
CHUNK = 2000
JOB_NAME = "imports.export_enterprises"
FILE_NAME = "企业名录.xlsx"
_EXPORT_FIELDS = [("county" if f == "county_tenant_id" else f) for f in FIELDS]


def _cell(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field in BOOL_FIELDS or field in UNKNOWN_OK_FIELDS:
        return "是" if value else "否"
    if field == "permit_class":
        return PERMIT_CLASSES.get(value, value)
    if field == "supervision_category":
        return SUPERVISION_CATEGORIES.get(value, value)
    if field == "tags":
        return "、".join(ENTERPRISE_TAGS.get(t, t) for t in value or [])
    if isinstance(value, date | datetime):
        return value.isoformat()[:10]
    return safe_text(value) if isinstance(value, str) else value


def count_matching(flt: Filters) -> int:
    """How many enterprises the filter finds (what decides between a download and a job)."""
    stmt = search_statement(flt).with_only_columns(Enterprise.id).order_by(None)
    return int(db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())


def export_enterprises(
    flt: Filters, progress: Progress | None = None, total: int | None = None
) -> tuple[IO[bytes], int]:
    """(an open temporary file positioned at 0, rows written). The file deletes itself when
    closed, so the response that streams it cleans up after itself. ``progress`` hears after
    every chunk how many rows are written of ``total``."""
    from openpyxl import Workbook

    base = search_statement(flt).order_by(Enterprise.id)
    columns = [
        getattr(Enterprise, f if f != "county" else "county_tenant_id") for f in _EXPORT_FIELDS
    ]
    stmt = (
        base.with_only_columns(Enterprise.id, *columns, Industry.name, Tenant.name)
        .outerjoin_from(Enterprise, Industry, Enterprise.industry_code == Industry.code)
        .outerjoin(Tenant, Enterprise.county_tenant_id == Tenant.id)
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("企业名录")
    titles = [ENTERPRISE_TITLES[f][0] for f in _EXPORT_FIELDS]
    titles.insert(_EXPORT_FIELDS.index("industry_code") + 1, "行业名称")
    ws.append(safe_row(titles))
    n, last = 0, 0
    while n < MAX_ROWS:
        rows = db.session.execute(
            stmt.where(Enterprise.id > last).limit(min(CHUNK, MAX_ROWS - n))
        ).all()
        if not rows:
            break
        for row in rows:
            last, *values, industry_name, county_name = row
            cells = [_cell(f, v) for f, v in zip(_EXPORT_FIELDS, values, strict=True)]
            cells[_EXPORT_FIELDS.index("county")] = county_name
            cells.insert(_EXPORT_FIELDS.index("industry_code") + 1, industry_name)
            ws.append(safe_row(cells))
        n += len(rows)
        if progress is not None:
            of = max(total or 0, n)
            progress(int(90 * n / max(of, 1)), f"已写出 {n} 家企业", done=n, total=of)
    out = tempfile.TemporaryFile(prefix="export-", suffix=".xlsx")  # noqa: SIM115 - the response closes it
    try:
        wb.save(out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out, n


def runs_as_job(ctx: Context, flt: Filters) -> tuple[bool, int]:
    """(whether this export is large enough to run as a job, how many rows it has)."""
    n = count_matching(flt)
    return n > int(current_app.config["EXPORT_INLINE_MAX_ROWS"]), n


def start_export(ctx: Context, flt: Filters) -> Job:
    """Queue the export of the filter's enterprises for the person asking (the caller commits).

    Asking again for the same filter while that export still waits or runs returns the same job
    (a double click makes one file); a tenant keeps at most EXPORTS_PER_TENANT exports going."""
    require_action(ctx, Perm.ENTERPRISES_VIEW)
    args = {"filters": filters_summary(flt)}
    active = list(
        db.session.execute(
            select(Job).where(Job.name == JOB_NAME, Job.status.in_(JobStatus.ACTIVE))
        ).scalars()
    )
    for job in active:
        if job.created_by == ctx.user_id and (job.args or {}) == args:
            return job
    cap = int(current_app.config["EXPORTS_PER_TENANT"])
    if len(active) >= cap:
        reason = f"本单位已有 {len(active)} 个导出在排队或进行中（同时最多 {cap} 个），请等其完成后再导出"
        raise Throttled(reason, {"export": [reason]})
    return enqueue(JOB_NAME, args, job_id=f"export:{ctx.tenant_id}:{uuid.uuid4().hex}")


def _recorded(job_id: str) -> dict[str, Any] | None:
    after = db.session.execute(
        select(AuditEntry.after).where(
            AuditEntry.object_type == "enterprise_export",
            AuditEntry.object_id == job_id[:64],
            AuditEntry.action == "enterprise.exported",
        )
    ).scalar()
    return after if isinstance(after, dict) else None


def run_export(
    ctx: Context, progress: Progress, job_id: str, filters: dict[str, Any]
) -> dict[str, Any]:
    """The job's body: the file into the tenant's folder of the upload store, and one audit line
    naming who asked for which data, in the run's transaction (a failed run leaves neither).
    A run that finds its audit line (a redelivery after the commit) returns what was recorded."""
    if (done := _recorded(job_id)) is not None:
        return done
    tenant_id = ctx.tenant_id
    if tenant_id is None:
        raise RuntimeError("an export needs a write tenant in scope")
    flt = parse_filters(filters)
    total = count_matching(flt)
    progress(1, f"共 {total} 家企业，开始导出", done=0, total=total)
    out, n = export_enterprises(flt, progress, total)
    with out:
        progress(95, "正在保存文件", done=n, total=max(n, total))
        stored = uploads.store(
            out,
            FILE_NAME,
            area=FILE_AREA,
            tenant_id=tenant_id,
            allowed=(".xlsx",),
            max_bytes=2**40,  # our own file: its size is bounded by MAX_ROWS, not by a limit
        )
    made = utcnow().timestamp()  # kept EXPORT_KEEP_HOURS from now (a same file made earlier too)
    os.utime(uploads.path_of(stored.stored_name), (made, made))
    result = {
        "rows": n,
        "filters": filters_summary(flt),
        "file": offer_file(stored, FILE_NAME, rows=n),
    }
    audit.record(
        ctx,
        "enterprise.exported",
        object_type="enterprise_export",
        object_id=job_id[:64],
        after={**result, "job": job_id},
    )
    return result


def filters_summary(flt: Filters) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k, v in flt.__dict__.items()
        if v not in ("", None)
    }

"""The enterprise list's current filter as an XLSX file, in constant memory.

Rows are read with a server-side cursor (``yield_per``: PostgreSQL streams, nothing is
materialised) and written with openpyxl's write_only workbook, which spools each row to a
temporary file instead of keeping cells in memory. The headers are the import's titles, so an
exported file can be edited and imported again (new enterprises; existing codes are reported).
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from typing import IO, Any

from tenant_app.core.spreadsheet import safe_row, safe_text
from tenant_app.extensions import db
from tenant_app.imports.services.columns import ENTERPRISE_TITLES
from tenant_app.models import Enterprise, Industry, Tenant
from tenant_app.models.enterprise import ENTERPRISE_TAGS, PERMIT_CLASSES, SUPERVISION_CATEGORIES
from tenant_app.registry.services.enterprise_rows import BOOL_FIELDS, FIELDS, UNKNOWN_OK_FIELDS
from tenant_app.registry.services.enterprise_search import Filters, search_statement

MAX_ROWS = 1_000_000  # an XLSX sheet holds 1,048,576 rows
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


def export_enterprises(flt: Filters) -> tuple[IO[bytes], int]:
    """(an open temporary file positioned at 0, rows written). The file deletes itself when
    closed, so the response that streams it cleans up after itself."""
    from openpyxl import Workbook

    base = search_statement(flt).order_by(Enterprise.id)
    columns = [
        getattr(Enterprise, f if f != "county" else "county_tenant_id") for f in _EXPORT_FIELDS
    ]
    stmt = (
        base.with_only_columns(*columns, Industry.name, Tenant.name)
        .outerjoin_from(Enterprise, Industry, Enterprise.industry_code == Industry.code)
        .outerjoin(Tenant, Enterprise.county_tenant_id == Tenant.id)
        .limit(MAX_ROWS)
        .execution_options(yield_per=2000)
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("企业名录")
    titles = [ENTERPRISE_TITLES[f][0] for f in _EXPORT_FIELDS]
    titles.insert(_EXPORT_FIELDS.index("industry_code") + 1, "行业名称")
    ws.append(safe_row(titles))
    n = 0
    for row in db.session.execute(stmt):
        *values, industry_name, county_name = row
        cells = [_cell(f, v) for f, v in zip(_EXPORT_FIELDS, values, strict=True)]
        cells[_EXPORT_FIELDS.index("county")] = county_name
        cells.insert(_EXPORT_FIELDS.index("industry_code") + 1, industry_name)
        ws.append(safe_row(cells))
        n += 1
    out = tempfile.TemporaryFile(prefix="export-", suffix=".xlsx")  # noqa: SIM115 - the response closes it
    try:
        wb.save(out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out, n


def filters_summary(flt: Filters) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k, v in flt.__dict__.items()
        if v not in ("", None)
    }

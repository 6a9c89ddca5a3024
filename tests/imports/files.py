"""Import test data: enterprise rows (good and bad) as CSV or XLSX bytes, and running an import."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import func, select

from tenant_app.extensions import db
from tenant_app.imports.services.storage import start_import
from tenant_app.models import ComplianceRecord, Enterprise, Job
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import tenant
from ..registry.factory import uscc

HEADER = [
    "统一社会信用代码",
    "企业名称",
    "地址",
    "行业代码",
    "许可管理类别",
    "许可证（登记）编号",
    "许可证有效期起",
    "许可证有效期止",
    "重点排污单位",
    "备注",
]


def good_row(n: int, division: str = "650100") -> list[Any]:
    code = uscc(n, division)
    return [
        code,
        f"新疆测试{n}号化工有限公司",
        "乌鲁木齐市天山区",
        "C2614",
        "重点管理",
        f"{code}001P",
        "2023-01-01",
        "2027-12-31",
        "是",
        "随便写",
    ]


def mixed_rows() -> list[list[Any]]:
    """Rows 2, 3, 5, 7 are good; 4 has a wrong check digit; 6 has no name and a bad date;
    8 repeats row 2's code."""
    bad_check = good_row(3)
    code = bad_check[0]
    bad_check[0] = code[:17] + ("0" if code[17] != "0" else "1")
    no_name = good_row(4)
    no_name[1], no_name[7] = "", "2027-02-30"
    return [good_row(1), good_row(2), bad_check, good_row(5), no_name, good_row(6), good_row(1)]


def csv_bytes(
    rows: list[list[Any]], header: list[str] = HEADER, encoding: str = "utf-8-sig"
) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run_import(
    data: bytes,
    filename: str = "企业.csv",
    kind: str = "enterprises",
    mode: str = "all",
    slug: str = "xj-urumqi",
    user_id: int | None = None,
) -> dict[str, Any]:
    """Upload through the service as a request would; the job runs at commit (JOBS_EAGER)."""
    with use_scope(tenant_scope(tenant(slug), user_id)):
        job_id = start_import(scope_context(), io.BytesIO(data), filename, kind, mode).id
        db.session.commit()
    return job_row(job_id)


def job_row(job_id: str) -> dict[str, Any]:
    db.session.rollback()
    with use_scope(system_scope()):
        row = db.session.execute(select(Job).where(Job.id == job_id)).scalar_one()
        out = {c.key: getattr(row, c.key) for c in Job.__table__.columns}
    db.session.rollback()
    return out


def enterprise_codes(slug: str = "xj-urumqi") -> list[str]:
    t = tenant(slug)
    with use_scope(system_scope()):
        codes = (
            db.session.execute(
                select(Enterprise.uscc)
                .where(Enterprise.tenant_id == t.id)
                .order_by(Enterprise.uscc)
            )
            .scalars()
            .all()
        )
    db.session.rollback()
    return list(codes)


def record_count(slug: str = "xj-urumqi") -> int:
    t = tenant(slug)
    with use_scope(system_scope()):
        n = db.session.execute(
            select(func.count())
            .select_from(ComplianceRecord)
            .where(ComplianceRecord.tenant_id == t.id)
        ).scalar_one()
    db.session.rollback()
    return int(n)

"""Registry test data: valid credit codes and enterprises/records made through the services."""

from __future__ import annotations

from datetime import date
from typing import Any

from tenant_app.core.uscc import with_check_digit
from tenant_app.extensions import db
from tenant_app.models import ComplianceRecord, Enterprise
from tenant_app.registry.services import enterprises, records
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import tenant


def uscc(n: int, division: str = "650100") -> str:
    """A real-format code: 9 (工商) 1 (企业), the division, a 9-character org code, check digit."""
    return with_check_digit(f"91{division}{n:08d}X")


def make_enterprise(slug: str, n: int, user_id: int | None = None, **fields: Any) -> Enterprise:
    t = tenant(slug)
    row = {
        "uscc": uscc(n, t.division_code),
        "name": f"测试企业{n}有限公司",
        "industry_code": "C2822",
        "permit_class": "key",
        "permit_no": f"{uscc(n, t.division_code)}001P",
        "permit_valid_from": "2023-01-01",
        "permit_valid_to": "2027-12-31",
        **fields,
    }
    with use_scope(tenant_scope(t, user_id)):
        e = enterprises.create_enterprise(scope_context(), row)
        db.session.commit()
        db.session.refresh(e)
        # Detached with its values loaded: outside this scope RLS (PostgreSQL) hides the row, so
        # a lazy reload from a test would find nothing.
        db.session.expunge(e)
        return e


def add_record(
    slug: str, e: Enterprise, kind: str, user_id: int | None = None, **fields: Any
) -> ComplianceRecord:
    row = {"source": "测试数据", "ref": f"测试〔{kind}〕1号", "summary": f"{kind} 概况", **fields}
    if isinstance(row.get("record_date"), date):
        row["record_date"] = row["record_date"].isoformat()
    with use_scope(tenant_scope(tenant(slug), user_id)):
        rec = records.add_record(scope_context(), db.session.merge(e), kind, row)
        db.session.commit()
        db.session.refresh(rec)
        db.session.expunge(rec)
        return rec

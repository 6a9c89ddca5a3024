"""Warning test helpers: enterprises with valid credit codes, a batch poster, the scan run as the
daily job runs it (system, one tenant), and reading warnings back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tenant_app.core.uscc import with_check_digit
from tenant_app.extensions import db
from tenant_app.models import ComplianceRecord, EnterpriseWarning
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tenant_app.warnings.services.scan import ScanResult, scan
from tests.helpers import tenant
from tests.inspections.conftest import (  # noqa: F401  (shared helpers)
    make_enterprise,
    make_enterprise_user,
)

SX = "/api/v1/tenants/sx-taiyuan"
XJ = "/api/v1/tenants/xj-urumqi"
_n = [0]


def valid_uscc(slug: str) -> str:
    _n[0] += 1
    t = tenant(slug)
    return with_check_digit(f"91{t.division_code}MA{_n[0]:07d}")


def enterprise(slug: str = "sx-taiyuan", **kw: Any) -> Any:
    return make_enterprise(slug, uscc=kw.pop("uscc", valid_uscc(slug)), **kw)


def run_scan(slug: str = "sx-taiyuan") -> ScanResult:
    with use_scope(system_scope(tenant(slug).id)):
        result = scan(scope_context())
        db.session.commit()
        return result


def warnings_of(
    enterprise_id: int, slug: str = "sx-taiyuan", cause: str | None = None
) -> list[EnterpriseWarning]:
    with use_scope(system_scope(tenant(slug).id)):
        stmt = select(EnterpriseWarning).where(EnterpriseWarning.enterprise_id == enterprise_id)
        if cause:
            stmt = stmt.where(EnterpriseWarning.cause == cause)
        rows = list(db.session.execute(stmt.order_by(EnterpriseWarning.id)).scalars())
        for r in rows:
            db.session.refresh(r)
            db.session.expunge(r)
        return rows


def add_record(slug: str, enterprise_id: int, kind: str, period: str, day: Any) -> None:
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        db.session.add(
            ComplianceRecord(
                tenant_id=t.id,
                enterprise_id=enterprise_id,
                kind=kind,
                record_date=day,
                period=period,
                source="全国排污许可证管理信息平台",
            )
        )
        db.session.commit()


def row(uscc: str, **kw: Any) -> dict[str, Any]:
    base = {
        "uscc": uscc,
        "point": "DA001",
        "pollutant": "COD",
        "kind": "exceedance",
        "observed_on": "2026-05-10",
        "value": 120,
        "limit_value": 100,
        "unit": "mg/L",
    }
    return {**base, **kw}

"""The import on PostgreSQL with row-level security live, whatever database the suite runs on."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tenant_app.audit import log as audit
from tenant_app.extensions import db
from tenant_app.models import Enterprise
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import tenant
from .files import csv_bytes, enterprise_codes, mixed_rows, run_import

pytestmark = pytest.mark.postgres


def test_valid_only_import_under_rls_and_the_audit_chain_holds(pg_world):
    job = run_import(csv_bytes(mixed_rows()), mode="valid")
    assert job["status"] == "done", job["error"]
    assert job["result"]["written"] == 4 and len(enterprise_codes()) == 4
    # Tenant B's scope sees none of them (RLS on the rows the batched INSERT wrote).
    with use_scope(tenant_scope(tenant("sx-taiyuan"))):
        assert db.session.execute(select(func.count()).select_from(Enterprise)).scalar_one() == 0
        db.session.rollback()
    assert audit.verify_tenant(tenant("xj-urumqi")) is None
    again = run_import(csv_bytes(mixed_rows()), mode="all")
    assert again["result"]["outcome"] == "already_imported" and len(enterprise_codes()) == 4

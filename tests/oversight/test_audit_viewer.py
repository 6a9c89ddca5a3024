"""The audit log viewer (issue 17 item 4): filters, keyset paging, export; auditors read their
subtree's log, tenant admins their own tenant's, never a sibling's; other roles are refused."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tenant_app.audit import log as audit
from tenant_app.extensions import db
from tenant_app.oversight.services import auditlog
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import login, tenant
from tests.inspections.conftest import acting

pytestmark = pytest.mark.today("2026-06-15")


def _record(slug: str, action: str, object_id: str, n: int = 1) -> None:
    with use_scope(system_scope(tenant(slug).id)):
        ctx = scope_context()
        for _ in range(n):
            audit.record(ctx, action, object_type="inspection", object_id=object_id)
        db.session.commit()


def test_filters_and_scope(oversight_world):
    _record("xj-urumqi", "inspection.approved", "1")
    _record("xj-urumqi-tianshan", "inspection.approved", "5")
    _record("xj-kashi", "inspection.approved", "6")
    with acting("urumqi-auditor", "xj-urumqi"):
        ctx = scope_context()
        f = auditlog.parse(ctx, {"action": "inspection.approved"})
        page = auditlog.page(ctx, f)
        assert {e.object_id for e in page.items} == {"1", "5"}  # never kashi's "6"
        tianshan = tenant("xj-urumqi-tianshan")
        f = auditlog.parse(ctx, {"action": "inspection.", "region": str(tianshan.id)})
        assert [e.object_id for e in auditlog.page(ctx, f).items] == ["5"]
        f = auditlog.parse(ctx, {"object_id": "1", "start": "2026-06-15", "end": "2026-06-15"})
        assert auditlog.page(ctx, f).total == 1
        with pytest.raises(auditlog.BadFilter) as exc:
            auditlog.parse(ctx, {"region": str(tenant("xj-kashi").id)})
        assert "region" in exc.value.errors


def test_keyset_pages_cover_every_row_once(oversight_world):
    _record("xj-urumqi", "inspection.approved", "9", n=auditlog.PAGE_SIZE + 7)
    with acting("urumqi-auditor", "xj-urumqi"):
        ctx = scope_context()
        seen: list[int] = []
        after = None
        while True:
            f = auditlog.parse(ctx, {"object_id": "9", "after": str(after or "")})
            page = auditlog.page(ctx, f)
            seen += [e.id for e in page.items]
            if page.next_after is None:
                break
            after = page.next_after
    assert len(seen) == len(set(seen)) == auditlog.PAGE_SIZE + 7 == page.total


def test_the_page_filters_exports_and_refuses(client, oversight_world):
    _record("xj-urumqi", "inspection.approved", "1")
    _record("xj-kashi", "inspection.approved", "6")
    login(client, "xj-urumqi", "urumqi-admin")
    resp = client.get("/xj-urumqi/oversight/audit?object_id=1")
    assert resp.status_code == 200 and 'data-total="1"' in resp.get_data(as_text=True)
    xlsx = client.get("/xj-urumqi/oversight/audit?object_type=inspection&format=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "时间" and {r[5] for r in rows[1:]} == {"1"}
    bad = client.get("/xj-urumqi/oversight/audit?start=nope")
    assert bad.status_code == 422 and "开始日期" in bad.get_data(as_text=True)
    far = client.get("/xj-urumqi/oversight/audit?end=9999-12-31&format=xlsx")
    assert far.status_code == 422 and "结束日期" in far.get_data(as_text=True)
    # An officer holds no audit permission; a tenant admin sees no oversight statistics.
    assert client.get("/xj-urumqi/oversight/").status_code == 403
    client.get("/xj-urumqi/logout")
    login(client, "xj-urumqi", "urumqi-officer1")
    assert client.get("/xj-urumqi/oversight/audit").status_code == 403

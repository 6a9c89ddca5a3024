"""Search filters, keyset paging, and the trigram index on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, insert, text

from tenant_app.accounts.users import user_by_username
from tenant_app.extensions import db
from tenant_app.models import Enterprise
from tenant_app.registry.services import enterprise_search
from tenant_app.tenancy.resolve import scope_for, tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import bearer, login, tenant
from .factory import make_enterprise, uscc

API = "/api/v1/tenants/xj-urumqi/enterprises"


def test_keyset_pages_return_every_row_exactly_once(client, world):
    made = {make_enterprise("xj-urumqi", n).id for n in range(1, 24)}
    headers, seen, after, pages = bearer("urumqi-officer1"), [], None, 0
    while True:
        query = {"limit": 5, **({"after": after} if after is not None else {})}
        body = client.get(API, query_string=query, headers=headers).get_json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        after = body["next_after"]
        if after is None:
            break
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen)) == 23
    assert pages == 5


def test_filters_name_code_industry_category_county_and_permit_window(client, world):
    county = tenant("xj-urumqi-tianshan")
    a = make_enterprise(
        "xj-urumqi",
        1,
        name="新疆天山水泥股份有限公司",
        industry_code="C3011",
        county_tenant_id=county.id,
        permit_valid_to="2026-03-31",
    )
    b = make_enterprise(
        "xj-urumqi",
        2,
        name="乌鲁木齐石化公司",
        industry_code="C2614",
        supervision_category="special",
    )
    headers = bearer("urumqi-officer1")

    def ids(**q):
        return {
            i["id"] for i in client.get(API, query_string=q, headers=headers).get_json()["items"]
        }

    assert ids(q="天山水泥") == {a.id}
    assert ids(q=b.uscc[:17]) == {b.id}
    assert ids(uscc=a.uscc) == {a.id}
    assert ids(industry="C26") == {b.id} and ids(industry="3011") == {a.id}
    assert ids(category="special") == {b.id}
    assert ids(county_id=county.id) == {a.id}
    assert ids(permit_expires_from="2026-01-01", permit_expires_to="2026-06-30") == {a.id}
    assert ids(q="100%_") == set()  # LIKE wildcards are literal


def test_list_page_filters_and_offers_the_next_page(client, world):
    for n in range(1, 53):
        make_enterprise("xj-urumqi", n)
    login(client, "xj-urumqi", "urumqi-officer1")
    first = client.get("/xj-urumqi/enterprises/?q=测试企业").get_data(as_text=True)
    assert "下一页" in first and "after=" in first
    bad = client.get("/xj-urumqi/enterprises/?permit_expires_from=2025-13-01")
    assert bad.status_code == 422 and "不是有效日期" in bad.get_data(as_text=True)


@pytest.mark.postgres
def test_name_search_on_postgresql_uses_the_tenant_name_index_or_the_trigram_one(pg_aut, pg_world):
    """One tenant's search reads its own name pieces (ix_enterprises_tenant_name_grams, 0010y);
    a search over several tenants (an auditor's subtree) the trigram index (0003). Both as the
    app role, under RLS."""
    t = tenant("xj-urumqi")
    words = ["化工", "水泥", "钢铁", "热电", "制药", "纺织", "造纸", "煤业"]
    rows = [
        {
            "tenant_id": t.id,
            "uscc": uscc(n),
            "name": f"新疆第{n}号{words[n % 8]}有限责任公司",
            "address": "",
            "legal_representative": "",
            "contact_phone": "",
            "permit_no": "",
            "permit_violating": False,
            "needs_monitoring": True,
            "key_discharger": False,
            "online_monitoring_required": False,
            "online_monitoring_installed": False,
            "online_monitoring_networked": False,
            "supervision_category": "general",
            "construction_project": False,
            "tags": [],
        }
        for n in range(1, 5001)
    ]
    with use_scope(tenant_scope(t)):
        db.session.execute(insert(Enterprise), rows)
        db.session.commit()
    # As the owner (only it may), outside a transaction: VACUUM also flushes the GIN pending
    # list that a bulk insert leaves, which autovacuum would do in production.
    owner = create_engine(pg_aut.owner_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.execute(text("VACUUM ANALYZE enterprises"))
    owner.dispose()

    def plan_and_names(scope) -> tuple[str, list[str]]:  # noqa: ANN001
        with use_scope(scope):
            sent: list[tuple[str, object]] = []

            def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
                if "FROM enterprises" in statement:
                    sent.append((statement, parameters))

            event.listen(db.engine, "before_cursor_execute", capture)
            try:  # the SQL the service really sends: scope criteria (guard.py) included
                page = enterprise_search.search(enterprise_search.Filters(q="第4242号"))
            finally:
                event.remove(db.engine, "before_cursor_execute", capture)
            statement, params = sent[-1]
            conn = db.session.connection()
            plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, params))
            return plan, [e.name for e in page.items]

    expected = [f"新疆第4242号{words[4242 % 8]}有限责任公司"]
    plan, names = plan_and_names(tenant_scope(t))
    assert "ix_enterprises_tenant_name_grams" in plan and names == expected, plan
    auditor = user_by_username("xj-auditor")
    plan, names = plan_and_names(scope_for(tenant("xj"), auditor))
    assert "ix_enterprises_name_trgm" in plan and names == expected, plan

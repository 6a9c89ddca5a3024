"""Issue 13 item 1: under RLS, as the app role, with ANALYZE'd statistics and a realistic row
count, the planner reads a tenant's enterprise list page (keyset on id, the API's first page
and a page deep into the list) from a tenant-led index (``ix_enterprises_tenant_id_id`` of
migration 0008p, or the primary key, led by ``tenant_id`` since 0010k), not by walking an
id-only key and discarding other tenants' rows."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, text

from tenant_app.extensions import db
from tenant_app.registry.services import enterprise_search
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..conftest import AppUnderTest
from ..helpers import tenant

pytestmark = pytest.mark.postgres

# Every tenant of the demo world, each register in one stretch of ids, as imports load them.
# (Interleaved rows are not the danger: the planner then walks the primary key, correctly
# expecting a page's rows close together. Clustered ones are: it expects the same and, without
# a tenant-led index, reads every earlier tenant's rows; issue 13 measured 59k for page 1.)
ROWS = 200_000


def _load(owner_url: str) -> None:
    """As the owner (a superuser here: RLS does not apply), the tenants' registers in turn."""
    with psycopg.connect(owner_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute(
            "INSERT INTO enterprises (tenant_id, uscc, name, address, legal_representative,"
            " contact_phone, permit_no, permit_violating, needs_monitoring, key_discharger,"
            " online_monitoring_required, online_monitoring_installed,"
            " online_monitoring_networked, supervision_category, construction_project, tags,"
            " created_at, updated_at)"
            " SELECT t.ids[1 + (g - 1) * array_length(t.ids, 1) / %s], lpad(g::text, 18, '0'),"
            " '测试企业' || g || '有限公司', '', '', '', '', false, false, false, false, false,"
            " false, 'general', false, '[]', now(), now()"
            " FROM generate_series(1, %s) g, (SELECT array_agg(id ORDER BY id) ids FROM tenants) t",
            (ROWS, ROWS),
        )
        conn.execute("ANALYZE enterprises")


def _plan_of(after: int | None, flt: Any = None, rows: int = 50) -> dict[str, Any]:
    """EXPLAIN of the very statement the list runs, on the app's connection (app role, scope
    set and signed by tenancy/guard.py), with its parameters."""
    seen: list[tuple[str, Any]] = []

    def grab(conn, cursor, statement, params, context, executemany):  # noqa: ANN001
        if "FROM enterprises" in statement and not statement.startswith("EXPLAIN"):
            seen.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        page = enterprise_search.search(flt or enterprise_search.Filters(), after, 50)
        assert len(page.items) == rows
        statement, params = seen[-1]
        conn = db.session.connection()
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute("EXPLAIN (FORMAT JSON) " + statement, params)
        plan = json.loads(json.dumps(cursor.fetchone()[0]))[0]["Plan"]
        return plan
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)


def _index_scans(plan: dict[str, Any]) -> list[tuple[str, str]]:
    found = [(plan["Node Type"], plan.get("Index Name", plan.get("Relation Name", "")))]
    for child in plan.get("Plans", []):
        found += _index_scans(child)
    return found


def test_the_list_page_reads_the_tenant_led_index(pg_aut: AppUnderTest, pg_world):
    _load(pg_aut.owner_url)
    t = tenant("xj-urumqi")
    with use_scope(tenant_scope(t)):
        count = db.session.execute(text("select count(*) from enterprises")).scalar()
        assert count is not None and count > ROWS // 20  # RLS shows this tenant's rows only
        first = _index_scans(_plan_of(None))
        deep_after = db.session.execute(
            text("select id from enterprises order by id offset 5000 limit 1")
        ).scalar()
        deep = _index_scans(_plan_of(deep_after))  # 100 pages of 50 in
    for nodes in (first, deep):
        scans = [n for n in nodes if "Scan" in n[0]]
        # a tenant-led index: the (tenant_id, id) one of 0008p, or the primary key that leads
        # with tenant_id since 0010k (issue 13 item 4)
        assert {
            ("Index Scan", "ix_enterprises_tenant_id_id"),
            ("Index Scan", "pk_enterprises"),
        } & set(scans), nodes
        assert not any(kind == "Seq Scan" for kind, _name in scans)


def test_the_name_search_reads_the_tenants_own_name_pieces(pg_aut: AppUnderTest, pg_world):
    """Every name shares “测试企业” and “有限公司”: the trigram index reads those pieces for all
    tenants' 200,000 names. The search reads ix_enterprises_tenant_name_grams (migration 0010y),
    the pieces of this tenant's names only, as the app role under RLS, and answers exactly what
    ILIKE answers: case aside, a query of two characters (no piece: ILIKE alone), a percent
    sign taken literally."""
    _load(pg_aut.owner_url)
    t = tenant("xj-urumqi")
    with psycopg.connect(pg_aut.owner_url.replace("postgresql+psycopg://", "postgresql://")) as c:
        c.execute(
            "UPDATE enterprises SET name = %s WHERE id = "
            "(SELECT min(id) FROM enterprises WHERE tenant_id = %s)",
            ("ABC化工100%有限公司", t.id),
        )
        c.execute("ANALYZE enterprises")
    with use_scope(tenant_scope(t)):
        mine = db.session.execute(text("select min(id) from enterprises")).scalar()
        one = enterprise_search.parse_filters({"q": f"测试企业{mine + 7}有限"})
        scans = _index_scans(_plan_of(None, one, rows=1))
        assert ("Bitmap Index Scan", "ix_enterprises_tenant_name_grams") in scans, scans

        def found(q: str) -> list[int]:
            flt = enterprise_search.parse_filters({"q": q})
            return [e.id for e in enterprise_search.search(flt, None, 500).items]

        def by_ilike(q: str) -> list[int]:
            pattern = "%" + q.replace("%", "\\%") + "%"
            return list(
                db.session.execute(
                    text("select id from enterprises where name ilike :p order by id limit 500"),
                    {"p": pattern},
                ).scalars()
            )

        assert found("abc化工") == by_ilike("abc化工") == [mine]
        assert found("100%有") == by_ilike("100%有") == [mine]
        assert found(f"企业{mine + 7}") == by_ilike(f"企业{mine + 7}") != []
        assert len(found("企业")) == 500  # two characters: no piece, the ILIKE alone

"""Keys that distribute by tenant (issue 13 item 4; migrations/tenant_keys.py), read from the
PostgreSQL catalogue: every tenant table's primary and unique keys include ``tenant_id``, every
foreign key between tenant tables is a composite ``(tenant_id, …)`` reference, and the only
tables without ``tenant_id`` are the declared reference data. Then the database itself refuses a
row of one tenant that points at another tenant's row."""

from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.postgres

# Global by design: the tree of regions, people (who act across tenants), their sessions and
# tokens, the industry classification, the statutory calendar and login rate limits.
REFERENCE = {
    "alembic_version",
    "api_tokens",
    "app_scope_key",
    "calendar_days",
    "calendar_years",
    "industries",
    "rate_limits",
    "tenants",
    "user_sessions",
    "users",
}


def _conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _rows(pg_aut, sql: str) -> list[tuple]:
    with psycopg.connect(_conninfo(pg_aut.owner_url)) as conn:
        return conn.execute(sql).fetchall()


TENANT_TABLES = """
    select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
      and exists (select 1 from pg_attribute a where a.attrelid = c.oid
                  and a.attname = 'tenant_id' and not a.attisdropped)
"""


def test_the_tables_without_tenant_id_are_the_declared_reference_data(pg_aut):
    rows = _rows(
        pg_aut,
        f"""select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
              and c.oid not in ({TENANT_TABLES})""",
    )
    assert {r[0] for r in rows} == REFERENCE


def test_every_primary_and_unique_key_of_a_tenant_table_leads_with_or_holds_tenant_id(pg_aut):
    rows = _rows(
        pg_aut,
        f"""select c.conrelid::regclass::text, c.conname, c.contype,
                   (select a.attname from pg_attribute a
                    where a.attrelid = c.conrelid and a.attnum = c.conkey[1])
            from pg_constraint c
            where c.contype in ('p', 'u') and c.conrelid in ({TENANT_TABLES})""",
    )
    assert len(rows) >= 60
    bad = [(t, name) for t, name, kind, first in rows if kind == "p" and first != "tenant_id"]
    assert bad == [], f"primary keys not led by tenant_id: {bad}"
    unique = _rows(
        pg_aut,
        f"""select i.indrelid::regclass::text, ic.relname from pg_index i
            join pg_class ic on ic.oid = i.indexrelid
            where i.indisunique and i.indrelid in ({TENANT_TABLES})
              and not exists (select 1 from pg_attribute a where a.attrelid = i.indrelid
                              and a.attnum = any(i.indkey) and a.attname = 'tenant_id')""",
    )
    assert unique == [], f"unique keys without tenant_id: {unique}"


def test_every_foreign_key_between_tenant_tables_is_composite_on_tenant_id(pg_aut):
    rows = _rows(
        pg_aut,
        f"""select c.conrelid::regclass::text, c.conname,
                   (select array_agg(a.attname::text) from pg_attribute a
                    where a.attrelid = c.conrelid and a.attnum = any(c.conkey)),
                   (select array_agg(a.attname::text) from pg_attribute a
                    where a.attrelid = c.confrelid and a.attnum = any(c.confkey))
            from pg_constraint c
            where c.contype = 'f' and c.conparentid = 0
              and c.conrelid in ({TENANT_TABLES}) and c.confrelid in ({TENANT_TABLES})""",
    )
    assert len(rows) >= 50
    bad = [
        (t, n) for t, n, cols, refs in rows if "tenant_id" not in cols or "tenant_id" not in refs
    ]
    assert bad == [], f"foreign keys between tenant tables without tenant_id: {bad}"


def test_the_database_refuses_an_inspection_of_another_tenants_enterprise(pg_world, pg_aut):
    """Even the owner, past the app's guard and RLS: 乌鲁木齐's inspection cannot be pointed at
    a 太原 enterprise, while pointing it at another 乌鲁木齐 enterprise goes through."""
    from datetime import date

    from ..inspections.conftest import make_enterprise
    from ..oversight.conftest import inspection

    own = make_enterprise("xj-urumqi").id
    other_own = make_enterprise("xj-urumqi").id
    foreign = make_enterprise("sx-taiyuan").id
    visit = inspection("xj-urumqi", own, date(2026, 6, 1), "on_site", "complaint")
    move = "update inspections set enterprise_id = %s where id = %s"
    with psycopg.connect(_conninfo(pg_aut.owner_url)) as conn:
        conn.execute(move, (other_own, visit))
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute(move, (foreign, visit))

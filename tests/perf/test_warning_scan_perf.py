"""Benchmark (issue 16, SX-1), PostgreSQL with RLS live: the daily warning scan over 1,000,000
enterprises with 10,000,000 monitoring rows in 100 tenants.

Goal: the scan of all 100 tenants (each its own job, run here one after another through the app
role, as the periodic job does) takes under 60 s; a second run the same day creates no new
warning; memory stays flat (the scan is INSERT … SELECT … ON CONFLICT DO NOTHING per cause and one
UPDATE per cause to close; only the new warnings' ids come back to Python). Measured beside the
bare SQL that finds the same causes (one SELECT count per cause over all tenants, as the owner).

Not collected by default (tests/perf is in norecursedirs). Run:

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
      .venv/bin/pytest -n 0 -s tests/perf/test_warning_scan_perf.py

``WARN_BENCH_ENTERPRISES`` and ``WARN_BENCH_ROWS`` scale the data down for a quick run (e.g.
100000 and 1000000); the tenants stay 100.

Data is generated in the database as the owner (INSERT … SELECT generate_series): 99 bench cities
under 山西 beside 太原 (the Shanxi pack configures all four causes), enterprises spread over
them with permit expiry dates over four years around today (about 6 % inside the 90-day lead
time), a third each 重点/简化/登记管理, one in ten a 重点排污单位; last year's execution report on
record for 70 % of permit holders and the disclosure for 70 % of key dischargers; monitoring
rows over the past year of which 1 in 1,000 is still unresolved.
"""

from __future__ import annotations

import os
import resource
import time
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from tenant_app.context import for_tenant
from tenant_app.extensions import db
from tenant_app.models import Tenant
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope
from tenant_app.warnings.services.scan import scan

from ..helpers import tenant

pytestmark = pytest.mark.postgres

ENTERPRISES = int(os.environ.get("WARN_BENCH_ENTERPRISES", "1000000"))
ROWS = int(os.environ.get("WARN_BENCH_ROWS", "10000000"))
TENANTS = 100
LIMIT_S = 60.0


def _conn(owner_url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(owner_url.replace("postgresql+psycopg://", "postgresql://"))


def _load(owner_url: str, province_id: int, city_id: int, today: Any) -> list[int]:
    t0 = time.perf_counter()
    with _conn(owner_url) as conn:
        conn.execute(
            "INSERT INTO tenants (parent_id, slug, name, level, division_code, path, created_at) "
            "SELECT %(p)s, 'wbench-' || g, '预警基准市' || g, 'city', '8' || lpad(g::text, 5, '0'),"
            " '', now() FROM generate_series(1, %(n)s) g",
            {"p": province_id, "n": TENANTS - 1},
        )
        conn.execute(
            "UPDATE tenants SET path = (SELECT path FROM tenants WHERE id = %(p)s) || id || '/' "
            "WHERE slug LIKE 'wbench-%%'",
            {"p": province_id},
        )
        ids = [city_id] + [
            r[0]
            for r in conn.execute("SELECT id FROM tenants WHERE slug LIKE 'wbench-%' ORDER BY id")
        ]
        conn.execute(
            "INSERT INTO audit_heads (tenant_id, seq, hash) SELECT unnest(%(ids)s::bigint[]), 0, "
            "repeat('0', 64) ON CONFLICT DO NOTHING",
            {"ids": ids[1:]},
        )
        conn.execute(
            "INSERT INTO enterprises (tenant_id, uscc, name, address, legal_representative, "
            "contact_phone, permit_class, permit_no, permit_valid_to, permit_violating, "
            "needs_monitoring, key_discharger, online_monitoring_required, "
            "online_monitoring_installed, online_monitoring_networked, supervision_category, "
            "construction_project, tags, created_at, updated_at) "
            "SELECT (%(ids)s::bigint[])[1 + g %% %(t)s], 'W' || lpad(g::text, 17, '0'), "
            "'基准企业' || g, '', '', '', (ARRAY['key','simplified','registration'])[1 + g %% 3], "
            "'P' || g, %(today)s::date - 200 + ((g::bigint * 7919) %% 1500)::int, false, true, g %% 10 = 0, "
            "false, false, false, 'general', false, '[]', now(), now() "
            "FROM generate_series(1, %(n)s) g",
            {"ids": ids, "t": TENANTS, "n": ENTERPRISES, "today": today},
        )
        last = str(today.year - 1)
        conn.execute(
            "INSERT INTO compliance_records (tenant_id, enterprise_id, kind, record_date, ref, "
            "summary, source, secret_discharge, falsified_records, evading_supervision, "
            "verified, period, created_at, entered_by_name) "
            "SELECT tenant_id, id, 'execution_report', %(d)s, '', '', 'bench', false, false, "
            "false, false, %(y)s, now(), '' FROM enterprises "
            "WHERE uscc LIKE 'W%%' AND permit_class IN ('key', 'simplified') AND id %% 10 < 7",
            {"d": today - timedelta(days=40), "y": last},
        )
        conn.execute(
            "INSERT INTO compliance_records (tenant_id, enterprise_id, kind, record_date, ref, "
            "summary, source, secret_discharge, falsified_records, evading_supervision, "
            "verified, period, created_at, entered_by_name) "
            "SELECT tenant_id, id, 'emission_disclosure', %(d)s, '', '', 'bench', false, false, "
            "false, false, %(y)s, now(), '' FROM enterprises "
            "WHERE uscc LIKE 'W%%' AND key_discharger AND (id / 10) %% 10 < 7",
            {"d": today - timedelta(days=40), "y": last},
        )
        lo = conn.execute("SELECT min(id) FROM enterprises WHERE uscc LIKE 'W%'").fetchone()
        assert lo is not None
        conn.execute(
            "INSERT INTO monitoring_records (tenant_id, enterprise_id, row_no, permit_no, point, "
            "pollutant, kind, observed_on, unit, note, resolved_on, created_at) "
            "SELECT e.tenant_id, e.id, 0, '', 'DA001', 'COD', "
            "CASE WHEN g %% 2 = 0 THEN 'anomaly' ELSE 'exceedance' END, "
            "%(today)s::date - (g %% 365), '', '', "
            "CASE WHEN g %% 1000 = 0 THEN NULL ELSE %(today)s::date - (g %% 365) + 1 END, now() "
            "FROM generate_series(1, %(n)s) g "
            "JOIN enterprises e ON e.id = %(lo)s + (g::bigint * 7919) %% %(ne)s",
            {"today": today, "n": ROWS, "lo": lo[0], "ne": ENTERPRISES},
        )
        conn.commit()
    with psycopg.connect(
        owner_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as conn:
        for table in ("tenants", "enterprises", "compliance_records", "monitoring_records"):
            conn.execute(f"VACUUM ANALYZE {table}")
    print(
        f"\nloaded {ENTERPRISES:,} enterprises and {ROWS:,} monitoring rows across {TENANTS} "
        f"tenants in {time.perf_counter() - t0:.1f} s"
    )
    return ids


BARE = {
    "permit_expiry": "SELECT count(*) FROM enterprises WHERE tenant_id = ANY(%(ids)s) "
    "AND permit_valid_to BETWEEN %(today)s::date - 90 AND %(today)s::date + 90 "
    "AND permit_class IS DISTINCT FROM 'not_required'",
    "execution_report": "SELECT count(*) FROM enterprises e WHERE e.tenant_id = ANY(%(ids)s) "
    "AND e.permit_class IN ('key','simplified') AND e.permit_no <> '' AND NOT EXISTS ("
    "SELECT 1 FROM compliance_records r WHERE r.tenant_id = e.tenant_id "
    "AND r.enterprise_id = e.id AND r.kind = 'execution_report' AND r.period = %(y)s)",
    "emission_disclosure": "SELECT count(*) FROM enterprises e WHERE e.tenant_id = ANY(%(ids)s)"
    " AND e.key_discharger AND NOT EXISTS (SELECT 1 FROM compliance_records r "
    "WHERE r.tenant_id = e.tenant_id AND r.enterprise_id = e.id "
    "AND r.kind = 'emission_disclosure' AND r.period = %(y)s)",
    "monitoring_anomaly": "SELECT count(*) FROM (SELECT DISTINCT tenant_id, enterprise_id, "
    "observed_on FROM monitoring_records WHERE tenant_id = ANY(%(ids)s) AND resolved_on IS NULL "
    "AND observed_on >= %(today)s::date - 30) x",
}


def _one(conn: psycopg.Connection[Any], sql: str, params: dict[str, Any]) -> int:
    row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return int(row[0])


def _scan_all(tenants: list[Tenant]) -> tuple[float, dict[str, int]]:
    totals: dict[str, int] = {}
    t0 = time.perf_counter()
    for t in tenants:
        with use_scope(tenant_scope(t)):
            result = scan(for_tenant(t))
            db.session.commit()
        for k, v in result.created.items():
            totals[k] = totals.get(k, 0) + v
    return time.perf_counter() - t0, totals


@pytest.mark.today("2026-03-02")
def test_warning_scan_at_scale(pg_world: dict[str, Any], pg_aut: Any) -> None:
    city, province = tenant("sx-taiyuan"), tenant("sx")
    today = for_tenant(city).today
    ids = _load(pg_aut.owner_url, province.id, city.id, today)
    with use_scope(system_scope()):
        tenants = list(db.session.execute(db.select(Tenant).where(Tenant.id.in_(ids))).scalars())
        for t in tenants:
            db.session.expunge(t)
    with _conn(pg_aut.owner_url) as conn:
        t0 = time.perf_counter()
        params = {"ids": ids, "today": today, "y": str(today.year - 1)}
        bare = {k: _one(conn, sql, params) for k, sql in BARE.items()}
        bare_s = time.perf_counter() - t0
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    first_s, created = _scan_all(tenants)
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    second_s, again = _scan_all(tenants)
    rss2 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"bare SQL finding the causes: {bare_s:.2f} s {bare}\n"
        f"first scan of {len(tenants)} tenants: {first_s:.2f} s, created {created} "
        f"(total {sum(created.values()):,})\n"
        f"second scan: {second_s:.2f} s, created {again}\n"
        f"max RSS: {rss0 // 1024} MB before, {rss1 // 1024} MB after the first scan, "
        f"{rss2 // 1024} MB after the second"
    )
    assert sum(again.values()) == 0
    assert created["monitoring_anomaly"] > 0 and created["permit_expiry"] > 0
    # The bare permit-expiry window is wider behind (90 days) than the scan's lead (90 ahead):
    # the scan finds exactly those causes.
    assert created["permit_expiry"] <= bare["permit_expiry"]
    assert created["execution_report"] == bare["execution_report"]
    assert created["emission_disclosure"] == bare["emission_disclosure"]
    assert created["monitoring_anomaly"] >= bare["monitoring_anomaly"] - 1
    if ENTERPRISES >= 1_000_000:
        assert first_s < LIMIT_S

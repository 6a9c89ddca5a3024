"""Benchmark (issue 5), PostgreSQL with RLS live: the set-based tenant screening of 100,000
enterprises with 500,000 compliance records, against one hand-written SQL query computing the same
verdicts, in the same run. Must be under 5 s and within 2x of the hand-written query. Issue 13's
scale: ``PERF_SCREENING_ENTERPRISES=1000000`` (5,000,000 records), under 20 s and within 1.5x.

Not collected by default (tests/perf is in norecursedirs). Run:

    .venv/bin/pytest -n 0 -s tests/perf/test_screening_perf.py

Data is bulk-loaded with COPY as the owner (with the tenant's RLS settings, since the tables force
RLS even for their owner); both measured paths run through the app role like a request.
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from tenant_app.extensions import db
from tenant_app.listing.services import bulk_screening
from tenant_app.listing.services.bulk_screening import window_start
from tenant_app.policy.service import policy_for
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import tenant

pytestmark = pytest.mark.postgres

# PERF_SCREENING_ENTERPRISES=1000000 for issue 13's scale (5,000,000 records): under 20 s and
# within 1.5x of the hand-written query; the default is issue 5's (100,000: 5 s, 2x).
N_ENTERPRISES = int(os.environ.get("PERF_SCREENING_ENTERPRISES", "100000"))
N_RECORDS = 5 * N_ENTERPRISES
ON = date(2025, 6, 15)
LIMIT_S = 20.0 if N_ENTERPRISES >= 1_000_000 else 5.0
RATIO = 1.5 if N_ENTERPRISES >= 1_000_000 else 2.0
CODES = ["C2822", "C2614", "C3011", "D4620", "N7724", "D4414"]  # D4414: XJ-X on its code
KINDS = [
    "penalty",
    "penalty",
    "coercive_measure",
    "judicial_transfer",
    "incident",
    "complaint",
    "complaint",
    "credit_listing",
    "criminal_judgment",
    "execution_report",
]


def _owner(url: str, tenant_id: int) -> psycopg.Connection:
    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    conn.execute(
        "select set_config('app.tenant_id', %s, false), set_config('app.read_tenants', %s, false)",
        (str(tenant_id), str(tenant_id)),
    )
    return conn


def _load(owner_url: str, tenant_id: int) -> None:
    rnd = random.Random(5)
    with _owner(owner_url, tenant_id) as conn, conn.cursor() as cur:
        t0 = time.perf_counter()
        with cur.copy(
            "COPY enterprises (tenant_id, uscc, name, address, industry_code, legal_representative,"
            " contact_phone, permit_class, permit_no, permit_valid_to, permit_violating,"
            " procedures_complete, facilities_running, pollutants_compliant, needs_monitoring,"
            " key_discharger, online_monitoring_required, online_monitoring_installed,"
            " online_monitoring_networked, supervision_category, construction_project, tags,"
            " created_at, updated_at) FROM STDIN"
        ) as cp:
            for i in range(1, N_ENTERPRISES + 1):
                code = CODES[0 if rnd.random() < 0.9 else rnd.randrange(len(CODES))]
                pclass = (
                    rnd.choice(["key", "simplified", "registration", "not_required", None])
                    if rnd.random() < 0.1
                    else "key"
                )
                req = rnd.random() < 0.3
                tags = '["key_hazardous_chemical_unit"]' if i % 997 == 0 else "[]"
                cp.write_row(
                    (
                        tenant_id,
                        f"91650100PF{i:08d}",
                        f"基准企业{i}",
                        "",
                        code,
                        "",
                        "",
                        pclass,
                        "" if rnd.random() < 0.02 else f"P{i}",
                        date(2024, 12, 31) if rnd.random() < 0.03 else date(2027, 12, 31),
                        rnd.random() < 0.01,
                        None if rnd.random() < 0.02 else rnd.random() > 0.03,
                        None if rnd.random() < 0.02 else rnd.random() > 0.03,
                        None if rnd.random() < 0.02 else rnd.random() > 0.03,
                        rnd.random() > 0.1,
                        False,
                        req,
                        req and rnd.random() > 0.05,
                        req and rnd.random() > 0.1,
                        "general",
                        False,
                        tags,
                        "2026-01-01T00:00:00Z",
                        "2026-01-01T00:00:00Z",
                    )
                )
        cur.execute("select min(id) from enterprises where tenant_id = %s", (tenant_id,))
        first = cur.fetchone()[0]
        with cur.copy(
            "COPY compliance_records (tenant_id, enterprise_id, kind, record_date, ref, summary, source,"
            " secret_discharge, falsified_records, evading_supervision, level, verified, list_name,"
            " end_date, entered_by_name, created_at) FROM STDIN"
        ) as cp:
            start = date(2018, 1, 1)
            for j in range(N_RECORDS):
                kind = KINDS[j % len(KINDS)]
                d = start + timedelta(days=rnd.randrange(2800))
                cp.write_row(
                    (
                        tenant_id,
                        first + rnd.randrange(N_ENTERPRISES),
                        kind,
                        d,
                        "",
                        "",
                        "基准",
                        kind == "penalty" and rnd.random() < 0.05,
                        False,
                        False,
                        "general" if kind == "incident" else None,
                        kind == "complaint" and rnd.random() < 0.5,
                        rnd.choice(["abnormal_operations", "serious_dishonesty"])
                        if kind == "credit_listing"
                        else None,
                        (d + timedelta(days=rnd.randrange(900)))
                        if kind == "credit_listing" and rnd.random() < 0.7
                        else None,
                        "",
                        "2026-01-01T00:00:00Z",
                    )
                )
        with cur.copy(
            "COPY enterprise_ratings (tenant_id, enterprise_id, kind, year, value, source, created_at)"
            " FROM STDIN"
        ) as cp:
            for k in range(0, N_ENTERPRISES, 7):
                eid = first + k
                cp.write_row(
                    (
                        tenant_id,
                        eid,
                        "performance",
                        2024,
                        rnd.choice("ABCD"),
                        "",
                        "2026-01-01T00:00:00Z",
                    )
                )
                for y in (2023, 2024):
                    if rnd.random() < 0.5:
                        cp.write_row(
                            (
                                tenant_id,
                                eid,
                                "integrity",
                                y,
                                "环保诚信企业",
                                "",
                                "2026-01-01T00:00:00Z",
                            )
                        )
        conn.commit()
        print(
            f"\nloaded {N_ENTERPRISES:,} enterprises + {N_RECORDS:,} records in {time.perf_counter() - t0:.1f} s"
        )
    with psycopg.connect(
        owner_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as conn:
        for table in ("enterprises", "compliance_records", "enterprise_ratings"):
            conn.execute(f"ANALYZE {table}")


# The Xinjiang pack's verdicts written by hand (XJ-X codes/tags, XJ-R bans, XJ-C1..C7, XJ-D).
HAND_SQL = """
WITH rec AS (
  SELECT enterprise_id,
    bool_or(kind IN ('penalty','coercive_measure','judicial_transfer') AND record_date >= :c12) AS f1,
    bool_or(kind = 'incident' AND record_date >= :c12) AS f5,
    bool_or(kind = 'complaint' AND verified AND record_date >= :c12) AS f6,
    bool_or(kind = 'credit_listing' AND list_name IN ('abnormal_operations','serious_dishonesty')
            AND (end_date IS NULL OR end_date > :on)) AS f7,
    max(record_date) FILTER (WHERE kind = 'penalty' AND record_date >= :b3
            AND (secret_discharge OR falsified_records OR evading_supervision)) AS ban3,
    max(record_date) FILTER (WHERE kind = 'criminal_judgment' AND record_date >= :b5) AS ban5
  FROM compliance_records
  WHERE tenant_id = :t AND record_date <= :on
    AND (record_date >= :c12 OR kind IN ('credit_listing', 'penalty', 'criminal_judgment'))
  GROUP BY enterprise_id),
rate AS (
  SELECT enterprise_id,
    count(DISTINCT year) FILTER (WHERE kind = 'integrity' AND value = '环保诚信企业' AND year BETWEEN :y - 1 AND :y) = 2
    OR count(DISTINCT year) FILTER (WHERE kind = 'integrity' AND value = '环保诚信企业' AND year BETWEEN :y - 2 AND :y - 1) = 2
      AS d_integrity,
    (array_agg(value ORDER BY year DESC) FILTER (WHERE kind = 'performance'))[1] = 'A' AS d_a
  FROM enterprise_ratings WHERE tenant_id = :t AND year <= :y GROUP BY enterprise_id)
SELECT e.id,
  CASE
    WHEN e.industry_code LIKE ANY (ARRAY['D4414%','N7725%'])
         OR e.tags::jsonb ?| ARRAY['household_waste_incineration_power',
              'centralised_hazardous_waste_disposal','centralised_urban_sewage_treatment',
              'industrial_park_sewage_treatment','heavy_metal_tailings_pond',
              'key_hazardous_chemical_unit','nuclear_radiation']
      THEN 'excluded'
    WHEN rec.ban3 IS NOT NULL OR rec.ban5 IS NOT NULL THEN 'barred'
    WHEN coalesce(rate.d_integrity, false) OR coalesce(rate.d_a, false) THEN 'direct'
    WHEN NOT coalesce(rec.f1, false)
         AND e.permit_class IS NOT NULL
         AND (e.permit_class = 'not_required' OR (NOT e.permit_violating AND e.permit_no <> ''
              AND (e.permit_valid_to IS NULL OR e.permit_valid_to >= :on)))
         AND e.procedures_complete IS TRUE
         AND e.facilities_running IS TRUE AND (NOT e.needs_monitoring OR e.pollutants_compliant IS TRUE)
         AND (NOT e.online_monitoring_required OR (e.online_monitoring_installed AND e.online_monitoring_networked))
         AND NOT coalesce(rec.f5, false) AND NOT coalesce(rec.f6, false) AND NOT coalesce(rec.f7, false)
      THEN 'eligible'
    ELSE 'not_eligible'
  END AS verdict,
  (SELECT max(x) FROM (VALUES ((rec.ban3 + interval '3 years')::date), ((rec.ban5 + interval '5 years')::date)) v(x))
    AS barred_until
FROM enterprises e
LEFT JOIN rec ON rec.enterprise_id = e.id
LEFT JOIN rate ON rate.enterprise_id = e.id
WHERE e.tenant_id = :t
"""


def _best(fn: Any, runs: int = 3) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
        db.session.rollback()
    return best, out


def test_set_based_screening_at_scale(pg_world: dict[str, Any], pg_aut: Any) -> None:
    t = tenant("xj-urumqi")
    _load(pg_aut.owner_url, t.id)
    params = {
        "t": t.id,
        "on": ON,
        "y": ON.year,
        "c12": window_start(ON, 12),
        "b3": window_start(ON, 36),
        "b5": window_start(ON, 60),
    }
    with use_scope(tenant_scope(t)):
        pol = policy_for(t, ON)
        t_hand, hand = _best(
            lambda: {
                r.id: (r.verdict, r.barred_until)
                for r in db.session.execute(text(HAND_SQL), params)
            }
        )
        t_ours, ours = _best(
            lambda: {
                v.enterprise_id: (v.verdict, v.barred_until)
                for v in bulk_screening.screen_tenant(pol, t.id, ON)
            }
        )
    assert len(ours) == N_ENTERPRISES
    assert ours == hand  # the same verdicts and bar dates, enterprise by enterprise
    counts: dict[str, int] = {}
    for verdict, _ in ours.values():
        counts[verdict] = counts.get(verdict, 0) + 1
    print(
        f"set-based screening of {N_ENTERPRISES:,} enterprises / {N_RECORDS:,} records: {t_ours:.2f} s; "
        f"hand-written SQL: {t_hand:.2f} s; ratio {t_ours / t_hand:.2f}; verdicts {counts}"
    )
    with db.engine.connect() as conn:
        settings = conn.execute(
            text(
                "select string_agg(name || '=' || setting || coalesce(unit, ''), ', ' order by name)"
                " from pg_settings where name in ('shared_buffers', 'work_mem',"
                " 'effective_cache_size', 'max_parallel_workers_per_gather', 'jit')"
            )
        ).scalar()
    print(f"PostgreSQL: {settings}")
    assert t_ours < LIMIT_S
    assert t_ours <= RATIO * t_hand

"""Benchmark (issue 14 item 3), PostgreSQL with RLS live: the proposal with its similar-case
distribution (类案同罚) against 1,000,000 past decisions across 100 tenants of one province,
measured beside the bare SQL aggregate it needs. The proposal and its distribution must take
under 100 ms.

Not collected by default (tests/perf is in norecursedirs). Run:

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
      .venv/bin/pytest -n 0 -s tests/perf/test_similar_cases_perf.py

``SIMILAR_BENCH_N`` scales the number of past decisions down for a quick run (e.g. 100000).

Data is generated in the database as the owner (INSERT … SELECT generate_series): 99 bench cities
under 山西 beside 太原, one enterprise and one case carrying every row (foreign keys only), the
decided violations spread over ten catalogue entries and three profiles (40 % ``air_outlet``,
60 % ``general``: about 2,400 similar decisions per city), and the per-tenant aggregate rows the
decisions would have written. Both measured paths run through the app role like a request.
"""

from __future__ import annotations

import os
import time
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from tenant_app.cases.services import similar
from tenant_app.cases.services.proposal import propose
from tenant_app.context import for_tenant
from tenant_app.extensions import db
from tenant_app.models import CaseViolation
from tenant_app.policy.service import policy_for
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..cases.conftest import make_enterprise
from ..helpers import tenant

pytestmark = pytest.mark.postgres

N = int(os.environ.get("SIMILAR_BENCH_N", "1000000"))
TENANTS = 100
LIMIT_S = 0.100
KEYS = [
    "air_outlet",
    "air_outlet",
    "air_outlet",
    "air_outlet",
    "air_exceeding",
    "air_unpermitted",
    "water_self_monitoring",
    "water_exceeding",
    "air_monitoring_falsified",
    "water_outlet",
]
LEVELS = {"harm": "general", "correction": "when_ordered", "history": "first"}


def _sql(owner_url: str, *stmts: tuple[str, Any]) -> None:
    with psycopg.connect(owner_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        for sql, params in stmts:
            conn.execute(sql, params)
        conn.commit()


def _load(owner_url: str, province_id: int, city_id: int, enterprise_id: int) -> list[int]:
    t0 = time.perf_counter()
    keys = "ARRAY[" + ",".join(f"'{k}'" for k in KEYS) + "]"
    _sql(
        owner_url,
        (
            "INSERT INTO tenants (parent_id, slug, name, level, division_code, path, created_at) "
            "SELECT %(p)s, 'bench-' || g, '基准市' || g, 'city', '9' || lpad(g::text, 5, '0'), '', "
            "now() FROM generate_series(1, %(n)s) g",
            {"p": province_id, "n": TENANTS - 1},
        ),
        (
            "UPDATE tenants SET path = (SELECT path FROM tenants WHERE id = %(p)s) || id || '/' "
            "WHERE slug LIKE 'bench-%%'",
            {"p": province_id},
        ),
    )
    with psycopg.connect(owner_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        ids = [city_id] + [
            r[0]
            for r in conn.execute("SELECT id FROM tenants WHERE slug LIKE 'bench-%' ORDER BY id")
        ]
        case_id = conn.execute(
            "INSERT INTO cases (tenant_id, enterprise_id, origin, title, facts, officers, stage, "
            "complex_case, public_interest, major_violation, filed_on, limit_due, extended, "
            "hearing_eligible, hearing_place, hearing_record, review_required, review_reasons, "
            "review_opinion, reviewed_penalty, discussion_required, discussion_reasons, "
            "discussion_record, total_fine, correction_order, education_record, service_late, "
            "deadlines, policy_version, police_transfer, police_transfer_reason, created_at, "
            "updated_at) VALUES (%s, %s, 'manual', '基准', '', '[]', 'closed', false, false, "
            "false, '2025-01-02', '2025-04-02', false, false, '', '', false, '[]', '', '{}', "
            "false, '[]', '', 0, '', '', false, '{}', '', false, '', now(), now()) RETURNING id",
            (city_id, enterprise_id),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO case_violations (tenant_id, case_id, violation_key, title, provision, "
            "penalty_provision, fine_min, fine_max, facts, levels, list_entry, proposal, "
            "intended_measures, outcome, fine, measures, outside_proposal, reason, position, "
            "profile, similar_cases, similar_far) "
            "SELECT (%(ids)s::bigint[])[1 + g %% %(t)s], %(case)s, "
            f"({keys})[1 + (g / 7) %% 10], '基准', '', '', 20000, 200000, '', '{{}}', '', "
            "'{}', '[]', 'fine', 20000 + ((g %% 180001) * 7919) %% 180001, '[]', false, '', 0, "
            "CASE WHEN (g / 3) %% 5 < 3 THEN 'general' WHEN (g / 3) %% 5 = 3 THEN 'lighter' "
            "ELSE 'heavier' END, '{}', false FROM generate_series(1, %(n)s) g",
            {"ids": ids, "t": TENANTS, "case": case_id, "n": N},
        )
        conn.execute(
            "INSERT INTO case_decision_stats (tenant_id, province_id, violation_key, profile, "
            "bin, n, fine_sum, fine_min, fine_max) "
            "SELECT tenant_id, %(p)s, violation_key, profile, "
            "least(19, (fine - fine_min) * 20 / (fine_max - fine_min)), count(*), sum(fine), "
            "min(fine), max(fine) FROM case_violations WHERE case_id = %(case)s "
            "GROUP BY 1, 2, 3, 4, 5",
            {"p": province_id, "case": case_id},
        )
        conn.commit()
    with psycopg.connect(
        owner_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as conn:
        for table in ("tenants", "case_violations", "case_decision_stats"):
            conn.execute(f"ANALYZE {table}")
    print(f"\nloaded {N:,} decisions across {TENANTS} tenants in {time.perf_counter() - t0:.1f} s")
    return ids


BARE_TENANT = """
SELECT count(*), min(fine), max(fine),
       percentile_cont(ARRAY[0.1, 0.5, 0.9]) WITHIN GROUP (ORDER BY fine),
       count(*) FILTER (WHERE fine < :x), count(*) FILTER (WHERE fine = :x)
FROM case_violations
WHERE tenant_id = :t AND violation_key = :k AND profile = :p AND outcome = 'fine'
  AND fine IS NOT NULL
"""
BARE_PROVINCE = """
SELECT bin, sum(n), min(fine_min), max(fine_max) FROM case_decision_stats
WHERE tenant_id = ANY(:ids) AND province_id = :prov AND violation_key = :k AND profile = :p
GROUP BY bin
"""


def _best(fn: Any, runs: int = 5) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def test_proposal_with_similar_cases_at_scale(pg_world: dict[str, Any], pg_aut: Any) -> None:
    city, province = tenant("sx-taiyuan"), tenant("sx")
    e = make_enterprise("sx-taiyuan")
    ids = _load(pg_aut.owner_url, province.id, city.id, e.id)
    with use_scope(tenant_scope(city)):
        ctx = for_tenant(city)
        pol = policy_for(city, ctx.today)
        base = propose(pol, "air_outlet", LEVELS)
        v = CaseViolation(
            id=0,
            violation_key="air_outlet",
            fine_min=base["fine_min"],
            fine_max=base["fine_max"],
            proposal=base,
        )
        x = base["fine_suggested"]
        params = {"t": city.id, "k": "air_outlet", "p": base["grade"], "x": x}
        t_bare_tenant, bare = _best(lambda: db.session.execute(text(BARE_TENANT), params).one())
        t_bare_prov, prov_rows = _best(
            lambda: db.session.execute(
                text(BARE_PROVINCE),
                {"ids": ids, "prov": province.id, "k": "air_outlet", "p": base["grade"]},
            ).all()
        )

        def ours() -> dict[str, Any]:
            p = propose(pol, "air_outlet", LEVELS)
            v.proposal = p
            return similar.beside(ctx, v)

        t_ours, out = _best(ours)
        db.session.rollback()
    assert out["tenant"]["count"] == bare[0] > 0
    assert out["tenant"]["median"] == round(bare[3][1])
    assert out["province"]["count"] == sum(int(r[1]) for r in prov_rows) > out["tenant"]["count"]
    print(
        f"proposal + similar cases ({N:,} decisions, {TENANTS} tenants; tenant group "
        f"{out['tenant']['count']:,}, province group {out['province']['count']:,}): "
        f"{1000 * t_ours:.1f} ms; bare SQL: tenant percentiles {1000 * t_bare_tenant:.1f} ms + "
        f"province sums {1000 * t_bare_prov:.1f} ms"
    )
    assert t_ours < LIMIT_S

"""Benchmark (issue 6), PostgreSQL with RLS live, against bare baselines in the same run:

* a draw of 1% from a pool of 100,000 enterprises with officer pairing: under 0.5 s (issue 6
  asked 1 s; issue 13 a margin under it);
* the pre-save checks of one inspection with 1,000,000 inspections in the database: under 50 ms.

Not collected by default (tests/perf is in norecursedirs). Run:

    .venv/bin/pytest -n 0 -s tests/perf/test_inspections_perf.py

Data is bulk-loaded with COPY as the owner (with the RLS settings of the tenant, since the tables
force RLS even for their owner); the measured code runs through the app role like a request.
"""

from __future__ import annotations

import statistics
import time
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select, text

from tenant_app.extensions import db
from tenant_app.inspections.services import checks, draws
from tenant_app.models import Enterprise, Inspection, User
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import scope_for, system_scope
from tenant_app.tenancy.scope import Scope, use_scope

from ..helpers import tenant

pytestmark = pytest.mark.postgres

N_ENTERPRISES = 100_000
N_INSPECTIONS = 1_000_000
N_OFFICERS = 40
DRAW_LIMIT_S = 0.5  # issue 13: a margin under issue 6's 1 s
CHECK_LIMIT_MS = 50.0


def _owner(url: str, tenant_id: int) -> psycopg.Connection:
    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    conn.execute(
        "select set_config('app.tenant_id', %s, false), set_config('app.read_tenants', %s, false)",
        (str(tenant_id), str(tenant_id)),
    )
    return conn


def _load(owner_url: str, tenant_id: int) -> None:
    with _owner(owner_url, tenant_id) as conn, conn.cursor() as cur:
        t0 = time.perf_counter()
        with cur.copy(
            "COPY enterprises (tenant_id, uscc, name, address, legal_representative, contact_phone,"
            " permit_no, permit_violating, needs_monitoring, key_discharger, online_monitoring_required,"
            " online_monitoring_installed, online_monitoring_networked, supervision_category,"
            " construction_project, tags, created_at, updated_at) FROM STDIN"
        ) as cp:
            for i in range(1, N_ENTERPRISES + 1):
                cat = "listed" if i % 50 == 0 else ("special" if i % 97 == 0 else "general")
                cp.write_row(
                    (
                        tenant_id,
                        f"91140100PF{i:08d}",
                        f"基准企业{i}",
                        "",
                        "",
                        "",
                        "",
                        False,
                        True,
                        i % 5 == 0,
                        False,
                        False,
                        False,
                        cat,
                        False,
                        "[]",
                        "2026-01-01T00:00:00Z",
                        "2026-01-01T00:00:00Z",
                    )
                )
        cur.execute("select min(id) from enterprises where tenant_id = %s", (tenant_id,))
        first = cur.fetchone()[0]
        with cur.copy(
            "COPY inspections (tenant_id, enterprise_id, mode, trigger, planned_date, status, title,"
            " officers, checklist, decision, rule_ids, policy_version, requirements, preconditions,"
            " conclusion, record, feedback_text, feedback_overdue, created_at, updated_at) FROM STDIN"
        ) as cp:
            start = date(2025, 1, 1)
            for j in range(N_INSPECTIONS):
                eid = first + (j % N_ENTERPRISES)
                d = start + timedelta(days=(j * 7919) % 730)
                cp.write_row(
                    (
                        tenant_id,
                        eid,
                        "on_site" if j % 3 else "off_site",
                        "proactive" if j % 4 else "complaint",
                        d,
                        "done",
                        "",
                        "[]",
                        "[]",
                        "{}",
                        "[]",
                        "",
                        "[]",
                        "[]",
                        "",
                        "{}",
                        "",
                        False,
                        "2026-01-01T00:00:00Z",
                        "2026-01-01T00:00:00Z",
                    )
                )
        # The visit register (issue 11: one budget across levels) holds one row per inspection,
        # as migration 0006f backfills it; the cap and nearby checks read it.
        cur.execute(
            "INSERT INTO enterprise_visits (uscc, enterprise_id, inspection_id, joint_group_id,"
            " department, level, visit_date, mode, trigger, status, note, created_at, tenant_id)"
            " SELECT e.uscc, i.enterprise_id, i.id, i.joint_group_id, '', 'city', i.planned_date,"
            " i.mode, i.trigger, i.status, '', i.created_at, i.tenant_id FROM inspections i"
            " JOIN enterprises e ON e.id = i.enterprise_id WHERE i.tenant_id = %s",
            (tenant_id,),
        )
        # Officers for the pairing pool.
        for k in range(N_OFFICERS):
            cur.execute(
                "insert into users (username, display_name, password_hash, home_tenant_id, certificate_no,"
                " active, created_at) values (%s, %s, 'x', %s, %s, true, now()) returning id",
                (f"perf-officer-{k}", f"基准执法{k}", tenant_id, f"1401002026{k:04d}"),
            )
            uid = cur.fetchone()[0]
            cur.execute(
                "insert into role_grants (tenant_id, user_id, role, created_at) values (%s, %s, 'officer', now())",
                (tenant_id, uid),
            )
        conn.commit()
        print(
            f"\nloaded {N_ENTERPRISES:,} enterprises + {N_INSPECTIONS:,} inspections in {time.perf_counter() - t0:.1f} s"
        )
    with psycopg.connect(
        owner_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as conn:
        conn.execute("ANALYZE enterprises")
        conn.execute("ANALYZE inspections")
        conn.execute("ANALYZE enterprise_visits")


def _ms(fn: Any, runs: int = 20) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
        db.session.rollback()
    return statistics.median(times), max(times)


def test_draw_and_presave_checks_at_scale(pg_world: dict[str, Any], pg_aut: Any) -> None:
    t = tenant("sx-taiyuan")
    _load(pg_aut.owner_url, t.id)
    with use_scope(system_scope()):
        officer = db.session.execute(
            select(User).where(User.username == "taiyuan-officer1")
        ).scalar_one()
        # the draw's witness: a person outside the officer pool, acting as legal reviewer
        witness_id = db.session.execute(
            select(User.id).where(User.username == "taiyuan-principal")
        ).scalar_one()
    with use_scope(scope_for(t, officer)):
        assert db.session.execute(select(func.count(Inspection.id))).scalar() == N_INSPECTIONS
        eid = db.session.execute(
            select(Enterprise.id).where(Enterprise.uscc == "91140100PF00012345")
        ).scalar_one()
        ctx = scope_context()
        officers = [u.id for u in checks.officer_pool(ctx)][:2]
        data = {
            "enterprise_id": eid,
            "mode": "on_site",
            "trigger": "proactive",
            "planned_date": "2026-06-15",
            "officer_ids": officers,
        }

        # -- pre-save checks vs a plain indexed SELECT on the same index --------------------------
        baseline = text(
            "select count(*) from inspections where tenant_id = :t and enterprise_id = :e"
            " and planned_date between '2026-01-01' and '2026-12-31'"
        )
        base_med, base_max = _ms(
            lambda: db.session.execute(baseline, {"t": t.id, "e": eid}).scalar()
        )
        report = checks.preview(ctx, data)
        assert report.checks and report.facts["enterprise_id"] == eid
        chk_med, chk_max = _ms(lambda: checks.preview(ctx, data))
        print(
            f"pre-save checks, 1,000,000 inspections: median {chk_med:.1f} ms (max {chk_max:.1f}); "
            f"baseline indexed count: median {base_med:.2f} ms (max {base_max:.2f})"
        )

        # -- draw 1% of 100,000 with officer pairing vs a bare read of the pool ------------------
        t0 = time.perf_counter()
        n = len(
            db.session.execute(
                text("select id, supervision_category from enterprises where tenant_id = :t"),
                {"t": t.id},
            ).all()
        )
        base_pool = time.perf_counter() - t0
        db.session.rollback()
        ratios = {"general": 0.01, "key": 0.01, "special": 0.01, "listed": 0.01}
        t0 = time.perf_counter()
        d = draws.commit_draw(
            ctx, {"planned_date": "2026-07-01", "ratios": ratios, "secret": "0a" * 32}
        )
        db.session.commit()
        t_commit = time.perf_counter() - t0
        # Two-party draw (docs/draws.md): a witness commits, both reveal; the last reveal draws.
        did = d.id
        witness = Scope(
            tenant_id=t.id,
            read_ids=(t.id,),
            user_id=witness_id,
            roles=frozenset({"legal_reviewer"}),
        )
        with use_scope(witness):
            draws.commit_witness(scope_context(), draws.get_draw(did), {"secret": "0b" * 32})
            draws.reveal(scope_context(), draws.get_draw(did), "0b" * 32)
            db.session.commit()
        t0 = time.perf_counter()
        d = draws.reveal(ctx, draws.get_draw(did), "0a" * 32)
        db.session.commit()
        t_exec = time.perf_counter() - t0
        assert sum(len(v) for v in d.pool["enterprises"].values()) == n == N_ENTERPRISES
        assert 990 <= len(d.result) <= 1010 and all(len(r["officers"]) == 2 for r in d.result)
        t0 = time.perf_counter()
        assert draws.verify(d)
        t_verify = time.perf_counter() - t0
        total = t_commit + t_exec
        print(
            f"draw 1% of {n:,} ({len(d.result)} drawn, {len(d.pool['officers'])} officers): "
            f"commit (pool + seed hash) {t_commit * 1000:.0f} ms + draw and pairing {t_exec * 1000:.0f} ms = "
            f"{total * 1000:.0f} ms; recompute/verify {t_verify * 1000:.0f} ms; "
            f"baseline bare pool read {base_pool * 1000:.0f} ms"
        )
    assert chk_med < CHECK_LIMIT_MS
    assert total < DRAW_LIMIT_S

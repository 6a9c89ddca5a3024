"""Benchmark (issue 13 item 5): the audit log's read paths and appends before and after it is
partitioned by month (migration 0010u), and how long the migration takes, on one fresh database:
AUDIT_BENCH_N entries (default 1,000,000) over 100 tenants and 24 months, read as the app role
with RLS live.

Not collected by default (tests/perf is in norecursedirs). Run:

    .venv/bin/pytest -s -n 0 -p no:cacheprovider tests/perf/test_audit_partitions_perf.py

It prints a table (median and p95 of each query and of one append) and asserts the goals at the
end of the test (the figures are in docs/decisions.md). Queries:

* first page: a tenant's newest 50 (the API and dashboard list: keyset on id, descending);
* deep page: 50 more after the 5,000th newest (keyset ``id < K``; fewer on a small run);
* one week: a tenant's newest 50 of one week (the oversight search's date filter);
* chain walk: every entry of one tenant in seq order (what ``audit verify`` reads);
* append: single-row INSERT, one transaction each, signed scope set each time.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from flask_migrate import upgrade

from tenant_app.tenancy import scope_key

from .. import pg
from ..conftest import build_app
from ..services import PG_ADMIN_URL, need_postgres

pytestmark = pytest.mark.postgres

N = int(os.environ.get("AUDIT_BENCH_N", "1000000"))
TENANTS = 100
MONTHS = 24  # 2025-01 .. 2026-12
REPEAT = 40
APPENDS = 1000
DEEP = min(5000, N // TENANTS // 2)  # rows skipped by the deep page


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def _timed(fn: Callable[[], Any], repeat: int = REPEAT) -> tuple[float, float]:
    fn()  # warm
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return _ms(samples)


def _scope(conn: psycopg.Connection, key: bytes, tenant_id: int) -> None:
    t = str(tenant_id)
    sig = scope_key.sign(key, conn.info.backend_pid, t, t, "")
    conn.execute(
        "select set_config('app.tenant_id', %s, true), set_config('app.read_tenants', %s, true),"
        " set_config('app.user_id', '', true), set_config('app.scope_sig', %s, true)",
        (t, t, sig),
    )


def _measure(app_url: str, key: bytes) -> dict[str, tuple[float, float]]:
    tenant_id = 42
    out: dict[str, tuple[float, float]] = {}
    with psycopg.connect(app_url) as conn:
        _scope(conn, key, tenant_id)
        (k,) = conn.execute(
            "select id from audit_log where tenant_id = %s order by id desc offset %s limit 1",
            (tenant_id, DEEP),
        ).fetchone() or (0,)
        week = (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC))

        def first() -> None:
            rows = conn.execute(
                "select * from audit_log where tenant_id = %s order by id desc limit 50",
                (tenant_id,),
            ).fetchall()
            assert len(rows) == 50

        def deep() -> None:
            rows = conn.execute(
                "select * from audit_log where tenant_id = %s and id < %s"
                " order by id desc limit 50",
                (tenant_id, k),
            ).fetchall()
            assert len(rows) == 50

        def one_week() -> None:
            conn.execute(
                "select * from audit_log where tenant_id = %s and at >= %s and at < %s"
                " order by id desc limit 50",
                (tenant_id, *week),
            ).fetchall()

        def chain() -> None:
            conn.execute(
                "select * from audit_log where tenant_id = %s order by seq", (tenant_id,)
            ).fetchall()

        out["first page"] = _timed(first)
        out["deep page"] = _timed(deep)
        out["one week"] = _timed(one_week)
        out["chain walk"] = _timed(chain, 5)
        conn.rollback()
        _scope(conn, key, tenant_id)
        (seq,) = conn.execute(
            "select max(seq) from audit_log where tenant_id = %s", (tenant_id,)
        ).fetchone() or (0,)
        conn.rollback()
    with psycopg.connect(app_url) as conn:
        samples = []
        seq = seq or 0
        for i in range(APPENDS):
            t0 = time.perf_counter()
            with conn.transaction():
                _scope(conn, key, tenant_id)
                conn.execute(
                    "insert into audit_log (tenant_id, seq, at, actor_name, action, object_type,"
                    " object_id, ip, prev_hash, hash) values (%s, %s, now(), 'bench',"
                    " 'bench.append', '', '', '', '', '')",
                    (tenant_id, seq + 1 + i),
                )
            samples.append(time.perf_counter() - t0)
        out["append"] = _ms(samples)
    return out


def test_audit_log_partitioned_against_plain() -> None:
    admin = need_postgres()
    name = f"audit_bench_{pg.worker_suffix()}"
    owner_url, app_url = pg.fresh_database(admin, name)
    owner = owner_url.replace("postgresql+psycopg://", "postgresql://")
    app_conn = app_url.replace("postgresql+psycopg://", "postgresql://")
    app = build_app(app_url, owner_url)
    try:
        with app.app_context():
            upgrade(revision="0010r")
            key = scope_key.derive(app.config["DB_SCOPE_KEY"])
            t0 = time.perf_counter()
            with psycopg.connect(owner, autocommit=True) as conn:
                conn.execute(
                    "insert into tenants (id, parent_id, slug, name, level, division_code, path,"
                    " created_at) select g, 1, 'bench-' || g, 'bench ' || g, 'city',"
                    " lpad(g::text, 6, '0'), '/1/' || g || '/', now()"
                    " from generate_series(2, %s) g",
                    (TENANTS + 1,),
                )
                # Entry g belongs to tenant 2 + g % 100 with seq g / 100 + 1, dated in order over
                # 24 months: ids, seqs and times rise together as they do in production.
                conn.execute(
                    "insert into audit_log (tenant_id, seq, at, actor_name, action, object_type,"
                    " object_id, ip, prev_hash, hash, after) select 2 + g %% %s, g / %s + 1,"
                    " timestamptz '2025-01-01 00:00+00'"
                    "   + (g::float8 / %s) * interval '730 days',"
                    " 'bench', 'enterprise.updated', 'enterprise', (g %% 5000)::text,"
                    " '10.0.0.1', md5(g::text) || md5(g::text), md5((g + 1)::text) ||"
                    " md5((g + 1)::text), json_build_object('name', 'enterprise ' || g)"
                    " from generate_series(0, %s - 1) g",
                    (TENANTS, TENANTS, N, N),
                )
                conn.execute("vacuum analyze audit_log")
            generated = time.perf_counter() - t0
            before = _measure(app_conn, key)
            t0 = time.perf_counter()
            upgrade(revision="0010u")
            migrated = time.perf_counter() - t0
            with psycopg.connect(owner, autocommit=True) as conn:
                conn.execute("vacuum analyze audit_log")
                (parts,) = conn.execute(
                    "select count(*) from pg_inherits where inhparent = 'audit_log'::regclass"
                ).fetchone() or (0,)
            after = _measure(app_conn, key)
    finally:
        with app.app_context():
            from tenant_app.extensions import db

            db.engine.dispose()
        if not os.environ.get("AUDIT_BENCH_KEEP"):
            pg.drop_database(PG_ADMIN_URL, name)
    print(f"\n{N:,} entries, {TENANTS} tenants, {MONTHS} months; generated in {generated:.1f} s")
    print(f"migration 0010u (copy into {parts} partitions, keys, indexes): {migrated:.1f} s")
    print(f"{'path':<12} {'plain p50/p95 ms':>20} {'partitioned p50/p95 ms':>26}")
    for path in before:
        b, a = before[path], after[path]
        print(f"{path:<12} {b[0]:>9.2f} / {b[1]:>8.2f} {a[0]:>13.2f} / {a[1]:>9.2f}")
    # Goals: the pages stay within the list goal (p95 under 50 ms); an append costs no
    # more than half again; the chain walk (audit verify) stays within twice the plain table's.
    assert all(after[p][1] < 50 for p in ("first page", "deep page", "one week")), after
    assert after["append"][0] <= 1.5 * before["append"][0] + 1, (before, after)
    assert after["chain walk"][0] <= 2 * before["chain walk"][0], (before, after)

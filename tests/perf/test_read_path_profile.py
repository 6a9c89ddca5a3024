"""Where the API list page's time goes, in process (issue 13 item 1): cProfile over repeated
requests to the app as deployed (app role, RLS live, bearer token), printed by cumulative and by
own time. Not a benchmark (tests/perf/test_read_path_perf.py is); it says what to cut.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/pytest -n 0 -s -p no:cacheprovider tests/perf/test_read_path_profile.py
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import current_app

from tenant_app import create_app
from tenant_app.extensions import db

from ..helpers import token_for
from . import test_read_path_perf as bench

pytestmark = pytest.mark.postgres

REQUESTS = int(os.environ.get("PERF_PROFILE_REQUESTS", "2000"))


def _environ(app: Any, path: str, query: str, auth: str) -> dict[str, Any]:
    from werkzeug.test import EnvironBuilder

    return EnvironBuilder(
        path=path, query_string=query, headers={"Authorization": auth}, base_url="http://x/"
    ).get_environ()


def _drive(app: Any, environ: dict[str, Any], n: int) -> float:
    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        assert status.startswith("200"), status

    t0 = time.perf_counter()
    for _ in range(n):
        body = app(dict(environ), start_response)
        b"".join(body)
        if hasattr(body, "close"):
            body.close()
    return (time.perf_counter() - t0) / n * 1000


def _sent(app: Any, environ: dict[str, Any]) -> list[str]:
    """Every statement and transaction command one warm request sends to the database."""
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    sent: list[str] = []

    def statement(conn: Any, cursor: Any, sql: str, *a: Any) -> None:
        sent.append(" ".join(sql.split()))

    hooks = {
        "before_cursor_execute": statement,
        "begin": lambda conn: sent.append("BEGIN"),
        "commit": lambda conn: sent.append("COMMIT"),
        "rollback": lambda conn: sent.append("ROLLBACK"),
    }
    for name, fn in hooks.items():
        event.listen(engine, name, fn)
    try:
        _drive(app, environ, 1)
    finally:
        for name, fn in hooks.items():
            event.remove(engine, name, fn)
    return sent


def test_profile_api_list(pg_aut: Any, pg_world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(bench, "N", int(os.environ.get("PERF_ENTERPRISES", "100000")))
    tenants = bench._load(pg_aut.owner_url)
    tid, slug = tenants[bench.TENANTS // 2]
    uid = bench.bench_officer(pg_aut.owner_url, tid)
    auth = f"Bearer {token_for('bench-officer')}"
    work = Path(tempfile.mkdtemp(prefix="perf-profile-"))
    app = create_app(
        environ={
            "DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
            "SECRET_KEY": current_app.config["SECRET_KEY"],
            "DB_SCOPE_KEY": current_app.config["DB_SCOPE_KEY"],
            "ENV": "testing",
            "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
            "UPLOAD_DIR": str(work / "uploads"),
            "AUDIT_CHECKPOINT_DIR": str(work / "cp"),
        }
    )
    public = work / "public.html"
    public.write_bytes(b"x")
    os.environ.update(
        BARE_DB=bench._plain(db.engine.url.render_as_string(hide_password=False)),
        BARE_SCOPE_KEY=current_app.config["DB_SCOPE_KEY"],
        BARE_PUBLIC_FILE=str(public),
    )
    from . import bare_app

    path = f"/api/v1/tenants/{slug}/enterprises"
    q = quote("基准企业" + str((bench.TENANTS // 2) * (bench.N // bench.TENANTS) + 123))
    for label, query in (("list page 1", "limit=50"), ("name search", f"limit=50&q={q}")):
        bare_environ = _environ(bare_app.app, "/list", f"tenant={tid}&user={uid}&{query}", auth)
        _drive(bare_app.app, bare_environ, 200)
        bare = _drive(bare_app.app, bare_environ, REQUESTS)
        environ = _environ(app, path, query, auth)
        _drive(app, environ, 200)  # warm: caches, compiled statements, connections
        print(f"\n=== {label}: what one request sends ===")
        for line in _sent(app, environ):
            print("  ", line[:160])
        plain = _drive(app, environ, REQUESTS)
        prof = cProfile.Profile()
        prof.enable()
        _drive(app, environ, REQUESTS)
        prof.disable()
        if os.environ.get("PERF_PROFILE_DUMP"):
            prof.dump_stats(f"{os.environ['PERF_PROFILE_DUMP']}-{label.replace(' ', '-')}.prof")
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(35)
        print(
            f"\n=== {label}: {plain:.2f} ms per request without the profiler;"
            f" bare {bare:.2f} ms (ratio {bare / plain:.2f}) ==="
        )
        print(out.getvalue())

"""Issue 13 item 1, what a pooled connection keeps between requests on PostgreSQL: its prepared
statements (a read-only request ends with COMMIT, and psycopg forgets them at each ROLLBACK),
and no ping before each use (only after DB_PING_AFTER_IDLE_SECONDS idle), while a connection
that died idle is still replaced before a request uses it."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from tenant_app.core import db_connections
from tenant_app.extensions import db

from ..conftest import build_app
from ..helpers import bearer
from ..registry.factory import make_enterprise

pytestmark = pytest.mark.postgres

API = "/api/v1/tenants/xj-urumqi/enterprises"


def _one_connection_app(pg_aut, **settings):  # noqa: ANN001, ANN003
    return build_app(
        pg_aut.app.config["DATABASE_URL"],
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0},
        **settings,
    )


def test_the_list_runs_prepared_after_a_few_requests(pg_aut, pg_world):
    """psycopg prepares a statement on its fifth use on a connection; had each request ended
    with ROLLBACK, the count would start again every time and nothing would be prepared."""
    make_enterprise("xj-urumqi", 1)
    app = _one_connection_app(pg_aut)
    client, headers = app.test_client(), bearer("urumqi-officer1")
    for _ in range(7):
        resp = client.get(API, headers=headers)
        assert resp.status_code == 200 and len(resp.get_json()["items"]) == 1
    with app.app_context():
        with db.engine.connect() as conn:  # the pool's only connection
            prepared = (
                conn.execute(text("select statement from pg_prepared_statements")).scalars().all()
            )
        db.engine.dispose()
    assert any("FROM enterprises" in s for s in prepared), prepared
    assert any("set_config" in s for s in prepared), prepared


def test_a_connection_is_pinged_only_after_idling(pg_aut, pg_world, monkeypatch):
    app = _one_connection_app(pg_aut, DB_PING_AFTER_IDLE_SECONDS=30)
    client, headers = app.test_client(), bearer("urumqi-officer1")
    now = [1000.0]
    monkeypatch.setattr(db_connections, "_now", lambda: now[0])
    with app.app_context():
        dialect = db.engine.dialect
    pings: list[int] = []
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda c: pings.append(1) or real_ping(c))
    for _ in range(3):  # moments apart: no ping
        now[0] += 1
        assert client.get(API, headers=headers).status_code == 200
    assert pings == []
    now[0] += 31  # idle for longer than the setting: checked once
    assert client.get(API, headers=headers).status_code == 200
    assert pings == [1]


def test_a_connection_that_died_idle_is_replaced_before_use(pg_aut, pg_world, monkeypatch):
    app = _one_connection_app(pg_aut, DB_PING_AFTER_IDLE_SECONDS=30)
    client, headers = app.test_client(), bearer("urumqi-officer1")
    now = [1000.0]
    monkeypatch.setattr(db_connections, "_now", lambda: now[0])
    assert client.get(API, headers=headers).status_code == 200
    with app.app_context(), db.engine.connect() as conn:
        pid = conn.execute(text("select pg_backend_pid()")).scalar()
    owner = pg_aut.owner_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(owner, autocommit=True) as admin:  # the server restarts, say
        admin.execute("select pg_terminate_backend(%s)", (pid,))
    now[0] += 60
    assert client.get(API, headers=headers).status_code == 200
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("select pg_backend_pid()")).scalar() != pid
        db.engine.dispose()

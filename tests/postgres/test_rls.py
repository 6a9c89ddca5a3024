"""Row-level security on PostgreSQL: the second wall under the app's scoped queries."""

from __future__ import annotations

import threading

import psycopg
import pytest
from flask import current_app
from sqlalchemy import create_engine, text

from tenant_app.audit import log as audit
from tenant_app.extensions import db
from tenant_app.models import AuditEntry
from tenant_app.tenancy import scope_key
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..conftest import build_app
from ..helpers import bearer, tenant

pytestmark = pytest.mark.postgres


def _conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def test_every_tenant_table_has_forced_rls_and_a_policy(pg_aut):
    """Plain and partitioned tables alike. A partition (audit_log's months, 0010u) is reached
    through its parent, whose policies apply to it: it has RLS on without a policy (nothing for
    anyone but the owner) and the app role holds no right on it."""
    with psycopg.connect(_conninfo(pg_aut.owner_url)) as conn:
        rows = conn.execute("""
            select c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   (select count(*) from pg_policy p where p.polrelid = c.oid), c.relispartition,
                   has_table_privilege('tenant_app', c.oid, 'SELECT,INSERT,UPDATE,DELETE')
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind in ('r', 'p')
              and exists (select 1 from pg_attribute a where a.attrelid = c.oid
                          and a.attname = 'tenant_id' and not a.attisdropped)
        """).fetchall()
    tables = [r for r in rows if not r[4]]
    partitions = [r for r in rows if r[4]]
    assert len(tables) >= 4 and len(partitions) >= 2  # audit_log's months and its default
    bad = [r[0] for r in tables if not (r[1] and r[2] and r[3] >= 1)]
    assert bad == [], f"tenant tables without forced RLS and a policy: {bad}"
    open_partitions = [r[0] for r in partitions if not r[1] or r[5]]
    assert open_partitions == [], f"partitions the app role could reach: {open_partitions}"


def test_app_role_owns_nothing_and_cannot_bypass(pg_aut):
    app_url = pg_aut.app.config["SQLALCHEMY_DATABASE_URI"]
    with psycopg.connect(_conninfo(app_url)) as conn:
        me = conn.execute(
            "select rolname, rolsuper, rolbypassrls from pg_roles where rolname = current_user"
        ).fetchone()
        owned = conn.execute(
            "select count(*) from pg_class c join pg_namespace n on"
            " n.oid = c.relnamespace where n.nspname = 'public'"
            " and pg_get_userbyid(c.relowner) = current_user"
        ).fetchone()[0]
    assert me == ("tenant_app", False, False)
    assert owned == 0


def signed_scope(
    conn: psycopg.Connection, tenant_id: str = "", read_ids: str = "", user_id: str = ""
) -> None:
    """Set the scope the way the app does (tenancy/guard.py): signed for this connection."""
    key = scope_key.derive(current_app.config["DB_SCOPE_KEY"])
    sig = scope_key.sign(key, conn.info.backend_pid, tenant_id, read_ids, user_id)
    conn.execute(
        "select set_config('app.tenant_id', %s, true), set_config('app.read_tenants', %s, true),"
        " set_config('app.user_id', %s, true), set_config('app.scope_sig', %s, true)",
        (tenant_id, read_ids, user_id, sig),
    )


def test_raw_sql_as_app_role_sees_only_the_tenant_in_its_setting(pg_world):
    a, b = tenant("xj-urumqi"), tenant("sx-taiyuan")
    app_url = _conninfo(db.engine.url.render_as_string(hide_password=False))
    with psycopg.connect(app_url) as conn:
        signed_scope(conn, read_ids=str(a.id))
        tenants_seen = {r[0] for r in conn.execute("select distinct tenant_id from audit_log")}
        grants_of_b = conn.execute(
            "select count(*) from role_grants where tenant_id = %s", (b.id,)
        ).fetchone()[0]
    assert tenants_seen == {a.id}
    assert grants_of_b == 0
    with psycopg.connect(app_url) as conn:  # no setting at all: nothing
        assert conn.execute("select count(*) from audit_log").fetchone()[0] == 0
        assert conn.execute("select count(*) from jobs").fetchone()[0] == 0


def test_app_role_cannot_write_into_another_tenant(pg_world):
    a, b = tenant("xj-urumqi"), tenant("sx-taiyuan")
    app_url = _conninfo(db.engine.url.render_as_string(hide_password=False))
    with psycopg.connect(app_url) as conn:
        conn.execute("select set_config('app.tenant_id', %s, true)", (str(a.id),))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "insert into jobs (id, tenant_id, name, args, queue, status, attempts,"
                " max_attempts, timeout_seconds, progress, message, created_at)"
                " values ('x', %s, 'n', '{}', 'default', 'pending', 0, 1, 1, 0, '', now())",
                (b.id,),
            )


def test_app_role_cannot_update_or_delete_audit_rows(pg_world):
    a = tenant("xj-urumqi")
    app_url = _conninfo(db.engine.url.render_as_string(hide_password=False))
    for statement in ("update audit_log set action = 'forged'", "delete from audit_log"):
        with psycopg.connect(app_url) as conn:
            conn.execute(
                "select set_config('app.tenant_id', %s, true),"
                " set_config('app.read_tenants', %s, true)",
                (str(a.id), str(a.id)),
            )
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_pool_of_one_connection_never_carries_a_scope_over(pg_aut, pg_world):
    app = build_app(
        pg_aut.app.config["DATABASE_URL"],
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0},
    )
    headers_a, headers_b = bearer("urumqi-admin"), bearer("taiyuan-admin")
    client = app.test_client()
    seen = []
    for headers, slug in ((headers_a, "xj-urumqi"), (headers_b, "sx-taiyuan")):
        resp = client.get(f"/api/v1/tenants/{slug}/audit?limit=500", headers=headers)
        assert resp.status_code == 200
        seen.append({e["id"] for e in resp.get_json()["items"]})
    with app.app_context():
        engine = db.engine
        assert engine.pool.size() == 1
        with engine.connect() as conn:  # the same single pooled connection, no scope now
            leftover = conn.execute(
                text("select current_setting('app.read_tenants', true)")
            ).scalar()
            visible = conn.execute(text("select count(*) from audit_log")).scalar()
        engine.dispose()
    assert leftover in (None, "")
    assert visible == 0
    assert seen[0] and seen[1] and not seen[0] & seen[1]


def test_concurrent_appends_never_fork_the_chain(pg_aut, pg_world):
    a = tenant("xj-urumqi")
    app = pg_aut.app
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with app.app_context(), use_scope(tenant_scope(a)):
                for i in range(10):
                    audit.record(scope_context(), "test.concurrent", object_id=f"{n}-{i}")
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with use_scope(system_scope()):
        seqs = [
            s
            for (s,) in db.session.query(AuditEntry.seq)
            .filter(AuditEntry.tenant_id == a.id)
            .order_by(AuditEntry.seq)
        ]
        assert seqs == list(range(1, len(seqs) + 1))
        assert audit.verify_tenant(a) is None


def test_migrations_refuse_to_run_as_the_app_role(pg_aut):
    app_url = pg_aut.app.config["DATABASE_URL"]
    engine = create_engine(app_url)
    with engine.connect() as conn:
        assert conn.execute(text("select current_user")).scalar() == "tenant_app"
    engine.dispose()

"""Issue 12, item 7: SQL running as the app role (an injection) cannot widen its tenant scope by
calling set_config, and cannot read password hashes. RLS is live: these run on PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest
from flask import current_app

from tenant_app.auth.credentials import stored_hash
from tenant_app.extensions import db
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import tenant
from .test_rls import signed_scope

pytestmark = pytest.mark.postgres


def _app_url() -> str:
    return db.engine.url.render_as_string(hide_password=False).replace(
        "postgresql+psycopg://", "postgresql://"
    )


def test_set_config_alone_reads_no_other_tenant(pg_world):
    a, b = tenant("xj-urumqi"), tenant("sx-taiyuan")
    with psycopg.connect(_app_url()) as conn:
        conn.execute("select set_config('app.read_tenants', %s, true)", (f"{a.id},{b.id}",))
        seen = conn.execute("select count(*) from audit_log where tenant_id = %s", (b.id,))
        assert seen.fetchone()[0] == 0
        assert conn.execute("select count(*) from role_grants").fetchone()[0] == 0


def test_widening_a_signed_scope_invalidates_it(pg_world):
    a, b = tenant("xj-urumqi"), tenant("sx-taiyuan")
    with psycopg.connect(_app_url()) as conn:
        signed_scope(conn, tenant_id=str(a.id), read_ids=str(a.id))
        assert conn.execute("select count(*) from audit_log").fetchone()[0] > 0  # the app's view
        # What an injected statement would do next, inside the app's own transaction:
        conn.execute("select set_config('app.read_tenants', %s, true)", (f"{a.id},{b.id}",))
        rows = conn.execute("select distinct tenant_id from audit_log").fetchall()
        assert rows == []
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # WITH CHECK fails too
            conn.execute("select set_config('app.tenant_id', %s, true)", (str(b.id),))
            conn.execute(
                "insert into jobs (id, tenant_id, name, args, queue, status, attempts,"
                " max_attempts, timeout_seconds, progress, message, created_at)"
                " values ('x', %s, 'n', '{}', 'default', 'pending', 0, 1, 1, 0, '', now())",
                (b.id,),
            )


def test_a_signature_is_bound_to_its_connection(pg_world):
    a = tenant("xj-urumqi")
    with psycopg.connect(_app_url()) as one, psycopg.connect(_app_url()) as other:
        signed_scope(one, read_ids=str(a.id))
        sig = one.execute("select current_setting('app.scope_sig')").fetchone()[0]
        other.execute(
            "select set_config('app.read_tenants', %s, true), set_config('app.scope_sig', %s, true)",
            (str(a.id), sig),
        )
        assert one.execute("select count(*) from audit_log").fetchone()[0] > 0
        assert other.execute("select count(*) from audit_log").fetchone()[0] == 0


def test_app_role_cannot_select_password_hashes(pg_world):
    with (
        psycopg.connect(_app_url()) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("select password_hash from users")
    with (
        psycopg.connect(_app_url()) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("select * from users")
    with psycopg.connect(_app_url()) as conn:  # the columns login needs besides the hash: fine
        assert conn.execute("select count(username) from users").fetchone()[0] > 0


def test_login_hash_function_needs_a_signed_scope(pg_world):
    with psycopg.connect(_app_url()) as conn:  # stolen app credentials, no scope key
        got = conn.execute("select app_login_hash('urumqi-officer1')").fetchone()[0]
        assert got is None
        signed_scope(conn, read_ids=str(tenant("xj-urumqi").id))
        got = conn.execute("select app_login_hash('urumqi-officer1')").fetchone()[0]
        assert got is not None and got.startswith("$argon2id$")
    with use_scope(system_scope()):
        assert stored_hash("urumqi-officer1") == got
        assert stored_hash("nobody-here") is None


def test_app_role_cannot_read_or_replace_the_scope_key(pg_world):
    with (
        psycopg.connect(_app_url()) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("select * from app_scope_key")
    with (
        psycopg.connect(_app_url()) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(
            "create or replace function app_scope_valid() returns boolean"
            " language sql as 'select true'"
        )
    assert current_app.config["DB_SCOPE_KEY"]


def test_no_policy_reads_a_setting_directly_or_per_row(pg_aut):
    """Every policy goes through the signed scope functions, once per query: a new migration
    that wrote current_setting() or a bare app_read_tenants() into a policy fails here."""
    with psycopg.connect(pg_aut.owner_url.replace("postgresql+psycopg://", "postgresql://")) as c:
        rows = c.execute(
            "select tablename, policyname, coalesce(qual, '') || ' ' || coalesce(with_check, '')"
            " from pg_policies where schemaname = 'public'"
        ).fetchall()
    assert rows
    direct = [(t, p) for t, p, expr in rows if "current_setting" in expr]
    per_row = [
        (t, p)
        for t, p, expr in rows
        for fn in ("app_read_tenants()", "app_write_tenant()", "app_user()")
        if expr.count(fn) != expr.count(f"SELECT {fn}")
    ]
    assert direct == [] and per_row == []

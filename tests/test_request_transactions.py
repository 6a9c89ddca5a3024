"""Issue 13 item 1: a request that only read ends its transaction with COMMIT (psycopg keeps its
prepared statements, tests/postgres/test_connection_reuse.py); anything else ends as before,
rolled back, so a request that failed leaves nothing behind."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select, text, update

from tenant_app.core.db_connections import json_loads
from tenant_app.core.request_transactions import commit_if_read_only
from tenant_app.extensions import db
from tenant_app.models import Enterprise, Tenant
from tenant_app.tenancy.guard import TenantViolation, execute_in_scope, scoped_select
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope

from .helpers import bearer, tenant
from .registry.factory import make_enterprise


@contextmanager
def endings() -> Iterator[list[str]]:
    seen: list[str] = []

    def commit(conn):  # noqa: ANN001
        seen.append("COMMIT")

    def rollback(conn):  # noqa: ANN001
        seen.append("ROLLBACK")

    engine = db.engine
    event.listen(engine, "commit", commit)
    event.listen(engine, "rollback", rollback)
    try:
        yield seen
    finally:
        event.remove(engine, "commit", commit)
        event.remove(engine, "rollback", rollback)


def test_an_api_read_ends_with_commit_and_a_refused_request_rolls_back(client, world):
    make_enterprise("xj-urumqi", 1)
    headers = bearer("urumqi-officer1")
    client.get("/api/v1/tenants/xj-urumqi/enterprises", headers=headers)  # token use recorded
    with endings() as seen:
        resp = client.get("/api/v1/tenants/xj-urumqi/enterprises", headers=headers)
    assert resp.status_code == 200 and len(resp.get_json()["items"]) == 1
    assert seen == ["COMMIT"]
    with endings() as seen:  # a bad filter: the error handler rolls back, as on every error
        resp = client.get(
            "/api/v1/tenants/xj-urumqi/enterprises", query_string={"industry": "X"}, headers=headers
        )
    assert resp.status_code == 422
    assert seen == ["ROLLBACK"]


def test_a_transaction_that_may_have_written_is_left_to_roll_back(aut, world):
    urumqi = tenant("xj-urumqi")
    make_enterprise("xj-urumqi", 1)
    with use_scope(tenant_scope(urumqi)):
        cases = {
            "an UPDATE": lambda: db.session.execute(update(Enterprise).values(name="改过的名称")),
            "a text() statement": lambda: db.session.execute(text("SELECT 1")),
            "a pending object": lambda: db.session.add(
                Enterprise(uscc="91650100MA77777771", name="未保存企业", address="乌鲁木齐")
            ),
            "a side effect waiting for commit": lambda: db.session.info.update(pending=["x"]),
        }
        for label, action in cases.items():
            db.session.execute(select(Tenant.id)).all()  # the transaction is open
            with db.session.no_autoflush:
                action()
            with endings() as seen:
                commit_if_read_only(None)
            assert seen == [], label
            db.session.rollback()
            db.session.info.clear()
            names = db.session.execute(select(Enterprise.name)).scalars().all()
            assert "改过的名称" not in names and "未保存企业" not in names, label
        db.session.execute(select(Tenant.id)).all()
        with endings() as seen:  # an error reached the teardown
            commit_if_read_only(RuntimeError("boom"))
        assert seen == []
        with endings() as seen:  # only SELECTs: committed
            commit_if_read_only(None)
        assert seen == ["COMMIT"]


def test_scoped_core_statements_read_the_scope_only_and_run_only_in_scope(aut, world):
    make_enterprise("xj-urumqi", 1)
    make_enterprise("sx-taiyuan", 2)
    table = Enterprise.__table__
    stmt = scoped_select(table, table.c.name)
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        names = execute_in_scope(db.session(), stmt, {}).scalars().all()
        assert len(names) == 1
        try:
            execute_in_scope(db.session(), select(table.c.name), {})
        except TenantViolation:
            pass
        else:
            raise AssertionError("a statement without the scope's criterion ran")
        db.session.rollback()


def test_json_columns_keep_integers_beyond_64_bits_exact():
    big = 123456789012345678901234567890
    assert json_loads(f'{{"n": {big}}}'.encode()) == {"n": big}
    assert json_loads(f'{{"n": {big}}}') == {"n": big}
    assert json_loads(b'["\xe5\x9f\xba", 1.5, null]') == ["基", 1.5, None]

"""Issue 13 item 5: the audit log partitioned by month on PostgreSQL (migration 0010u), its
partitions made ahead by the daily job ``audit.partitions``, and the chain unaffected.

Months are UTC months; the tests state their dates by the app clock (10:00 Shanghai = 02:00 UTC
the same day). Each test uses months no other test in this file creates, since partitions outlive
the per-test reset (it truncates rows, not tables)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, select, text

from tenant_app import clock
from tenant_app.audit import log as audit
from tenant_app.audit import partitions
from tenant_app.config import normalise_db_url
from tenant_app.extensions import db
from tenant_app.jobs.enqueue import enqueue
from tenant_app.models import AuditEntry, Job
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import tenant
from .test_rls import signed_scope

pytestmark = pytest.mark.postgres


def _owner(aut: Any, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(normalise_db_url(aut.owner_url))
    with engine.begin() as conn:
        result = conn.execute(text(sql), params)
        rows = list(result) if result.returns_rows else []
    engine.dispose()
    return rows


def _record(slug: str, n: int = 1, action: str = "test.partition") -> list[int]:
    with use_scope(tenant_scope(tenant(slug))):
        entries = [audit.record(scope_context(), action, object_id=str(i)) for i in range(n)]
        db.session.commit()
        return [e.id for e in entries]


def _stored_in(aut: Any, ids: list[int]) -> list[str]:
    rows = _owner(
        aut,
        "select tableoid::regclass::text from audit_log where id = any(:ids) order by id",
        ids=ids,
    )
    return [r[0] for r in rows]


def _run_partition_job() -> dict[str, Any]:
    """The job as the scheduler runs it: platform-wide, in the app role's session (eager)."""
    with use_scope(tenant_scope(tenant("platform"))):
        job_id = enqueue("audit.partitions").id
        db.session.commit()
    with use_scope(system_scope()):
        row = db.session.execute(select(Job.status, Job.result).where(Job.id == job_id)).one()
        db.session.rollback()
    assert row.status == "done", row
    result: dict[str, Any] = row.result
    return result


def _verify_cli(app: Any) -> Any:
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_audit_log_is_partitioned_by_month_with_a_default_and_keys_holding_at(pg_aut):
    rows = dict(
        _owner(
            pg_aut,
            "select c.relname, pg_get_expr(c.relpartbound, c.oid) from pg_inherits i"
            " join pg_class c on c.oid = i.inhrelid"
            " where i.inhparent = 'audit_log'::regclass",
        )
    )
    assert rows["audit_log_default"] == "DEFAULT"
    assert len(rows) >= 5  # the migration's month and three ahead, and the default
    (strategy,) = _owner(pg_aut, "select pg_get_partkeydef('audit_log'::regclass)")[0]
    assert strategy == "RANGE (at)"
    keys = {
        name: definition
        for name, definition in _owner(
            pg_aut,
            "select conname, pg_get_constraintdef(oid) from pg_constraint"
            " where conrelid = 'audit_log'::regclass and contype in ('p', 'u')",
        )
    }
    assert keys == {
        # the month (0010u) and, like every tenant table, led by tenant_id (0010k)
        "pk_audit_log": "PRIMARY KEY (tenant_id, id, at)",
        "uq_audit_log_tenant_id_seq_at": "UNIQUE (tenant_id, seq, at)",
    }
    indexes = {
        name
        for (name,) in _owner(
            pg_aut, "select indexname from pg_indexes where tablename = 'audit_log'"
        )
    }
    assert {"ix_audit_log_tenant_id_id", "ix_audit_log_tenant_id_object"} <= indexes
    # no foreign key points at the log (a partitioned table's rows could not be referenced by id)
    assert _owner(
        pg_aut, "select count(*) from pg_constraint where confrelid = 'audit_log'::regclass"
    ) == [(0,)]


@pytest.mark.today("2026-01-31")
def test_entries_either_side_of_a_month_end_land_in_their_months_and_verify_clean(
    pg_aut, pg_world, travel
):
    assert _run_partition_job()["partitioned"] is True  # 2026-01 .. 2026-04 exist now
    january = _record("xj-urumqi", 2)
    travel("2026-02-01")
    february = _record("xj-urumqi", 2)
    assert _stored_in(pg_aut, january) == ["audit_log_p202601"] * 2
    assert _stored_in(pg_aut, february) == ["audit_log_p202602"] * 2
    result = _verify_cli(pg_aut.app)
    assert result.exit_code == 0, result.output
    assert "intact" in result.output
    # The chain runs on across the boundary: February's first entry follows January's last.
    with use_scope(system_scope()):
        jan_last = db.session.get(AuditEntry, january[-1])
        feb_first = db.session.get(AuditEntry, february[0])
        assert jan_last is not None and feb_first is not None
        assert (feb_first.seq, feb_first.prev_hash) == (jan_last.seq + 1, jan_last.hash)


@pytest.mark.today("2040-06-15")
def test_an_entry_past_the_last_partition_lands_in_the_default_and_the_job_moves_it(
    pg_aut, pg_world
):
    late = _record("sx-taiyuan", 3)
    assert _stored_in(pg_aut, late) == ["audit_log_default"] * 3
    before = _owner(pg_aut, "select id, seq, at, hash from audit_log where id = any(:i)", i=late)

    result = _run_partition_job()  # the job was late: June 2040 had no partition

    assert result["created"] == 4 and result["moved"] >= 3
    assert _stored_in(pg_aut, late) == ["audit_log_p204006"] * 3
    after = _owner(pg_aut, "select id, seq, at, hash from audit_log where id = any(:i)", i=late)
    assert sorted(after) == sorted(before)  # moved, not rewritten
    assert _owner(pg_aut, "select count(*) from audit_log_default where at >= '2040-06-01'"
                  " and at < '2040-10-01'") == [(0,)]  # fmt: skip
    verify = _verify_cli(pg_aut.app)
    assert verify.exit_code == 0, verify.output
    assert _stored_in(pg_aut, _record("sx-taiyuan")) == ["audit_log_p204006"]


def test_the_partition_job_is_idempotent(pg_aut):
    first = partitions.ensure(date(2045, 1, 20))
    again = partitions.ensure(date(2045, 1, 20))
    assert (first.created, again.created, again.moved) == (4, 0, 0)
    names = [p.name for p in partitions.listing()]
    assert {"audit_log_p204501", "audit_log_p204504"} <= set(names)
    assert "audit_log_p204505" not in names
    assert names[-1] == "audit_log_default"


def test_the_partition_function_refuses_a_run_away_horizon(pg_aut):
    with pytest.raises(Exception, match="0..24 months ahead"):
        partitions.ensure(date(2046, 1, 1), ahead=25)
    db.session.rollback()
    assert "audit_log_p204601" not in [p.name for p in partitions.listing()]


def test_partitions_are_the_owners_and_the_app_role_cannot_touch_one(pg_aut, pg_world):
    partitions.ensure(date(2047, 3, 1), ahead=0)  # one made at run time, by the app's session
    owners = dict(
        _owner(
            pg_aut,
            "select c.relname, pg_get_userbyid(c.relowner) from pg_inherits i"
            " join pg_class c on c.oid = i.inhrelid where i.inhparent = 'audit_log'::regclass",
        )
    )
    assert owners["audit_log_p204703"] != "tenant_app"
    assert "tenant_app" not in owners.values()
    a = tenant("xj-urumqi")
    app_url = db.engine.url.render_as_string(hide_password=False)
    app_url = app_url.replace("postgresql+psycopg://", "postgresql://")
    for statement in (
        "select count(*) from audit_log_default",
        "select count(*) from audit_log_p204703",
        "delete from audit_log_default",
        "insert into audit_log_p204703 select * from audit_log limit 1",
    ):
        with psycopg.connect(app_url) as conn:
            signed_scope(conn, tenant_id=str(a.id), read_ids=str(a.id))
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_app_role_reads_no_other_tenants_rows_through_the_partitioned_log(pg_aut, pg_world):
    a, b = tenant("xj-urumqi"), tenant("sx-taiyuan")
    _record("sx-taiyuan", 2)
    app_url = db.engine.url.render_as_string(hide_password=False)
    with psycopg.connect(app_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        signed_scope(conn, tenant_id=str(a.id), read_ids=str(a.id))
        own = conn.execute("select count(*) from audit_log where tenant_id = %s", (a.id,))
        assert own.fetchone()[0] > 0
        other = conn.execute("select count(*) from audit_log where tenant_id = %s", (b.id,))
        assert other.fetchone()[0] == 0
        seen = {r[0] for r in conn.execute("select distinct tenant_id from audit_log")}
        assert seen == {a.id}
    assert _owner(pg_aut, "select count(*) from audit_log where tenant_id = :b", b=b.id)[0][0] > 0


def test_a_second_row_with_a_used_seq_in_another_month_breaks_verify(pg_aut, pg_world):
    """The database's unique key now holds ``at`` too, so it would take a row with a used seq
    dated in another month; the chain does not: `audit verify` names it."""
    a = tenant("xj-urumqi")
    (entry_id,) = _record("xj-urumqi")
    _owner(
        pg_aut,
        "insert into audit_log (tenant_id, seq, at, actor_id, actor_name, action, object_type,"
        " object_id, before, after, ip, prev_hash, hash, key_version)"
        " select tenant_id, seq, at - interval '40 days', actor_id, actor_name, action,"
        " object_type, object_id, before, after, ip, prev_hash, hash, key_version"
        " from audit_log where id = :i",
        i=entry_id,
    )
    result = _verify_cli(pg_aut.app)
    assert result.exit_code == 1
    assert f"tenant {a.slug}" in result.output


@pytest.mark.today("2026-03-31")
def test_two_writers_across_a_month_end_append_gap_free(pg_aut, pg_world, travel):
    """Two sessions append to one tenant while the UTC month turns (08:00 on 2026-04-01 by the
    app clock): every seq once, in order, the chain intact, the rows split between March and
    April."""
    partitions.ensure(date(2026, 3, 1), ahead=1)
    a = tenant("xj-urumqi")
    boundary = datetime(2026, 4, 1, tzinfo=UTC)
    app = pg_aut.app
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def writer(n: int) -> None:
        try:
            with app.app_context(), use_scope(tenant_scope(a)):
                barrier.wait(10)
                for i in range(15):
                    audit.record(scope_context(), "test.concurrent", object_id=f"{n}-{i}")
                    db.session.commit()
                    while i == 7 and clock.utcnow() < boundary:  # the month turns mid-run
                        time.sleep(0.05)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    travel("2026-03-31T23:59:59.300+00:00")
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    rows = _owner(
        pg_aut,
        "select seq, tableoid::regclass::text from audit_log"
        " where tenant_id = :t and action = 'test.concurrent' order by seq",
        t=a.id,
    )
    assert len(rows) == 30
    with use_scope(system_scope()):
        seqs = list(
            db.session.execute(
                select(AuditEntry.seq).where(AuditEntry.tenant_id == a.id).order_by(AuditEntry.seq)
            ).scalars()
        )
        assert seqs == list(range(1, len(seqs) + 1))
        assert audit.verify_tenant(a) is None
    assert {where for _, where in rows} == {"audit_log_p202603", "audit_log_p202604"}


def test_the_migration_partitions_existing_rows_and_downgrades_to_one_table(pg_aut):
    """0010u on a database that already has a chain spanning months (and a row dated past the
    months it creates), then back to 0010r and up again: same rows, same chain."""
    from flask_migrate import downgrade, upgrade

    from tenant_app.models import Tenant

    from .. import pg
    from ..conftest import GENESIS, build_app
    from ..services import PG_ADMIN_URL

    name = f"t_part_{pg.worker_suffix()}"
    owner_url, app_url = pg.fresh_database(PG_ADMIN_URL, name)
    app = build_app(app_url, owner_url)
    stamps = ["2024-11-30T20:00:00+00:00", "2024-12-01T03:00:00+00:00", "2061-05-05T00:00:00+00:00"]
    try:
        with app.app_context():
            upgrade(revision="0010r")
            engine = create_engine(normalise_db_url(owner_url))
            prev = GENESIS
            with engine.begin() as conn:
                for seq, stamp in enumerate(stamps, start=1):
                    at = datetime.fromisoformat(stamp)
                    digest = audit.entry_hash(
                        prev, 1, seq, at, None, "system", "legacy.event", "", str(seq), None, None, ""
                    )  # fmt: skip
                    conn.execute(
                        text(
                            "insert into audit_log (tenant_id, seq, at, actor_name, action,"
                            " object_type, object_id, ip, prev_hash, hash) values"
                            " (1, :s, :at, 'system', 'legacy.event', '', :o, '', :p, :h)"
                        ),
                        {"s": seq, "at": at, "o": str(seq), "p": prev, "h": digest},
                    )
                    prev = digest
                conn.execute(
                    text("update audit_heads set seq = 3, hash = :h where tenant_id = 1"),
                    {"h": prev},
                )

            def stored() -> list[Any]:
                with engine.begin() as conn:
                    return list(
                        conn.execute(
                            text(
                                "select id, seq, hash, tableoid::regclass::text from audit_log"
                                " order by seq"
                            )
                        )
                    )

            upgrade(revision="0010u")
            up = stored()
            assert [r[3] for r in up] == [
                "audit_log_p202411",
                "audit_log_p202412",
                "audit_log_default",
            ]
            platform = db.session.get(Tenant, 1)
            assert platform is not None
            with use_scope(system_scope()):
                assert audit.verify_tenant(platform) is None
            with use_scope(tenant_scope(platform)):  # the id sequence carried over
                entry = audit.record(scope_context(), "after.partitioning")
                db.session.flush()
                added = (entry.id, entry.seq, entry.hash)
                db.session.commit()
            assert added[:2] == (4, 4)
            db.session.remove()

            downgrade(revision="0010r")
            with engine.begin() as conn:
                kind = conn.execute(
                    text("select relkind from pg_class where relname = 'audit_log'")
                ).scalar()
                keys = sorted(
                    conn.execute(
                        text(
                            "select pg_get_constraintdef(oid) from pg_constraint"
                            " where conrelid = 'audit_log'::regclass and contype in ('p', 'u')"
                        )
                    ).scalars()
                )
                function = conn.execute(
                    text("select to_regprocedure('app_audit_partitions(date, integer)')")
                ).scalar()
            assert kind == "r" and function is None
            assert keys == ["PRIMARY KEY (id)", "UNIQUE (tenant_id, seq)"]
            assert [tuple(r[:3]) for r in stored()] == [tuple(r[:3]) for r in up] + [added]
            platform = db.session.get(Tenant, 1)
            assert platform is not None
            with use_scope(system_scope()):
                assert audit.verify_tenant(platform) is None

            db.session.remove()
            upgrade(revision="heads")
            assert [r[3] for r in stored()][:2] == ["audit_log_p202411", "audit_log_p202412"]
            platform = db.session.get(Tenant, 1)
            assert platform is not None
            with use_scope(system_scope()):
                assert audit.verify_tenant(platform) is None
            db.session.remove()
            engine.dispose()
            db.engine.dispose()
    finally:
        pg.drop_database(PG_ADMIN_URL, name)


@pytest.mark.today("2041-02-10")
def test_entries_of_an_earlier_month_left_in_the_default_get_their_month_on_the_next_run(
    pg_aut, pg_world, travel
):
    """Entries dated in a month that had no partition and is now past (a restored tenant, a
    long-stopped job) do not stay in the default partition."""
    old = _record("xj-urumqi", 2)
    assert _stored_in(pg_aut, old) == ["audit_log_default"] * 2
    travel("2041-07-01")
    result = _run_partition_job()
    assert result["moved"] >= 2
    assert _stored_in(pg_aut, old) == ["audit_log_p204102"] * 2
    names = {p.name for p in partitions.listing()}
    assert {"audit_log_p204102", "audit_log_p204107", "audit_log_p204110"} <= names
    assert "audit_log_p204103" not in names  # only months that have rows, not the gap between
    assert _owner(pg_aut, "select count(*) from audit_log_default") == [(0,)]
    verify = _verify_cli(pg_aut.app)
    assert verify.exit_code == 0, verify.output


@pytest.mark.today("2042-03-15")
def test_an_archived_month_leaves_a_gap_verify_names_and_attaching_it_back_heals(
    pg_aut, pg_world, travel
):
    """Retention as deploy/README.md describes it: detaching a month keeps every other row as it
    was, `verify` (which starts each chain at seq 1) names the missing start, and attaching the
    month back makes the chain whole again."""
    _run_partition_job()  # 2042-03 .. 2042-06; the world's entries are in March
    travel("2042-04-02")
    april = _record("xj-urumqi", 2)
    assert _stored_in(pg_aut, april) == ["audit_log_p204204"] * 2
    db.session.remove()
    bounds = "FOR VALUES FROM ('2042-03-01 00:00+00') TO ('2042-04-01 00:00+00')"
    engine = create_engine(normalise_db_url(pg_aut.owner_url))
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL lock_timeout = '10s'"))
        conn.execute(text("ALTER TABLE audit_log DETACH PARTITION audit_log_p204203"))
    gap = _verify_cli(pg_aut.app)
    assert gap.exit_code == 1
    assert "tenant xj-urumqi" in gap.output and "sequence gap" in gap.output
    db.session.remove()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL lock_timeout = '10s'"))
        conn.execute(text(f"ALTER TABLE audit_log ATTACH PARTITION audit_log_p204203 {bounds}"))
    engine.dispose()
    healed = _verify_cli(pg_aut.app)
    assert healed.exit_code == 0, healed.output

"""Issue 13 item 5 on either database: the chain verifies across a month boundary whether the log
is partitioned (PostgreSQL) or one table (SQLite); the daily ``audit.partitions`` job is
scheduled platform-wide and does nothing on SQLite. The partitions themselves:
tests/postgres/test_audit_partitions.py."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.extensions import db
from tenant_app.jobs.enqueue import enqueue
from tenant_app.jobs.periodic import PERIODIC
from tenant_app.jobs.registry import kind
from tenant_app.models import AuditEntry, Job
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope

from .helpers import tenant


def _cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["audit", *args])


def test_the_partition_job_runs_daily_once_for_the_platform(app):
    (spec,) = [p for p in PERIODIC if p.job == "audit.partitions"]
    assert (spec.every_seconds, spec.per_tenant) == (86400, False)
    assert kind("audit.partitions").title == "审计日志按月分区"


@pytest.mark.today("2026-01-31")
def test_audit_verify_is_clean_across_a_month_end(app, world, travel):
    cli = _cli(app, "partitions")  # PostgreSQL: January to April exist; SQLite: nothing to do
    assert cli.exit_code == 0, cli.output
    t = tenant("xj-urumqi")
    with use_scope(tenant_scope(t)):
        last_january = audit.record(scope_context(), "test.month_end", object_id="jan")
        db.session.commit()
    travel("2026-02-01")
    with use_scope(tenant_scope(t)):
        first_february = audit.record(scope_context(), "test.month_end", object_id="feb")
        db.session.commit()
        assert first_february.prev_hash == last_january.hash
        assert first_february.seq == last_january.seq + 1
    assert (last_january.at.month, first_february.at.month) == (1, 2)
    result = _cli(app, "verify")
    assert result.exit_code == 0, result.output
    assert "audit log intact" in result.output


def test_an_edit_in_an_old_month_still_breaks_verify(aut, world):
    """Partitioning moves nothing the hash covers: an edit anywhere is still named."""
    from sqlalchemy import create_engine, text

    from tenant_app.config import normalise_db_url

    t = tenant("sx-taiyuan")
    with use_scope(system_scope()):
        first = (
            db.session.execute(
                select(AuditEntry).where(AuditEntry.tenant_id == t.id).order_by(AuditEntry.seq)
            )
            .scalars()
            .first()
        )
        assert first is not None
        entry_id, seq = first.id, first.seq
        db.session.rollback()
    engine = create_engine(normalise_db_url(aut.owner_url))
    with engine.begin() as conn:
        conn.execute(text("update audit_log set ip = '10.9.9.9' where id = :i"), {"i": entry_id})
    engine.dispose()
    result = _cli(aut.app, "verify")
    assert result.exit_code == 1
    assert f"tenant sx-taiyuan: seq {seq}" in result.output and "edited" in result.output


def test_the_partition_job_runs_on_either_database_and_does_nothing_on_sqlite(aut, world):
    with use_scope(tenant_scope(tenant("platform"))):
        job_id = enqueue("audit.partitions").id
        db.session.commit()
    with use_scope(system_scope()):
        job = db.session.execute(select(Job).where(Job.id == job_id)).scalar_one()
        assert job.status == "done"
        assert job.result["partitioned"] is aut.is_postgres
        result = dict(job.result)
        db.session.rollback()
    cli = _cli(aut.app, "partitions")
    assert cli.exit_code == 0
    if aut.is_postgres:
        assert "audit_log_default\tDEFAULT" in cli.output
    else:
        assert result == {"partitioned": False, "created": 0, "moved": 0}
        assert "not partitioned" in cli.output

"""In-process mode (no REDIS_URL): jobs run after commit, never after rollback; stable ids;
periodic slots; progress on the row; the reaper. Runs on the default test database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from tenant_app.clock import utcnow
from tenant_app.extensions import db
from tenant_app.jobs import enqueue
from tenant_app.jobs import maintenance as maint
from tenant_app.jobs.enqueue import _PENDING_KEY
from tenant_app.jobs.periodic import PERIODIC
from tenant_app.models import Job, JobStatus
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import Scope, use_scope

from . import kinds
from .conftest import all_jobs, job_row, status_of, wait_for


@pytest.fixture(autouse=True)
def _clean_traces() -> Any:
    kinds.RUNS.clear()
    kinds.RELEASE.clear()
    yield
    kinds.RELEASE.set()  # never leave an in-process job thread waiting
    kinds.RUNS.clear()


def test_job_runs_after_commit_and_never_after_rollback(scope: Scope) -> None:
    with use_scope(scope):
        dropped = enqueue("testjobs.record", {"tag": "dropped"}).id
        db.session.rollback()
        assert kinds.RUNS == []
        kept = enqueue("testjobs.record", {"tag": "kept"}).id
        assert kinds.RUNS == []  # not before commit
        db.session.commit()
    assert [kept] == kinds.RUNS
    assert job_row(dropped) is None
    row = job_row(kept)
    assert row is not None
    assert (row["status"], row["attempts"], row["progress"]) == (JobStatus.DONE, 1, 100)
    assert row["result"] == {"tag": "kept", "tenant": scope.tenant_id}
    assert row["tenant_id"] == scope.tenant_id


def test_stable_id_returns_the_same_job(scope: Scope) -> None:
    with use_scope(scope):
        first = enqueue("testjobs.record", {"tag": "a"}, job_id="report:42")
        same_tx = enqueue("testjobs.record", {"tag": "b"}, job_id="report:42")
        assert same_tx is first
        db.session.commit()
        again = enqueue("testjobs.record", {"tag": "c"}, job_id="report:42")
        assert again.id == "report:42"
        db.session.commit()
    assert kinds.RUNS == ["report:42"]
    assert [r["id"] for r in all_jobs()] == ["report:42"]
    assert job_row("report:42")["result"]["tag"] == "a"  # type: ignore[index]


def test_failing_job_is_retried_up_to_max_attempts(scope: Scope) -> None:
    with use_scope(scope):
        job_id = enqueue("testjobs.fail", {"tag": "inproc"}).id
        db.session.commit()
    row = job_row(job_id)
    assert row is not None
    assert (row["status"], row["attempts"], row["max_attempts"]) == (JobStatus.FAILED, 3, 3)
    # the page and API show a Chinese line, never the exception text (it may hold SQL)
    assert "任务执行失败" in row["error"] and "boom" not in row["error"]
    assert [job_id] * 3 == kinds.RUNS


def test_periodic_tick_twice_in_one_slot_enqueues_once(aut: Any, monkeypatch: Any) -> None:
    now = datetime(2026, 11, 22, 4, 30, tzinfo=UTC)
    monkeypatch.setattr(maint, "utcnow", lambda: now)
    assert maint.schedule_periodic() == len(PERIODIC)
    assert maint.schedule_periodic() == 0
    now = now + timedelta(minutes=20)  # same hourly slot
    # Sub-hourly jobs (the webhook retry sweep, every 5 minutes) are in a new slot already.
    fast = [p for p in PERIODIC if p.every_seconds < 3600]
    assert maint.schedule_periodic() == len(fast)
    # Only the hourly job is followed here; daily per-tenant scans run once in the first slot.
    ids = [r["id"] for r in all_jobs() if r["id"].startswith(f"periodic:{PERIODIC[0].name}:")]
    assert ids == [PERIODIC[0].job_id(now)]
    assert job_row(ids[0])["status"] == JobStatus.DONE  # type: ignore[index]
    now = now + timedelta(hours=1)  # the next slot gets its own run: every hourly job's too
    hourly = [p for p in PERIODIC if p.every_seconds == 3600]
    assert maint.schedule_periodic() == len(hourly) + len(fast)
    assert len([r for r in all_jobs() if r["id"].startswith(f"periodic:{PERIODIC[0].name}:")]) == 2


def test_progress_is_visible_on_the_row_while_running(scope: Scope, make_app: Any) -> None:
    """Threaded in-process mode: the test reads the row while the job still runs."""
    make_app(JOBS_EAGER=False, REDIS_URL="")
    with use_scope(scope):
        job_id = enqueue("testjobs.progress").id
        db.session.commit()

    def halfway() -> bool:
        row = job_row(job_id)
        return bool(
            row
            and row["status"] == JobStatus.RUNNING
            and row["progress"] == 40
            and row["message"] == "halfway"
        )

    wait_for(halfway, timeout=20, what="progress 40 % on the running job")
    kinds.RELEASE.set()
    wait_for(lambda: status_of(job_id) == JobStatus.DONE, timeout=20, what="job done")
    row = job_row(job_id)
    assert row["progress"] == 100 and row["result"] == {"released": True}  # type: ignore[index]


def test_reaper_retries_or_fails_a_run_without_heartbeat(scope: Scope) -> None:
    with use_scope(scope):
        retry = enqueue("testjobs.record", job_id="lost:retry").id
        final = enqueue("testjobs.record", job_id="lost:final").id
        db.session.flush()
        old = utcnow() - timedelta(hours=1)
        # what a worker killed mid-run leaves behind
        db.session.execute(
            update(Job)
            .where(Job.id.in_([retry, final]))
            .values(status=JobStatus.RUNNING, heartbeat_at=old, attempts=1)
        )
        db.session.execute(update(Job).where(Job.id == final).values(attempts=Job.max_attempts))
        db.session.info.pop(_PENDING_KEY, None)  # stand-in for the lost run: don't run now
        db.session.commit()
    assert maint.reap_stale() == 2
    assert status_of(retry) == JobStatus.PENDING
    lost = job_row(final)
    assert lost["status"] == JobStatus.FAILED  # type: ignore[index]
    assert "后台处理程序中断" in lost["error"]  # type: ignore[index]
    assert maint.reap_stale() == 0
    with use_scope(system_scope()):
        assert db.session.execute(select(Job.id).where(Job.status == JobStatus.RUNNING)).all() == []

"""The quick start has no Redis and no worker: the web process ticks the periodic jobs itself
(issue 9 item 2), once per slot however many threads tick, and picks up the rows a previous
process left behind."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from tenant_app.clock import utcnow
from tenant_app.extensions import db
from tenant_app.jobs import enqueue
from tenant_app.jobs import maintenance as maint
from tenant_app.jobs.enqueue import _PENDING_KEY
from tenant_app.jobs.periodic import PERIODIC
from tenant_app.models import Job, JobStatus
from tenant_app.tenancy.scope import Scope, use_scope

from . import kinds
from .conftest import all_jobs, status_of, wait_for


@pytest.fixture(autouse=True)
def _clean_traces() -> Any:
    kinds.RUNS.clear()
    yield
    kinds.RUNS.clear()


def test_threads_ticking_at_once_enqueue_each_periodic_run_once(
    scope: Scope, make_app: Any
) -> None:
    """Three threads of one web process (or three processes) tick in the same slot: every
    declared periodic job is enqueued and run exactly once."""
    app: Flask = make_app(JOBS_EAGER=False, REDIS_URL="")
    before = set(threading.enumerate())
    stops = [maint.start_maintenance_thread(app, interval=0.2) for _ in range(3)]
    threads = [t for t in threading.enumerate() if t not in before]
    try:
        platform_jobs = [p for p in PERIODIC if not p.per_tenant]
        per_tenant = [p for p in PERIODIC if p.per_tenant]
        # the platform tenant and the test province: each daily per-tenant scan runs for both
        expected = len(platform_jobs) + 2 * len(per_tenant)

        def all_done() -> bool:
            rows = [r for r in all_jobs() if r["id"].startswith("periodic:")]
            return len(rows) >= expected and all(r["status"] == JobStatus.DONE for r in rows)

        wait_for(all_done, timeout=30, what="every periodic job done")
    finally:
        for stop in stops:
            stop.set()
        # a tick still under way writes on (a rollup refresh, say): let it end before the next
        # test empties the database under it
        for thread in threads:
            thread.join(timeout=30)
    rows = [r for r in all_jobs() if r["id"].startswith("periodic:")]
    names = sorted(r["name"] for r in rows)
    assert len(rows) == expected, names  # nothing twice, across the three threads
    assert all(r["attempts"] == 1 for r in rows)
    assert set(names) == {p.job for p in PERIODIC}


def test_a_row_left_pending_by_an_ended_process_runs_on_the_next_tick(
    scope: Scope, make_app: Any
) -> None:
    make_app(JOBS_EAGER=True, REDIS_URL="", JOB_RETRY_SECONDS=10)
    with use_scope(scope):
        job_id = enqueue("testjobs.record", {"tag": "orphan"}, job_id="orphan:1").id
        db.session.info.pop(_PENDING_KEY, None)  # the process ended before dispatching it
        db.session.commit()
    assert status_of(job_id) == JobStatus.PENDING
    assert maint.relay_inprocess() == 0  # too fresh: it may still sit in a live pool
    with use_scope(scope):
        db.session.execute(
            update(Job).where(Job.id == job_id).values(created_at=utcnow() - timedelta(minutes=5))
        )
        db.session.commit()
    assert maint.relay_inprocess() == 1
    assert status_of(job_id) == JobStatus.DONE
    assert [job_id] == kinds.RUNS
    assert maint.relay_inprocess() == 0  # done rows are left alone


def test_the_scheduler_starts_once_per_process_and_never_beside_a_worker(
    scope: Scope, make_app: Any, monkeypatch: Any
) -> None:
    started: list[float] = []
    monkeypatch.setattr(
        maint,
        "start_maintenance_thread",
        lambda app, interval=5.0: started.append(interval) or threading.Event(),
    )
    monkeypatch.setattr(maint, "_inprocess_started", threading.Event())
    with_redis = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    assert maint.start_inprocess_scheduler(with_redis) is False  # `tenant-app worker` ticks
    quick_start = make_app(REDIS_URL="", SCHEDULER_TICK_SECONDS=7)
    assert maint.start_inprocess_scheduler(quick_start) is True
    assert maint.start_inprocess_scheduler(quick_start) is False
    assert started == [7]

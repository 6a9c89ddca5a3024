"""Redis mode with real services: PostgreSQL, a private redis-server per test, and real
`tenant-app worker` subprocesses (RQ worker + maintenance thread)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from rq import Queue
from rq.job import Job as RQJob
from rq.registry import FailedJobRegistry
from sqlalchemy import update

from tenant_app.clock import utcnow
from tenant_app.extensions import db
from tenant_app.jobs import enqueue
from tenant_app.jobs.dispatch import rq_job_id
from tenant_app.jobs.maintenance import reap_stale, relay_pending
from tenant_app.jobs.runner import run_job
from tenant_app.models import Job, JobStatus
from tenant_app.tenancy.scope import Scope, use_scope

from .conftest import TICK, RedisServer, WorkerProcess, all_jobs, job_row, status_of, wait_for
from .kinds import runs_key

# The workers are subprocesses on the machine's clock: this process keeps it too.
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.real_clock]


def runs(server: RedisServer, job_id: str) -> int:
    return int(server.client().llen(runs_key(job_id)))


def wait_status(job_id: str, status: str, worker: WorkerProcess, timeout: float = 30) -> dict:
    wait_for(
        lambda: status_of(job_id) == status,
        timeout=timeout,
        what=f"job {job_id} to be {status} (now {status_of(job_id)})",
        log=worker.log,
    )
    row = job_row(job_id)
    assert row is not None
    return row


def test_job_of_a_rolled_back_transaction_never_runs(
    rq_app: Flask, pg_scope: Scope, redis_server: RedisServer, start_worker: Any
) -> None:
    worker = start_worker(rq_app)
    with use_scope(pg_scope):
        dropped = enqueue("testjobs.record", {"tag": "dropped"}).id
        db.session.rollback()
        kept = enqueue("testjobs.record", {"tag": "kept"}).id
        db.session.commit()
    row = wait_status(kept, JobStatus.DONE, worker)
    assert row["result"] == {"tag": "kept", "tenant": pg_scope.tenant_id}
    time.sleep(3 * TICK)  # a few more maintenance ticks (relay, reaper) for the worker to err in
    assert job_row(dropped) is None
    assert runs(redis_server, dropped) == 0
    assert not RQJob.exists(rq_job_id(dropped), connection=redis_server.client())
    assert runs(redis_server, kept) == 1


def test_job_committed_while_redis_is_down_runs_once_redis_is_back(
    rq_app: Flask, pg_scope: Scope, redis_server: RedisServer, start_worker: Any
) -> None:
    redis_server.stop()
    with use_scope(pg_scope):
        job_id = enqueue("testjobs.record", {"tag": "outage"}).id
        db.session.commit()  # must not raise: the row is the outbox
    assert status_of(job_id) == JobStatus.PENDING
    redis_server.start()  # same port, empty
    worker = start_worker(rq_app)
    row = wait_status(job_id, JobStatus.DONE, worker)
    assert row["attempts"] == 1 and row["enqueued_at"] is not None
    assert runs(redis_server, job_id) == 1


def test_relay_sends_a_pending_job_once_and_marks_it_queued(
    rq_app: Flask, pg_scope: Scope, redis_server: RedisServer
) -> None:
    redis_server.stop()
    with use_scope(pg_scope):
        job_id = enqueue("testjobs.record").id
        db.session.commit()
    redis_server.start()
    q = Queue("default", connection=redis_server.client())
    assert relay_pending() == 1  # what the worker's maintenance thread does each tick
    assert status_of(job_id) == JobStatus.QUEUED
    assert q.job_ids == [rq_job_id(job_id)]
    assert relay_pending() == 0  # a second tick must not push it again
    assert q.job_ids == [rq_job_id(job_id)]


def test_failing_job_is_retried_and_ends_in_the_failed_registry(
    rq_app: Flask, pg_scope: Scope, redis_server: RedisServer, start_worker: Any
) -> None:
    worker = start_worker(rq_app)
    with use_scope(pg_scope):
        job_id = enqueue("testjobs.fail", {"tag": "rq"}).id
        db.session.commit()
    row = wait_status(job_id, JobStatus.FAILED, worker)
    assert row["attempts"] == row["max_attempts"] == 3
    # the page and API show a Chinese line, never the exception text (it may hold SQL)
    assert "任务执行失败" in row["error"] and "boom" not in row["error"]
    assert row["finished_at"] is not None
    conn = redis_server.client()
    registry = FailedJobRegistry(queue=Queue("default", connection=conn))
    rq_id = rq_job_id(job_id)  # RQ ids allow no ':' or '.'
    wait_for(
        lambda: rq_id in registry.get_job_ids(),
        timeout=10,
        what="the job in RQ's failed registry",
        log=worker.log,
    )
    assert "boom rq" in (RQJob.fetch(rq_id, connection=conn).exc_info or "")
    assert runs(redis_server, job_id) == 3


def test_a_retry_of_a_failed_job_reaches_the_worker_again(
    rq_app: Flask, pg_scope: Scope, redis_server: RedisServer, start_worker: Any
) -> None:
    """Issue 10 item 5: a person's retry (jobs/status.py) is a new attempt of the same row, sent
    to RQ under the same RQ id as the failed one; the worker runs it with the kind's attempts."""
    from tenant_app.jobs.status import retry
    from tenant_app.tenancy.acting import scope_context

    worker = start_worker(rq_app)
    with use_scope(pg_scope):
        job_id = enqueue("testjobs.fail", {"tag": "again"}).id
        db.session.commit()
    wait_status(job_id, JobStatus.FAILED, worker)
    assert runs(redis_server, job_id) == 3
    with use_scope(pg_scope):
        _job, started = retry(scope_context(), job_id, 3)
        db.session.commit()
    assert started
    wait_for(
        lambda: runs(redis_server, job_id) == 6 and status_of(job_id) == JobStatus.FAILED,
        timeout=60,
        what="three more runs of the retried job",
        log=worker.log,
    )
    row = job_row(job_id)
    assert row is not None and (row["attempts"], row["max_attempts"]) == (6, 6)
    with use_scope(pg_scope):
        _job, started = retry(scope_context(), job_id, 3)  # the same request again
        db.session.commit()
    assert not started
    time.sleep(3 * TICK)
    assert runs(redis_server, job_id) == 6


def test_long_job_without_progress_keeps_its_heartbeat(
    rq_app: Flask, pg_scope: Scope, redis_server: RedisServer, start_worker: Any
) -> None:
    """A run longer than JOB_STALE_SECONDS that never calls ctx.progress is alive, not lost:
    the reaper must leave it alone."""
    worker = start_worker(rq_app)
    with use_scope(pg_scope):
        job_id = enqueue("testjobs.sleep", {"seconds": 4}).id
        db.session.commit()
    seen: list[str] = []

    def finished() -> bool:
        status = status_of(job_id)
        if not seen or seen[-1] != status:
            seen.append(status)  # type: ignore[arg-type]
        return status in (JobStatus.DONE, JobStatus.FAILED)

    wait_for(finished, timeout=30, what="the long job to finish", log=worker.log)
    assert seen[-1] == JobStatus.DONE
    assert JobStatus.PENDING not in seen[seen.index(JobStatus.RUNNING) :], seen
    row = job_row(job_id)
    assert row["attempts"] == 1 and row["error"] is None  # type: ignore[index]
    assert runs(redis_server, job_id) == 1


def test_worker_killed_mid_job_retries_it_and_a_second_run_changes_nothing(
    rq_app: Flask, pg_scope: Scope, redis_server: RedisServer, start_worker: Any
) -> None:
    first = start_worker(rq_app)
    with use_scope(pg_scope):
        job_id = enqueue("testjobs.sleep", {"seconds": 60, "once": True}).id
        db.session.commit()
    wait_status(job_id, JobStatus.RUNNING, first)
    wait_for(lambda: runs(redis_server, job_id) == 1, timeout=10, what="the job to start")
    first.kill()  # SIGKILL: no cleanup, no failure handling, the row says "running"
    assert status_of(job_id) == JobStatus.RUNNING

    second = start_worker(rq_app)
    row = wait_status(job_id, JobStatus.DONE, second)  # reaped, relayed, run again
    assert row["attempts"] == 2
    assert row["result"] == {"slept": 0}
    assert runs(redis_server, job_id) == 2
    second.kill()

    before = all_jobs()
    assert run_job(job_id) is None
    assert run_job(job_id) is None
    assert all_jobs() == before
    assert runs(redis_server, job_id) == 2


def test_queued_job_that_redis_lost_is_sent_again(
    rq_app: Flask, pg_scope: Scope, redis_server: RedisServer
) -> None:
    """Redis keeps nothing across a restart here: the reaper puts the queued row back to
    pending and the relay sends it again."""
    with use_scope(pg_scope):
        job_id = enqueue("testjobs.record").id
        db.session.commit()
    assert status_of(job_id) == JobStatus.QUEUED
    redis_server.stop()
    redis_server.start()  # empty
    with use_scope(pg_scope):
        db.session.execute(
            update(Job).where(Job.id == job_id).values(enqueued_at=utcnow() - timedelta(minutes=5))
        )
        db.session.commit()
    assert reap_stale() == 1
    assert status_of(job_id) == JobStatus.PENDING
    assert relay_pending() == 1
    assert status_of(job_id) == JobStatus.QUEUED
    assert Queue("default", connection=redis_server.client()).job_ids == [rq_job_id(job_id)]
    assert reap_stale() == 0  # Redis has it now

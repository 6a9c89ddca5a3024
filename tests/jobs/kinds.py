"""Test-only job kinds. The worker subprocess loads this module through JOB_MODULES.

Every kind leaves a trace of each *execution* (not just each successful run) so tests can count
runs: in Redis (list ``testjobs:runs:<job id>``) when the app has REDIS_URL, else in ``RUNS``.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import redis
from flask import current_app

from tenant_app.context import Context
from tenant_app.jobs.registry import JobContext, job

RUNS: list[str] = []  # in-process mode: one entry per execution
RELEASE = threading.Event()  # lets an in-process test hold a job mid-run


def _redis() -> redis.Redis | None:
    url = current_app.config["REDIS_URL"]
    return redis.Redis.from_url(url) if url else None


def runs_key(job_id: str) -> str:
    return f"testjobs:runs:{job_id}"


def _trace(job: JobContext) -> redis.Redis | None:
    conn = _redis()
    if conn is None:
        RUNS.append(job.job_id)
    else:
        conn.rpush(runs_key(job.job_id), os.getpid())
    return conn


@job("testjobs.record", timeout_seconds=60)
def record(ctx: Context, job: JobContext, tag: str = "") -> dict[str, Any]:
    _trace(job)
    return {"tag": tag, "tenant": job.tenant_id}


@job("testjobs.fail", timeout_seconds=60, max_attempts=3)
def fail(ctx: Context, job: JobContext, tag: str = "") -> None:
    _trace(job)
    raise RuntimeError(f"boom {tag}")


@job("testjobs.sleep", timeout_seconds=120)
def sleep(ctx: Context, job: JobContext, seconds: float = 60, once: bool = False) -> dict[str, Any]:
    """Sleep without reporting progress. ``once``: only the first execution sleeps (the one the
    SIGKILL test kills); later ones return at once."""
    conn = _trace(job)
    first = True
    if once and conn is not None:
        first = bool(conn.set(f"testjobs:slept:{job.job_id}", 1, nx=True))
    if first:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(0.05)
    return {"slept": seconds if first else 0}


@job("testjobs.progress", timeout_seconds=60)
def progress(ctx: Context, job: JobContext) -> dict[str, Any]:
    """Report 40 %, then wait until the test saw it (in-process: RELEASE) before finishing."""
    _trace(job)
    job.progress(40, "halfway")
    released = RELEASE.wait(timeout=20)
    return {"released": released}


FLAKY = threading.Event()  # set: "testjobs.flaky" refuses (the cause a person fixes, then retries)


@job("testjobs.flaky", timeout_seconds=60, max_attempts=2)
def flaky(ctx: Context, job: JobContext, tag: str = "") -> dict[str, Any]:
    """Counts 3 of 4 items, then refuses with a reason in words while FLAKY is set."""
    from tenant_app.core.errors import ServiceError

    _trace(job)
    job.progress(75, "处理中", done=3, total=4)
    if FLAKY.is_set():
        raise ServiceError("上级系统暂时无法连接", {"source": ["请稍后重试"]})
    job.progress(100, "完成", done=4, total=4)
    return {"tag": tag}

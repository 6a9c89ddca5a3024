"""Fixtures for the job-system tests: a tenant to act in, private redis-servers, apps in Redis
mode against the test database, and real `tenant-app worker` subprocesses."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.models import Job
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope, tenant_by_slug, tenant_scope
from tenant_app.tenancy.scope import Scope, use_scope
from tenant_app.tenants.service import create_tenant

from ..conftest import AppUnderTest, build_app
from ..services import missing, need_redis

ROOT = Path(__file__).resolve().parents[2]
KINDS = "tests.jobs.kinds"
STALE_SECONDS = 2
TICK = 0.5


def wait_for(
    predicate: Callable[[], Any],
    timeout: float = 30,
    what: str = "condition",
    interval: float = 0.1,
    log: Callable[[], str] | None = None,
) -> Any:
    """Poll until ``predicate()`` is truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            extra = f"\n--- worker log ---\n{log()[-4000:]}" if log else ""
            pytest.fail(f"timed out after {timeout}s waiting for {what}{extra}")
        time.sleep(interval)


def job_row(job_id: str) -> dict[str, Any] | None:
    """The job row as a dict of columns, read fresh (no identity-map or snapshot leftovers)."""
    db.session.rollback()
    with use_scope(system_scope()):
        row = db.session.execute(select(Job).where(Job.id == job_id)).scalar_one_or_none()
        out = None if row is None else {c.key: getattr(row, c.key) for c in Job.__table__.columns}
        db.session.rollback()
    return out


def all_jobs() -> list[dict[str, Any]]:
    db.session.rollback()
    with use_scope(system_scope()):
        rows = db.session.execute(select(Job).order_by(Job.id)).scalars().all()
        out = [{c.key: getattr(r, c.key) for c in Job.__table__.columns} for r in rows]
        db.session.rollback()
    return out


def status_of(job_id: str) -> str | None:
    row = job_row(job_id)
    return None if row is None else row["status"]


def make_tenant_scope(slug: str = "jobs-test", code: str = "650000") -> Scope:
    """A province under the platform tenant (id 1); the scope a job of that tenant runs in."""
    with use_scope(system_scope(1)):
        platform = tenant_by_slug("platform")
        create_tenant(
            scope_context(),
            slug=slug,
            name="任务测试省",
            level="province",
            division_code=code,
            parent=platform,
        )
        db.session.commit()
    with use_scope(system_scope()):
        tenant = tenant_by_slug(slug)
        assert tenant is not None
        scope = tenant_scope(tenant)
        db.session.rollback()
    return scope


@pytest.fixture()
def scope(aut: AppUnderTest) -> Scope:
    return make_tenant_scope()


@pytest.fixture()
def pg_scope(pg_aut: AppUnderTest) -> Scope:
    return make_tenant_scope()


# --- Redis ---------------------------------------------------------------------------------


def _spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A private, non-persistent redis-server on a spare port, stoppable and restartable."""

    def __init__(self, binary: str) -> None:
        self.binary, self.port = binary, _spare_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=10)

    def start(self) -> None:
        assert self.proc is None
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def up() -> bool:
            try:
                return bool(self.client().ping())
            except redis.RedisError:
                return False

        wait_for(up, timeout=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture()
def redis_server() -> Iterator[RedisServer]:
    """Started; stop()/start() it to simulate an outage. Never touches the shared Redis."""
    need_redis()
    binary = shutil.which("redis-server")
    if binary is None:
        missing("the redis-server binary")
    server = RedisServer(binary)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- apps and workers ----------------------------------------------------------------------


def job_settings(redis_url: str) -> dict[str, Any]:
    return {
        "REDIS_URL": redis_url,
        "JOBS_EAGER": False,
        "JOB_STALE_SECONDS": STALE_SECONDS,
        "JOB_RETRY_SECONDS": 0,
        "JOB_MODULES": KINDS,
    }


@pytest.fixture()
def make_app(aut: AppUnderTest) -> Iterator[Callable[..., Flask]]:
    """Another app on the test database (already migrated), with its context pushed."""
    made: list[tuple[Flask, Any]] = []
    base = aut.app.config

    def make(**overrides: Any) -> Flask:
        app = build_app(base["DATABASE_URL"], base["MIGRATE_DATABASE_URL"] or None, **overrides)
        ctx = app.app_context()
        ctx.push()
        made.append((app, ctx))
        return app

    yield make
    for _app, ctx in reversed(made):
        db.session.remove()
        db.engine.dispose()
        ctx.pop()


@pytest.fixture()
def rq_app(pg_aut: AppUnderTest, redis_server: RedisServer) -> Iterator[Flask]:
    """The PostgreSQL test database in Redis mode, pointed at this test's redis-server."""
    app = build_app(
        pg_aut.app.config["DATABASE_URL"],
        pg_aut.app.config["MIGRATE_DATABASE_URL"],
        **job_settings(redis_server.url),
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(int(entry.name))
    return out


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        kids = _children(todo.pop())
        found += kids
        todo += kids
    return found


class WorkerProcess:
    """`tenant-app worker` in its own session (process group)."""

    def __init__(self, app: Flask, **env_overrides: str) -> None:
        cfg = app.config
        env = {k: v for k, v in os.environ.items() if not k.startswith("TENANT_APP_")}
        env.update(
            DATABASE_URL=cfg["DATABASE_URL"],
            MIGRATE_DATABASE_URL=cfg["MIGRATE_DATABASE_URL"],
            REDIS_URL=cfg["REDIS_URL"],
            SECRET_KEY="test-secret",
            ENV="testing",
            JOBS_EAGER="0",
            JOB_STALE_SECONDS=str(cfg["JOB_STALE_SECONDS"]),
            JOB_RETRY_SECONDS=str(cfg["JOB_RETRY_SECONDS"]),
            JOB_MODULES=cfg["JOB_MODULES"],
            UPLOAD_DIR=cfg["UPLOAD_DIR"],
            PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
        )
        env.update(env_overrides)
        fd, self._log_path = tempfile.mkstemp(prefix="worker-", suffix=".log")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from tenant_app.cli import main; main()",
                "worker",
                "--tick",
                str(TICK),
            ],
            cwd=ROOT,
            env=env,
            stdout=fd,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        os.close(fd)
        self.pgid = self.proc.pid

    def log(self) -> str:
        return Path(self._log_path).read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker's process group and every descendant: RQ puts each work horse in
        a process group of its own, so killing the group alone would leave the horse running."""
        horses = descendants(self.proc.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGKILL)
        for pid in horses:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

        def gone() -> bool:
            return not any(Path(f"/proc/{pid}").exists() and _state(pid) != "Z" for pid in horses)

        wait_for(gone, timeout=10, what="worker processes to die")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.kill()
        with contextlib.suppress(OSError):
            os.unlink(self._log_path)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "X"


@pytest.fixture()
def start_worker() -> Iterator[Callable[..., WorkerProcess]]:
    workers: list[WorkerProcess] = []

    def start(app: Flask, **env: str) -> WorkerProcess:
        w = WorkerProcess(app, **env)
        workers.append(w)
        return w

    yield start
    for w in workers:
        w.close()

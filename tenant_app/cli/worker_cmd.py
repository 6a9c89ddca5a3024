"""tenant-app worker: an RQ worker with its scheduler, plus the outbox relay and periodic jobs."""

from __future__ import annotations

from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from rq import Worker
from sqlalchemy.orm import configure_mappers

from tenant_app.jobs.dispatch import redis_connection
from tenant_app.jobs.maintenance import TICK_LOCK, start_maintenance_thread
from tenant_app.jobs.registry import load_job_modules
from tenant_app.jobs.runner import set_worker_app


class _Worker(Worker):
    """Forks a work horse only between maintenance ticks (see maintenance.TICK_LOCK): the
    maintenance thread runs in this process, and a fork while it holds a lock deadlocks the horse."""

    def fork_work_horse(self, job: Any, queue: Any) -> None:
        with TICK_LOCK:
            super().fork_work_horse(job, queue)


@click.command(help="运行后台任务进程（需要 REDIS_URL）")
@click.option("--queue", "queues", multiple=True, default=("default",), show_default=True)
@click.option("--burst", is_flag=True, help="处理完队列后退出")
@click.option("--tick", default=5.0, show_default=True, help="中继与定时任务的检查间隔（秒）")
@with_appcontext
def worker(queues: tuple[str, ...], burst: bool, tick: float) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["REDIS_URL"]:
        raise click.ClickException("未配置 REDIS_URL：无 Redis 时任务在应用进程内执行，无需 worker")
    load_job_modules(app.config["JOB_MODULES"])  # before the fork: work horses inherit them
    configure_mappers()  # once, here, not lazily in whichever thread queries first
    set_worker_app(app)
    stop = start_maintenance_thread(app, interval=tick)
    try:
        _Worker(list(queues), connection=redis_connection(app)).work(
            with_scheduler=True, burst=burst
        )
    finally:
        stop.set()

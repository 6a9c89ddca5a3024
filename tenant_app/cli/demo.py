"""tenant-app demo: migrate, seed the demo regions, accounts and population, print what to try,
and serve."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from tenant_app.demo import DEMO_PASSWORD, seed_demo, seed_demo_data, tips
from tenant_app.demo.portal import PORTAL_ACCOUNTS
from tenant_app.jobs.maintenance import start_inprocess_scheduler


@click.command(help="一条命令试用：建库、写入演示数据并启动（SQLite，进程内任务）")
@click.option("--port", default=5000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--no-serve", is_flag=True, help="只建库和写入数据")
@with_appcontext
def demo(port: int, host: str, no_serve: bool) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade(revision="heads")
    accounts = seed_demo()
    started = time.monotonic()
    seeded = seed_demo_data()
    if any(seeded.values()):
        click.echo(f"已写入演示数据（{time.monotonic() - started:.1f} 秒）")
    click.echo(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
    for slug, username, role in accounts:
        click.echo(f"  http://{host}:{port}/{slug}/login   {username:<16} {role}")
    for slug, username, what in PORTAL_ACCOUNTS:
        click.echo(f"  http://{host}:{port}/{slug}/login   {username:<16} enterprise（{what}）")
    click.echo("可以试试：")
    role = ""
    for who, text, url in tips(host, port):
        if who != role:
            role = who
            click.echo(f"  {who}")
        click.echo(f"    · {text}\n      {url}")
    click.echo(f"打开 http://{host}:{port}/")
    if no_serve:
        return
    # Not app.run(): Flask refuses it inside its own CLI. The same server `flask run` uses.
    if start_inprocess_scheduler(app):
        click.echo("定时任务在本进程内运行（未配置 REDIS_URL）")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)

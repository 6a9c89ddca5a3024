"""`tenant-app`: every operator command (a Flask CLI group; `tenant-app db ...` is Flask-Migrate)."""

from __future__ import annotations

from flask.cli import FlaskGroup

from .. import create_app
from . import audit_cmd, calendar_cmd, demo, tenants_cmd, users_cmd, worker_cmd


def _make_app() -> object:
    return create_app()


cli = FlaskGroup(create_app=_make_app, help="正面清单与涉企检查平台的运维命令")
for group in (tenants_cmd.tenants, users_cmd.users, users_cmd.tokens, audit_cmd.audit,
              worker_cmd.worker, demo.demo):
    cli.add_command(group)
for extra in calendar_cmd.COMMANDS:
    cli.add_command(extra)


def main() -> None:
    cli(prog_name="tenant-app")

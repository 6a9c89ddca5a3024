"""The operator commands, attached to the app's CLI group (so `tenant-app X` and tests see them)."""

from __future__ import annotations

from flask import Flask

from tenant_app.cli import audit_cmd, calendar_cmd, demo, tenants_cmd, users_cmd, worker_cmd


def register_commands(app: Flask) -> None:
    for group in (
        tenants_cmd.tenants,
        users_cmd.users,
        users_cmd.tokens,
        audit_cmd.audit,
        worker_cmd.worker,
        demo.demo,
        *calendar_cmd.COMMANDS,
    ):
        app.cli.add_command(group)

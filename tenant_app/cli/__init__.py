"""`tenant-app`: every operator command (a Flask CLI group; `tenant-app db ...` is Flask-Migrate).

The commands themselves are registered on the app in commands.py.
"""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup


def _make_app() -> Flask:
    from tenant_app import create_app

    return create_app()


cli = FlaskGroup(create_app=_make_app, help="正面清单与涉企检查平台的运维命令")


def main() -> None:
    cli(prog_name="tenant-app")

"""tenant-app audit verify"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..services import audit as audit_service
from ..tenancy.resolve import system_scope
from ..tenancy.scope import use_scope


@click.group(help="审计日志")
def audit() -> None:
    pass


@audit.command("verify")
@with_appcontext
def verify() -> None:
    """Recompute every tenant's hash chain; exit 1 naming the first broken row of each."""
    with use_scope(system_scope()):
        breaks = audit_service.verify_all()
    if breaks:
        for b in breaks:
            click.echo(f"BROKEN {b}", err=True)
        raise SystemExit(1)
    click.echo("audit log intact")

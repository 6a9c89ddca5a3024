"""tenant-app audit verify [--checkpoints DIR] | tenant-app audit checkpoint |
tenant-app audit partitions [--ahead N]"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from tenant_app.audit import checkpoints as audit_checkpoints
from tenant_app.audit import log as audit_service
from tenant_app.audit import partitions as audit_partitions
from tenant_app.extensions import db
from tenant_app.models import Tenant
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope


@click.group(help="审计日志")
def audit() -> None:
    pass


@audit.command("verify")
@click.option(
    "--checkpoints",
    "checkpoints",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="also compare each tenant's chain with the signed checkpoints kept in DIR",
)
@with_appcontext
def verify(checkpoints: Path | None) -> None:
    """Recompute every tenant's keyed hash chain; exit 1 naming the first broken row of each.
    With --checkpoints, a chain cut short or rebuilt since a checkpoint is named too."""
    with use_scope(system_scope()):
        breaks = audit_service.verify_all()
        if checkpoints is not None:
            breaks += audit_checkpoints.verify(checkpoints)
    if breaks:
        for b in breaks:
            click.echo(f"BROKEN {b}", err=True)
        raise SystemExit(1)
    click.echo("audit log intact" + (" and matches the checkpoints" if checkpoints else ""))


@audit.command("checkpoint")
@with_appcontext
def checkpoint() -> None:
    """Write a signed checkpoint of every tenant's chain head now (the daily job does it too)."""
    with use_scope(system_scope()):
        tenants = db.session.execute(select(Tenant).order_by(Tenant.id)).scalars().all()
        for tenant in tenants:
            cp = audit_checkpoints.write(tenant)
            click.echo(f"{tenant.slug}\tseq {cp.seq}\t{cp.hash}")


@audit.command("partitions")
@click.option(
    "--ahead",
    type=click.IntRange(0, 24),
    default=audit_partitions.AHEAD_MONTHS,
    show_default=True,
    help="months after the current one to create",
)
@with_appcontext
def partitions(ahead: int) -> None:
    """Create the audit log's missing monthly partitions now (the daily job does it too) and list
    them. PostgreSQL only."""
    done = audit_partitions.ensure(ahead=ahead)
    if not done.partitioned:
        click.echo("the audit log is not partitioned on this database (SQLite)")
        return
    click.echo(f"created {done.created} partition(s), moved {done.moved} row(s)")
    for p in audit_partitions.listing():
        click.echo(f"{p.name}\t{p.bounds}\t~{max(p.rows, 0)} rows")

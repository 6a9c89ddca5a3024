"""tenant-app tenants create|list|export|import|reserve-ids"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from tenant_app.cli.common import fail_on_service_error, find_tenant
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tenant_app.tenants import service as tenant_service
from tenant_app.tenants.transfer import Limits, export_tenant, import_tenant
from tenant_app.tenants.transfer.ids import reserve_ids


@click.group(help="租户（行政区域）")
def tenants() -> None:
    pass


@tenants.command("create")
@click.option("--slug", required=True, help="网址标识，如 xj-urumqi")
@click.option("--name", required=True, help="中文名称，如 乌鲁木齐市")
@click.option("--level", required=True, type=click.Choice(["province", "city", "county"]))
@click.option("--code", "division_code", required=True, help="GB/T 2260 行政区划代码，如 650100")
@click.option("--parent", default="platform", show_default=True, help="上级租户标识")
@click.option("--pack", "policy_pack", default=None, help="政策包（留空则继承上级）")
@with_appcontext
def create(
    slug: str, name: str, level: str, division_code: str, parent: str, policy_pack: str | None
) -> None:
    parent_tenant = find_tenant(parent)
    with use_scope(system_scope(parent_tenant.id)):
        try:
            tenant = tenant_service.create_tenant(
                scope_context(),
                slug=slug,
                name=name,
                level=level,
                division_code=division_code,
                parent=parent_tenant,
                policy_pack=policy_pack,
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            raise fail_on_service_error(exc) from exc
    click.echo(f"created {tenant.slug} ({tenant.id})")


@tenants.command("list")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@with_appcontext
def list_(as_json: bool) -> None:
    with use_scope(system_scope()):
        rows = tenant_service.list_tenants()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": t.id,
                        "slug": t.slug,
                        "name": t.name,
                        "level": t.level,
                        "division_code": t.division_code,
                        "parent_id": t.parent_id,
                        "policy_pack": t.policy_pack,
                    }
                    for t in rows
                ],
                ensure_ascii=False,
            )
        )
        return
    for t in rows:
        depth = t.path.count("/") - 2
        click.echo(f"{'  ' * depth}{t.slug:<24} {t.division_code} {t.level:<8} {t.name}")


@tenants.command("export")
@click.argument("slug")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="归档文件（.zip），不能已存在",
)
@click.option(
    "--with-descendants",
    is_flag=True,
    help="连同全部下级单位一起导出（下级单位是独立的租户，默认不导出）",
)
@click.option(
    "--max-files-mb", default=20480, show_default=True, help="随数据导出的上传文件合计上限"
)
@with_appcontext
def export(slug: str, out: Path, with_descendants: bool, max_files_mb: int) -> None:
    """Write one tenant's own rows (not its sub-regions'), its uploaded files and the
    references they make into one archive, read as the schema owner in one snapshot."""
    tenant = find_tenant(slug)
    with use_scope(system_scope()):
        try:
            result = export_tenant(
                scope_context(),
                tenant,
                out,
                with_descendants=with_descendants,
                max_file_bytes=max_files_mb * 1024**2,
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            raise fail_on_service_error(exc) from exc
    click.echo(
        f"exported {slug}: {result.tables} tables, {result.rows} rows, {result.files} files"
        f" -> {result.path} ({result.seconds:.1f} s)"
    )


@tenants.command("import")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--max-mb", default=51200, show_default=True, help="归档解压后的合计上限（防止恶意文件）"
)
@with_appcontext
def import_(archive: Path, max_mb: int) -> None:
    """Load an archive written by `tenants export` into this database: refused whole (nothing
    written) on another schema revision, a taken id, a missing parent or reference; verified
    (row counts, SHA-256 per table, the audit chain) before it commits."""
    with use_scope(system_scope()):
        try:
            result = import_tenant(
                scope_context(), archive, limits=Limits(max_total_bytes=max_mb * 1024**2)
            )
        except ServiceError as exc:
            raise fail_on_service_error(exc) from exc
    click.echo(
        f"imported {result.slug}: {result.tables} tables, {result.rows} rows, {result.files}"
        f" files ({result.seconds:.1f} s); counts, SHA-256 per table and the audit chain verified"
    )


@tenants.command("reserve-ids")
@click.option(
    "--from", "start", required=True, type=int, help="本数据库新行 id 的起点，如 2000000000000"
)
@with_appcontext
def reserve_ids_(start: int) -> None:
    """Start every id sequence of this (PostgreSQL) database at START or above, so tenants
    moved in from another database keep their ids without meeting this one's."""
    with use_scope(system_scope()):
        try:
            nexts = reserve_ids(scope_context(), start)
        except ServiceError as exc:
            raise fail_on_service_error(exc) from exc
    click.echo(f"{len(nexts)} sequences: next ids from {min(nexts.values(), default=start)}")

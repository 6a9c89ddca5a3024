"""tenant-app tenants create|list"""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from tenant_app.cli.common import fail_on_service_error, find_tenant
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tenant_app.tenants import service as tenant_service


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

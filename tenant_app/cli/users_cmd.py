"""tenant-app users create|grant, tokens create|revoke"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from tenant_app.accounts import users as user_service
from tenant_app.audit import log as audit
from tenant_app.auth.tokens import revoke
from tenant_app.cli.common import fail_on_service_error, find_tenant
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.models import ApiToken, Tenant
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope


@click.group(help="用户与角色")
def users() -> None:
    pass


@users.command("create")
@click.option("--tenant", "slug", required=True)
@click.option("--role", "roles", required=True, multiple=True, help="可多次给出")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True, help="姓名")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--cert", "certificate_no", default=None, help="执法证件号（执法人员必填）")
@click.option(
    "--enterprise",
    "enterprise_uscc",
    default=None,
    help="企业用户所属企业的统一社会信用代码（--role enterprise 时必填）",
)
@with_appcontext
def create(
    slug: str,
    roles: tuple[str, ...],
    username: str,
    display_name: str,
    password: str,
    certificate_no: str | None,
    enterprise_uscc: str | None,
) -> None:
    tenant = find_tenant(slug)
    with use_scope(system_scope(tenant.id)):
        try:
            user = user_service.create_user(
                scope_context(),
                tenant=tenant,
                username=username,
                display_name=display_name,
                password=password,
                roles=list(roles),
                certificate_no=certificate_no,
                enterprise_uscc=enterprise_uscc,
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            raise fail_on_service_error(exc) from exc
    click.echo(f"created user {user.username} ({user.id}) in {tenant.slug}: {', '.join(roles)}")


@users.command("grant")
@click.option("--tenant", "slug", required=True)
@click.option("--username", required=True)
@click.option("--role", required=True)
@with_appcontext
def grant(slug: str, username: str, role: str) -> None:
    tenant = find_tenant(slug)
    with use_scope(system_scope(tenant.id)):
        user = user_service.user_by_username(username)
        if user is None:
            raise click.ClickException(f"没有用户 {username}")
        try:
            user_service.grant_role(scope_context(), tenant=tenant, user=user, role=role)
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            raise fail_on_service_error(exc) from exc
    click.echo(f"granted {role} to {username} in {slug}")


@click.group(help="API 令牌")
def tokens() -> None:
    pass


@tokens.command("create")
@click.option("--user", "username", required=True)
@click.option("--name", default="cli", show_default=True)
@with_appcontext
def create_token(username: str, name: str) -> None:
    user = user_service.user_by_username(username)
    if user is None:
        raise click.ClickException(f"没有用户 {username}")
    home = db.session.get(Tenant, user.home_tenant_id)
    assert home is not None
    with use_scope(system_scope(home.id)):
        _token, raw = user_service.create_token(scope_context(), user, name)
        db.session.commit()
    click.echo(raw)


@tokens.command("revoke")
@click.option("--prefix", required=True, help="令牌前 10 位")
@with_appcontext
def revoke_token(prefix: str) -> None:
    row = db.session.execute(
        select(ApiToken).where(ApiToken.prefix == prefix, ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if row is None:
        raise click.ClickException("没有这个有效令牌")
    with use_scope(system_scope(row.user.home_tenant_id)):
        revoke(row)
        audit.record(
            scope_context(),
            "token.revoked",
            object_type="api_token",
            object_id=row.id,
            after={"prefix": prefix},
            actor="operator",
        )
        db.session.commit()
    click.echo(f"revoked {prefix}")

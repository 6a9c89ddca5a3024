"""tenant-app calendar add-workdays|add-months|is-workday, and tenant-app policy validate|show."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from policies import PackError, parse_toml, validate_pack
from tenant_app.calendar import years as calendar_service
from tenant_app.cli.common import fail_on_service_error, find_tenant
from tenant_app.core.errors import ServiceError
from tenant_app.policy import service as policy_service
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope


class IsoDate(click.ParamType):
    name = "DATE"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} 不是 YYYY-MM-DD 格式的日期", param, ctx)


ISO = IsoDate()


@click.group(help="工作日日历与法定期间")
def calendar() -> None:
    pass


def _print(op: str, day: date, amount: int | None = None) -> None:
    with use_scope(system_scope()):
        result = calendar_service.answer(op, day, amount)
    value = (
        str(result.value).lower() if isinstance(result.value, bool) else result.value.isoformat()
    )
    click.echo(value + (" provisional" if result.provisional else ""))


@calendar.command("add-workdays", help="DATE 之后第 N 个工作日（起算日不计入）")
@click.argument("day", type=ISO)
@click.argument("n", type=int)
@with_appcontext
def add_workdays(day: date, n: int) -> None:
    _print("add-workdays", day, n)


@calendar.command("add-months", help="DATE 起 N 个月期满之日（末日为休息日的顺延）")
@click.argument("day", type=ISO)
@click.argument("n", type=int)
@with_appcontext
def add_months(day: date, n: int) -> None:
    _print("add-months", day, n)


@calendar.command("is-workday")
@click.argument("day", type=ISO)
@with_appcontext
def is_workday(day: date) -> None:
    _print("is-workday", day)


@click.group(help="政策包与租户政策")
def policy() -> None:
    pass


@policy.command("validate", help="校验一个 pack.toml；错误按键路径列出")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(path: Path) -> None:
    try:
        pack = validate_pack(parse_toml(path.read_text(encoding="utf-8")))
    except PackError as exc:
        for key, reason in sorted(exc.errors.items()):
            click.echo(f"{key}: {reason}", err=True)
        raise SystemExit(1) from None
    click.echo(f"ok: {pack['meta']['id']} {pack['meta'].get('version', '')}")


@policy.command("show", help="租户在某日生效的政策（JSON），含每个值的来源")
@click.option("--tenant", "slug", required=True)
@click.option("--on", "on", type=ISO, default=None, help="日期，默认今天")
@with_appcontext
def show(slug: str, on: date | None) -> None:
    tenant = find_tenant(slug)
    with use_scope(tenant_scope(tenant)):
        try:
            eff = policy_service.effective_policy(tenant, on)
        except ServiceError as exc:
            raise fail_on_service_error(exc) from exc
        out = {
            "tenant": slug,
            "on": eff.on.isoformat(),
            "pack": eff.pack_name,
            "policy_version": eff.version_label,
            "sources": eff.sources,
            "effective": eff.effective,
        }
    click.echo(json.dumps(out, ensure_ascii=False, indent=2, sort_keys=True, default=str))


COMMANDS: list[click.Command] = [calendar, policy]

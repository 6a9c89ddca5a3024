"""Helpers shared by the operator commands."""

from __future__ import annotations

import click

from tenant_app.models import Tenant
from tenant_app.tenancy.resolve import system_scope, tenant_by_slug
from tenant_app.tenancy.scope import use_scope


def find_tenant(slug: str) -> Tenant:
    with use_scope(system_scope()):
        tenant = tenant_by_slug(slug)
    if tenant is None:
        raise click.ClickException(f"没有标识为 {slug!r} 的租户")
    return tenant


def fail_on_service_error(exc: Exception) -> click.ClickException:
    errors = getattr(exc, "errors", {}) or {}
    detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items())
    return click.ClickException(
        f"{getattr(exc, 'message', exc)}" + (f" ({detail})" if detail else "")
    )

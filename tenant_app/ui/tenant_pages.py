"""The /<tenant>/ page tree: the tenant is resolved once per request, then every page nests here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g
from flask_login import current_user

from tenant_app.tenancy.resolve import scope_for, tenant_by_slug
from tenant_app.tenancy.scope import set_request_scope


def bind_tenant(endpoint: str | None, values: dict[str, Any] | None) -> None:
    slug = (values or {}).pop("tenant", None)
    tenant = tenant_by_slug(slug) if slug else None
    if tenant is None:
        abort(404)
    g.tenant = tenant
    user = current_user if current_user.is_authenticated else None
    set_request_scope(scope_for(tenant, user))


def inject_tenant(endpoint: str, values: dict[str, Any]) -> None:
    if (
        "tenant" not in values
        and "tenant" in g
        and current_app.url_map.is_endpoint_expecting(endpoint, "tenant")
    ):
        values["tenant"] = g.tenant.slug


def build() -> Blueprint:
    from tenant_app.accounts import me_pages as me
    from tenant_app.accounts import pages as users
    from tenant_app.auth import pages as auth
    from tenant_app.calendar import pages as calendar
    from tenant_app.imports import pages as imports
    from tenant_app.inspections.pages import admin as inspections_admin
    from tenant_app.inspections.pages import portal as inspections_portal
    from tenant_app.inspections.pages import public as inspections_public
    from tenant_app.inspections.pages import staff as inspections
    from tenant_app.jobs import pages as jobs
    from tenant_app.listing.pages import portal as listing_portal
    from tenant_app.listing.pages import public as listing_public
    from tenant_app.listing.pages import staff as listing
    from tenant_app.policy import pages as policy
    from tenant_app.registry.pages import enterprises
    from tenant_app.registry.pages import portal as enterprise_portal
    from tenant_app.registry.pages import records as enterprise_records
    from tenant_app.tenants import pages as tenants
    from tenant_app.ui import dashboard

    bp = Blueprint("web", __name__, url_prefix="/<tenant>")
    bp.url_value_preprocessor(bind_tenant)
    bp.app_url_defaults(inject_tenant)
    for child in (
        auth.bp,
        dashboard.bp,
        me.bp,
        users.bp,
        tenants.bp,
        jobs.bp,
        policy.bp,
        calendar.bp,
        enterprises.bp,
        enterprise_records.bp,
        enterprise_portal.bp,
        imports.bp,
        inspections.bp,
        inspections_admin.bp,
        inspections_portal.bp,
        inspections_public.bp,
        listing.bp,
        listing_portal.bp,
        listing_public.bp,
    ):
        bp.register_blueprint(child)
    return bp

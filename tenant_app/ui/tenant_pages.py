"""The /<tenant>/ page tree: the tenant is resolved once per request, then every page nests here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, current_app, g

from tenant_app.tenancy.acting import bind_tenant


def inject_tenant(endpoint: str, values: dict[str, Any]) -> None:
    if (
        "tenant" not in values
        and "tenant" in g
        and current_app.url_map.is_endpoint_expecting(endpoint, "tenant")
    ):
        values["tenant"] = g.tenant.slug


def build(children: Iterable[Blueprint]) -> Blueprint:
    """The /<tenant>/ tree over the features' page blueprints (tenant_app/features.py)."""
    bp = Blueprint("web", __name__, url_prefix="/<tenant>")
    bp.url_value_preprocessor(bind_tenant)
    bp.app_url_defaults(inject_tenant)
    for child in children:
        bp.register_blueprint(child)
    return bp

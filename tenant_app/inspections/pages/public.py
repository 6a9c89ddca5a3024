"""Public pages (no login) under /<tenant>/public/: enforcement publicity (SX-7), published
special campaigns (SX-4), published annual plans (SX-3) and random draws (seed hash before the
draw, seed and result after, with the algorithm to recompute it)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template

from tenant_app.auth.permissions import PUBLIC, permission
from tenant_app.cases.services import publicity as penalties
from tenant_app.inspections.services import draws
from tenant_app.inspections.services import publicity as service
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.public_cache import public_cached

bp = Blueprint("inspections_public", __name__, template_folder="../templates", url_prefix="/public")


@bp.get("/enforcement")
@permission(PUBLIC)
@public_cached
def publicity() -> Any:
    return render_template(
        "inspections/public.html",
        info=service.publicity(request_context()),
        penalties=penalties.public_decisions(request_context()),
        campaigns=service.published_campaigns(),
        plans=service.published_plans(),
        draws=service.public_draws(),
    )


@bp.get("/draws/<int:draw_id>")
@permission(PUBLIC)
@public_cached
def draw(draw_id: int) -> Any:
    d = draws.get_draw(draw_id)
    return render_template(
        "inspections/draw.html",
        d=d,
        names=service.draw_names(d),
        verified=draws.verify(d) if d.status == "drawn" else None,
        public=True,
        doc=draws.public_document(d),
        parties=draws.PARTY_LABELS,
    )


@bp.get("/draws/<int:draw_id>.json")
@permission(PUBLIC)
@public_cached
def draw_data(draw_id: int) -> Any:
    """Everything needed to recompute the draw (docs/inspections.md); the seed only once drawn."""
    return jsonify(draws.public_document(draws.get_draw(draw_id)))

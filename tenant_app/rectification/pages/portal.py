"""The enterprise's side of its correction orders (SX-15): what it was ordered to correct and by
when, its rectification plan (measures, responsible person, milestones) and progress reports
with one evidence file each. The enterprise is the one the user's verified account links to,
never an id from the URL."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.core.errors import ServiceError
from tenant_app.http.bodies import accepts_upload
from tenant_app.rectification.pages.staff import act
from tenant_app.rectification.services import extensions, orders, rectify
from tenant_app.rectification.services.rectify import MAX_BYTES
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.downloads import stored_file_response

bp = Blueprint(
    "rectification_portal",
    __name__,
    template_folder="../templates",
    url_prefix="/enterprise/rectification",
)


@bp.get("/")
@permission(Perm.OWN_CASES)
def mine_page() -> Any:
    ctx = request_context()
    return render_template("rectification/mine.html", rows=orders.my_orders(ctx), today=ctx.today)


def _mine_or_404(order_id: int) -> Any:
    try:
        return orders.my_order(request_context(), order_id)
    except orders.NotFound:
        abort(404)


@bp.get("/<int:order_id>/files/<kind>/<int:row_id>")
@permission(Perm.OWN_CASES)
def file(order_id: int, kind: str, row_id: int) -> Any:
    """The enterprise's own evidence or proof on its own order, as an attachment."""
    o = _mine_or_404(order_id)
    try:
        f = rectify.stored_file(o, kind, row_id)
    except ServiceError:
        abort(404)
    return stored_file_response(f.path, f.content_type, f.filename)


@bp.get("/<int:order_id>/")
@permission(Perm.OWN_CASES)
def show(order_id: int) -> Any:
    o = _mine_or_404(order_id)
    return render_template(
        "rectification/mine_show.html",
        o=o,
        entries=rectify.entries(o),
        extensions=extensions.extensions_of(o),
        max_mb=MAX_BYTES // (1024 * 1024),
        today=request_context().today,
    )


@bp.post("/<int:order_id>/plan")
@permission(Perm.OWN_CASES)
def plan(order_id: int) -> Any:
    ctx = request_context()
    act(
        lambda: rectify.submit_plan(
            ctx,
            orders.my_order(ctx, order_id),
            {k: request.form.get(k, "") for k in ("measures", "responsible", "milestones")},
        ),
        _("整改方案已提交"),
    )
    return redirect(url_for(".show", order_id=order_id))


@bp.post("/<int:order_id>/progress")
@accepts_upload
@permission(Perm.OWN_CASES)
def progress(order_id: int) -> Any:
    ctx = request_context()
    up = request.files.get("file")
    act(
        lambda: rectify.report_progress(
            ctx,
            orders.my_order(ctx, order_id),
            request.form.get("text", ""),
            up.stream if up and up.filename else None,
            (up.filename or "") if up else "",
        ),
        _("整改进展已报告"),
    )
    return redirect(url_for(".show", order_id=order_id))


@bp.post("/<int:order_id>/extension")
@accepts_upload
@permission(Perm.OWN_CASES)
def extension(order_id: int) -> Any:
    """延期整改申请: reasons, the date hoped for, an optional proof file."""
    ctx = request_context()
    up = request.files.get("file")
    act(
        lambda: extensions.request(
            ctx,
            orders.my_order(ctx, order_id),
            {k: request.form.get(k, "") for k in ("reasons", "asked_until")},
            up.stream if up and up.filename else None,
            (up.filename or "") if up else "",
        ),
        _("延期整改申请已提交"),
    )
    return redirect(url_for(".show", order_id=order_id))

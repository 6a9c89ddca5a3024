"""Staff pages for correction orders (NL-28, SX-14/15, XJ-R): the list (keyset-paged, by status,
source, enterprise, overdue), an order with its plan, progress, comments, help and verification,
and the forms: comment, help, follow-up visit, verification, a good reason for lateness; and
"order correction" on a warning that found a violation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.inspections.services.common import policy_of
from tenant_app.models import Enterprise, Inspection
from tenant_app.models.rectification import ORDER_SOURCES, ORDER_STATUSES
from tenant_app.rectification.services import extensions, orders, rectify
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.downloads import stored_file_response
from tenant_app.ui.forms import ConfirmForm
from tenant_app.warnings.services.common import get_warning

bp = Blueprint(
    "rectification", __name__, template_folder="../templates", url_prefix="/rectification"
)


def act(action: Callable[[], object], done: str) -> bool:
    """One step after the CSRF check, in one transaction; another tenant's or enterprise's
    order is a 404, a refusal is flashed with its reason (field by field)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action()
        db.session.commit()
        flash(done, "success")
        return True
    except ServiceError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        reasons = "；".join(str(m) for msgs in exc.errors.values() for m in msgs)
        flash(
            f"{exc.message}{('：' + reasons) if reasons and reasons != exc.message else ''}",
            "danger",
        )
        return False


def _int(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 2**63 else None


def _order_or_404(order_id: int) -> Any:
    try:
        return orders.get_order(order_id)
    except orders.NotFound:
        abort(404)


@bp.get("/")
@permission(Perm.CASES_VIEW)
def index() -> Any:
    ctx = request_context()
    status = request.args.get("status") or "open"
    source = request.args.get("source") or None
    overdue = request.args.get("overdue") == "1"
    page = orders.orders_page(
        ctx,
        status=status,
        source=source,
        enterprise_id=_int("enterprise_id"),
        overdue=overdue,
        after=_int("after"),
    )
    ids = {o.enterprise_id for o in page.items}
    names = {
        e.id: e.name
        for e in db.session.execute(db.select(Enterprise).where(Enterprise.id.in_(ids))).scalars()
    }
    return render_template(
        "rectification/index.html",
        page=page,
        names=names,
        status=status,
        source=source,
        overdue=overdue,
        statuses=ORDER_STATUSES,
        sources=ORDER_SOURCES,
        today=ctx.today,
    )


@bp.get("/<int:order_id>/")
@permission(Perm.CASES_VIEW)
def show(order_id: int) -> Any:
    o = _order_or_404(order_id)
    ctx = request_context()
    visit = db.session.get(Inspection, o.inspection_id) if o.inspection_id else None
    return render_template(
        "rectification/show.html",
        o=o,
        e=o.enterprise,
        entries=rectify.entries(o),
        extensions=extensions.extensions_of(o),
        visit=visit,
        rules=policy_of(ctx).rectification_rules(),
        today=ctx.today,
    )


@bp.get("/<int:order_id>/files/<kind>/<int:row_id>")
@permission(Perm.CASES_VIEW)
def file(order_id: int, kind: str, row_id: int) -> Any:
    """A progress entry's evidence or an extension request's proof, as an attachment."""
    o = _order_or_404(order_id)
    try:
        f = rectify.stored_file(o, kind, row_id)
    except ServiceError:
        abort(404)
    return stored_file_response(f.path, f.content_type, f.filename)


def _back(order_id: int) -> Any:
    return redirect(url_for(".show", order_id=order_id))


@bp.post("/<int:order_id>/comment")
@permission(Perm.CASES_EDIT)
def comment(order_id: int) -> Any:
    ctx = request_context()
    act(
        lambda: rectify.comment(ctx, orders.get_order(order_id), request.form.get("text", "")),
        _("意见已记录"),
    )
    return _back(order_id)


@bp.post("/<int:order_id>/help")
@permission(Perm.CASES_EDIT)
def help_given(order_id: int) -> Any:
    ctx = request_context()
    act(
        lambda: rectify.record_help(ctx, orders.get_order(order_id), request.form.get("text", "")),
        _("帮扶已记录"),
    )
    return _back(order_id)


@bp.post("/<int:order_id>/visit")
@permission(Perm.CASES_EDIT)
def visit(order_id: int) -> Any:
    ctx = request_context()
    act(
        lambda: rectify.schedule_visit(
            ctx,
            orders.get_order(order_id),
            {
                "planned_date": request.form.get("planned_date", ""),
                "officer_ids": request.form.get("officer_ids", ""),
            },
        ),
        _("已安排整改核查检查"),
    )
    return _back(order_id)


@bp.post("/<int:order_id>/verify")
@permission(Perm.CASES_EDIT)
def verify(order_id: int) -> Any:
    ctx = request_context()
    act(
        lambda: rectify.verify(
            ctx,
            orders.get_order(order_id),
            {k: request.form.get(k, "") for k in ("method", "outcome", "note")},
        ),
        _("整改核查已办结"),
    )
    return _back(order_id)


@bp.post("/extensions/<int:extension_id>/decide")
@permission(Perm.CASES_EDIT)
def decide_extension(extension_id: int) -> Any:
    """延期整改: grant a new deadline or refuse with a reason."""
    ctx = request_context()
    try:
        ext = extensions.get_extension(extension_id)
    except orders.NotFound:
        abort(404)
    act(
        lambda: extensions.decide(
            ctx, ext, {k: request.form.get(k, "") for k in ("grant", "days", "until", "note")}
        ),
        _("已对延期整改申请作出决定"),
    )
    return _back(ext.order_id)


@bp.post("/<int:order_id>/justify")
@permission(Perm.CASES_EDIT)
def justify(order_id: int) -> Any:
    ctx = request_context()
    act(
        lambda: rectify.justify(ctx, orders.get_order(order_id), request.form.get("reason", "")),
        _("逾期正当理由已记录"),
    )
    return _back(order_id)


@bp.post("/from-warning/<int:warning_id>")
@permission(Perm.WARNINGS_EDIT)
def from_warning(warning_id: int) -> Any:
    ctx = request_context()
    made: list[int] = []

    def run() -> None:
        made.append(
            orders.from_warning(
                ctx,
                get_warning(warning_id),
                {k: request.form.get(k, "") for k in ("content", "finding", "days")},
            ).id
        )

    if act(run, _("已责令改正")) and made:
        return _back(made[0])
    return redirect(url_for("web.warnings.show", warning_id=warning_id))

"""Public positive-list pages of one tenant (no login): the current list, notices in progress
with the objection form, publications and removals; each as XLSX and as a printable page.
Rows come from the tenant in the URL only (its scope), so another tenant's entries never show."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from tenant_app.audit import checkpoints as audit_checkpoints
from tenant_app.auth.permissions import PUBLIC, permission
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.listing.services import batches, objections, public
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.public_cache import public_cached

bp = Blueprint(
    "listing_public", __name__, template_folder="../templates", url_prefix="/public/positive-list"
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, name: str) -> Response:
    return Response(
        data, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={name}"}
    )


@bp.get("/")
@permission(PUBLIC)
@public_cached
def current() -> Any:
    ctx = request_context()
    if request.args.get("format") == "xlsx":
        return _xlsx(public.current_list_xlsx(ctx), "positive-list.xlsx")
    return render_template(
        "listing/public_list.html",
        rows=public.current_list(ctx),
        printable=request.args.get("print") == "1",
        checkpoint=audit_checkpoints.latest(g.tenant),
    )


@bp.get("/notices")
@permission(PUBLIC)
@public_cached
def notices() -> Any:
    ctx = request_context()
    if request.args.get("format") == "xlsx":
        return _xlsx(public.notices_xlsx(ctx), "notices.xlsx")
    return render_template(
        "listing/public_notices.html",
        notices=public.notices(ctx),
        archive=public.archived_notices(ctx),
        printable=request.args.get("print") == "1",
    )


@bp.route("/notices/<int:batch_id>", methods=["GET", "POST"])
@permission(PUBLIC)
def notice(batch_id: int) -> Any:
    ctx = request_context()
    try:
        b = batches.get_batch(ctx, batch_id)
    except ServiceError:
        abort(404)
    if b.kind != "addition" or b.state == "draft" or b.notice_start is None:
        abort(404)  # never noticed: nothing public. Published: the archive of its notice.
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            objections.note_attempt(ctx)
            objections.file_objection(ctx, b, request.form.to_dict())
            db.session.commit()
            flash(_("异议已提交，感谢监督"), "success")
            return redirect(url_for(".notice", batch_id=b.id))
        except ServiceError as exc:
            db.session.rollback()
            errors, status = {**exc.errors, "_": [exc.message]}, exc.status  # 422, or 429 throttled
    return render_template(
        "listing/public_notice.html", n=public.notice(ctx, b), errors=errors, form=request.form
    ), status


@bp.get("/publications")
@permission(PUBLIC)
@public_cached
def publications() -> Any:
    ctx = request_context()
    kind = request.args.get("kind") if request.args.get("kind") in ("addition", "removal") else None
    if request.args.get("format") == "xlsx":
        return _xlsx(public.publications_xlsx(ctx, kind), "publications.xlsx")
    return render_template(
        "listing/public_publications.html",
        pubs=public.publications(ctx, kind),
        kind=kind,
        printable=request.args.get("print") == "1",
    )

"""The enterprise user's positive-list pages: apply online (self-check per condition and
attachments), follow its own entries, sign the compliance commitment. The enterprise always comes
from the user's verified account (my_enterprise), never from the URL."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.http.bodies import accepts_upload
from tenant_app.listing.services import entries
from tenant_app.listing.services.common import policy
from tenant_app.registry.services.enterprise_accounts import my_enterprise
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.refused import redisplay

bp = Blueprint("listing_portal", __name__, template_folder="../templates", url_prefix="/my/listing")


@bp.get("/")
@permission(Perm.LISTING_APPLY)
def mine() -> Any:
    ctx = request_context()
    e = my_enterprise(request_context())
    rows = entries.entries(ctx, enterprise_id=e.id)
    texts = {r.id: entries.commitment_text(ctx, r) for r in rows if r.state == "consulted"}
    return render_template("listing/mine.html", e=e, rows=rows, texts=texts, today=ctx.today)


@bp.route("/apply", methods=["GET", "POST"])
@accepts_upload
@permission(Perm.LISTING_APPLY)
def apply() -> Any:
    ctx = request_context()
    e = my_enterprise(request_context())
    conds = policy(ctx).screening_conditions()
    errors: dict[str, list[str]] = {}
    form = request.form
    if request.method == "POST":
        check = {
            cid: {"ok": form.get(f"ok_{cid}"), "note": form.get(f"note_{cid}", "")} for cid in conds
        }
        try:
            entries.create(
                ctx,
                e,
                origin="application",
                self_check=check,
                files=[f for f in request.files.getlist("files") if f and f.filename],
            )
            db.session.commit()
            flash(_("申请已提交"), "success")
            return redirect(url_for(".mine"))
        except ServiceError as exc:
            db.session.rollback()
            errors = {**exc.errors, "_": [exc.message]}
    return render_template("listing/apply.html", e=e, conds=conds, errors=errors, form=form), (
        422 if errors else 200
    )


@bp.post("/<int:entry_id>/commitment")
@permission(Perm.LISTING_APPLY)
def commitment(entry_id: int) -> Any:
    ctx = request_context()
    e = my_enterprise(request_context())
    try:
        entry = entries.get_entry(ctx, entry_id)
        entries.sign_commitment(ctx, entry, e, {"on_date": request.form.get("on_date")})
        db.session.commit()
        flash(_("已签署守法承诺"), "success")
    except entries.NotFound:
        from flask import abort

        abort(404)
    except ServiceError as exc:
        # the date typed stays; a stop (the entry no longer qualifies) is kept (exc.keep)
        return redisplay(mine, f"commitment-{entry_id}", exc)
    return redirect(url_for(".mine"))

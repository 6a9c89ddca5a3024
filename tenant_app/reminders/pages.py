"""The "due soon / overdue" queue pages (issue 16 item 3): my queue, and the tenant's (tenant
admins and oversight roles: the overdue flag visible to whoever oversees)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.reminders.services import queue
from tenant_app.tenancy.acting import request_context

bp = Blueprint("reminders", __name__, template_folder="templates", url_prefix="/reminders")


@bp.get("/")
@permission(Perm.DASHBOARD_VIEW)
def mine() -> Any:
    ctx = request_context()
    return render_template(
        "reminders/queue.html",
        rows=queue.my_queue(ctx),
        lead=queue.lead_for(ctx, ctx.user_id),
        whole_tenant=False,
    )


@bp.get("/all")
@permission(Perm.REMINDERS_ALL)
def tenant_all() -> Any:
    ctx = request_context()
    rows = queue.tenant_queue(ctx)
    return render_template(
        "reminders/queue.html",
        rows=rows,
        lead=queue.lead_for(ctx, None),
        whole_tenant=True,
        names=queue.assignee_names(rows),
    )

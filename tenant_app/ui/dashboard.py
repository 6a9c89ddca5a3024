"""The tenant's home page for staff and enterprise users: a working dashboard per role (issue 17
item 1) — what awaits me, what is due soon or overdue, my inspections this week; an enterprise
user sees only its own pending items. The blocks come from oversight.services.dashboard."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from sqlalchemy import func, select

from tenant_app.auth.permissions import can, permission
from tenant_app.auth.roles import Perm
from tenant_app.extensions import db
from tenant_app.models import AuditEntry, Job
from tenant_app.oversight.services import dashboard as work
from tenant_app.reminders.services import queue
from tenant_app.tenancy.acting import request_context
from tenant_app.tenancy.scope import current_scope

bp = Blueprint("dashboard", __name__)

# The due-soon/overdue rows the dashboard shows; the rest are on the reminders page.
DUE_ROWS = 10


@bp.get("/")
@permission(Perm.DASHBOARD_VIEW)
def home() -> str:
    ctx = request_context()
    recent_audit = []
    if can(Perm.AUDIT_VIEW):
        recent_audit = list(
            db.session.execute(
                select(AuditEntry).order_by(AuditEntry.id.desc()).limit(10)
            ).scalars()
        )
    job_count = db.session.execute(select(func.count()).select_from(Job)).scalar_one()
    enterprise_user = can(Perm.OWN_ENTERPRISE_VIEW) and not can(Perm.ENTERPRISES_VIEW)
    if enterprise_user:
        blocks, week = work.enterprise_pending(ctx), None
    else:
        blocks = work.awaiting(ctx)
        week = work.my_week(ctx) if can(Perm.INSPECTIONS_EDIT) else None
    blocks = sorted(blocks, key=lambda b: b.total == 0)  # what waits first (stable otherwise)
    due = [r for r in queue.my_queue(ctx) if r.overdue or r.due_soon]
    return render_template(
        "dashboard.html",
        tenant=g.tenant,
        roles=sorted(current_scope().roles),
        recent_audit=recent_audit,
        job_count=job_count,
        blocks=blocks,
        week=week,
        due=due[:DUE_ROWS],
        due_total=len(due),
        enterprise_user=enterprise_user,
    )

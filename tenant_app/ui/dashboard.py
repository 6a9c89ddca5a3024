"""The tenant's home page for staff and enterprise users."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from sqlalchemy import func, select

from tenant_app.auth.permissions import can, permission
from tenant_app.auth.roles import Perm
from tenant_app.extensions import db
from tenant_app.models import AuditEntry, Job
from tenant_app.tenancy.scope import current_scope

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@permission(Perm.DASHBOARD_VIEW)
def home() -> str:
    recent_audit = []
    if can(Perm.AUDIT_VIEW):
        recent_audit = list(
            db.session.execute(
                select(AuditEntry).order_by(AuditEntry.id.desc()).limit(10)
            ).scalars()
        )
    job_count = db.session.execute(select(func.count()).select_from(Job)).scalar_one()
    return render_template(
        "dashboard.html",
        tenant=g.tenant,
        roles=sorted(current_scope().roles),
        recent_audit=recent_audit,
        job_count=job_count,
    )

"""Rectification deadlines (责令整改) of compliance records for the reminders queue (issue 16
item 3): open orders with a due date, assigned to whoever entered the record."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import ComplianceRecord, Enterprise
from tenant_app.reminders.items import DueItem


def rectification_deadlines(ctx: Context, *, user_id: int | None, horizon: date) -> list[DueItem]:
    if ctx.tenant is None:
        return []
    slug = ctx.tenant.slug
    stmt = (
        select(
            ComplianceRecord.id,
            ComplianceRecord.enterprise_id,
            Enterprise.name,
            ComplianceRecord.entered_by,
            ComplianceRecord.due_date,
        )
        .join(Enterprise, Enterprise.id == ComplianceRecord.enterprise_id)
        .where(
            ComplianceRecord.tenant_id == ctx.tenant_id,
            ComplianceRecord.kind == "rectification",
            ComplianceRecord.due_date.is_not(None),
            ComplianceRecord.closed_on.is_(None),
            or_(
                ComplianceRecord.outcome.is_(None),
                ComplianceRecord.outcome.in_(("open", "extended")),
            ),
            ComplianceRecord.due_date <= horizon,
        )
    )
    if user_id is not None:
        stmt = stmt.where(ComplianceRecord.entered_by == user_id)
    return [
        DueItem(
            due=due,
            title=f"{name}：责令整改期限",
            link=f"/{slug}/enterprises/{enterprise_id}/",
            kind="registry.rectification",
            rule_id=None,
            object_ref=f"compliance_record:{record_id}",
            assignee_id=entered_by,
        )
        for record_id, enterprise_id, name, entered_by, due in db.session.execute(stmt).all()
        if due is not None
    ]

"""Enterprise requests: an enterprise user asks online for an inspection (trigger
``enterprise_request``, not capped under SX-3); staff accept it (an inspection is created through
the pre-save checks) or decline it with a reason. Also: the enterprise's own inspections."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ValidationFailed
from tenant_app.extensions import db
from tenant_app.inspections.services import feedback, plans
from tenant_app.inspections.services.common import get, parse_date
from tenant_app.models import Inspection, InspectionRequest
from tenant_app.registry.services.enterprise_accounts import my_enterprise
from tenant_app.registry.services.enterprises import NotFound
from tenant_app.tenancy.queries import Page, keyset_page


def submit(ctx: Context, reason: str, preferred_date: Any = None) -> InspectionRequest:
    e = my_enterprise(ctx)
    reason = reason.strip()
    if len(reason) < 5:
        raise ValidationFailed.field("reason", "请说明申请检查的事项（不少于 5 字）")
    r = InspectionRequest(
        enterprise_id=e.id,
        reason=reason[:2000],
        submitted_by=ctx.actor.user_id,
        preferred_date=parse_date(preferred_date, "preferred_date", required=False),
    )
    db.session.add(r)
    db.session.flush()
    audit.record(
        ctx,
        "inspection_request.submitted",
        object_type="inspection_request",
        object_id=r.id,
        after={"enterprise_id": e.id, "reason": r.reason, "preferred_date": r.preferred_date},
    )
    return r


def accept(ctx: Context, r: InspectionRequest, data: dict[str, Any]) -> Inspection:
    if r.status != "open":
        raise Conflict("该申请已处理", {"status": [r.status]})
    insp = plans.create_inspection(
        ctx,
        {
            **data,
            "enterprise_id": r.enterprise_id,
            "trigger": "enterprise_request",
            "request_id": r.id,
            "planned_date": data.get("planned_date") or r.preferred_date,
        },
    )
    r.status, r.inspection_id = "accepted", insp.id
    audit.record(
        ctx,
        "inspection_request.accepted",
        object_type="inspection_request",
        object_id=r.id,
        after={"inspection_id": insp.id},
    )
    return insp


def decline(ctx: Context, r: InspectionRequest, answer: str) -> InspectionRequest:
    if r.status != "open":
        raise Conflict("该申请已处理", {"status": [r.status]})
    if not answer.strip():
        raise ValidationFailed.field("answer", "请说明不予安排的理由")
    r.status, r.answer = "declined", answer.strip()[:1000]
    audit.record(
        ctx,
        "inspection_request.declined",
        object_type="inspection_request",
        object_id=r.id,
        after={"answer": r.answer},
    )
    return r


def get_request(request_id: Any) -> InspectionRequest:
    return get(InspectionRequest, request_id, "该检查申请")


def open_requests(*, after: int | None = None, limit: int = 50) -> Page:
    """Every request of the tenant, newest first, keyset-paged, with how many in all."""
    return keyset_page(
        select(InspectionRequest), InspectionRequest.id, after, limit, descending=True, count=True
    )


def my_requests(ctx: Context) -> list[InspectionRequest]:
    e = my_enterprise(ctx)
    return list(
        db.session.execute(
            select(InspectionRequest)
            .where(InspectionRequest.enterprise_id == e.id)
            .order_by(InspectionRequest.id.desc())
        ).scalars()
    )


def my_inspections(ctx: Context) -> list[Inspection]:
    """The enterprise user's own enterprise's inspections (resolved from the account, never a URL id)."""
    e = my_enterprise(ctx)
    return list(
        db.session.execute(
            select(Inspection)
            .where(Inspection.enterprise_id == e.id)
            .order_by(Inspection.planned_date.desc())
        ).scalars()
    )


def my_inspection(ctx: Context, inspection_id: Any) -> Inspection:
    """One of them: another enterprise's inspection is the same 404 as a missing one. Reading
    it marks its feedback read by the acting user."""
    insp = get(Inspection, inspection_id, "该检查")
    if insp.enterprise_id != my_enterprise(ctx).id:
        raise NotFound("没有找到该检查")
    return feedback.mark_read(ctx, insp)

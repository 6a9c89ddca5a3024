"""Approvals (SX-5, SX-10, XJ-S): each stored requirement names the roles that may meet it; an
approver meets every open requirement one of their roles (in this tenant) satisfies. All met →
approved; any eligible approver may reject. Nothing on-site starts unapproved (conduct.start)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ServiceError
from tenant_app.extensions import db
from tenant_app.models import Inspection, InspectionApproval


class NotAnApprover(ServiceError):
    status = 403
    code = "not_an_approver"


def open_requirements(insp: Inspection) -> list[dict[str, Any]]:
    return [r for r in insp.requirements or [] if not r.get("met_by")]


def can_approve(ctx: Context, insp: Inspection) -> bool:
    """Whether the acting user holds, in this tenant, a role one open requirement asks for."""
    return insp.status == "pending" and any(
        set(r["any_of"]) & ctx.roles for r in open_requirements(insp)
    )


def _decide(ctx: Context, insp: Inspection, verdict: str, comment: str) -> InspectionApproval:
    if insp.status != "pending":
        raise Conflict("该检查不在待审批状态", {"status": [insp.status]})
    if verdict == "approved":
        # Approval is a moment a rule bites (issue 11): judged again for the planned day with the
        # facts as they are now (a conflict declared since, listed status, a day already past).
        from tenant_app.inspections.services import moments

        report, reqs = moments.revalidate(ctx, insp, insp.planned_date)
        if not report.allowed:
            raise moments.refusal(report)
        if reqs != insp.requirements or report.rule_ids != insp.rule_ids:
            moments.store(ctx, insp, report, reqs, "approval")
    roles = ctx.roles
    mine = [r for r in open_requirements(insp) if set(r["any_of"]) & roles]
    if not mine:
        wanted = "；".join(f"{r['rule_id']}：{r['title']}" for r in open_requirements(insp))
        raise NotAnApprover("您在本机构不具备该检查所需的审批角色", {"roles": [wanted]})
    uid = ctx.actor.user_id
    if verdict == "approved" and any(o.get("id") == uid for o in insp.officers or []):
        raise NotAnApprover("承办检查的执法人员不能审批自己的检查", {"roles": ["回避"]})
    rule_ids = [r["rule_id"] for r in mine]
    row = InspectionApproval(
        inspection_id=insp.id,
        user_id=uid,
        user_name=ctx.actor.name,
        roles=sorted(roles),
        rule_ids=rule_ids,
        verdict=verdict,
        comment=comment[:1000],
    )
    db.session.add(row)
    before = insp.status
    if verdict == "approved":
        reqs = []
        for r in insp.requirements:
            if not r.get("met_by") and set(r["any_of"]) & roles:
                r = {
                    **r,
                    "met_by": {
                        "user_id": uid,
                        "name": ctx.actor.name,
                        "roles": sorted(set(r["any_of"]) & roles),
                    },
                }
            reqs.append(r)
        insp.requirements = reqs  # reassign: JSON columns track assignment, not mutation
        if not open_requirements(insp):
            insp.status = "approved"
    else:
        insp.status = "rejected"
    db.session.flush()
    audit.record(
        ctx,
        f"inspection.{verdict}",
        object_type="inspection",
        object_id=insp.id,
        before={"status": before},
        after={
            "status": insp.status,
            "rule_ids": rule_ids,
            "comment": comment[:1000],
            "roles": sorted(roles),
        },
    )
    return row


def approve(ctx: Context, insp: Inspection, comment: str = "") -> InspectionApproval:
    return _decide(ctx, insp, "approved", comment.strip())


def reject(ctx: Context, insp: Inspection, comment: str) -> InspectionApproval:
    if not comment.strip():
        raise ServiceError("驳回须说明理由", {"comment": ["请填写驳回理由"]})
    return _decide(ctx, insp, "rejected", comment.strip())


def inbox(ctx: Context, limit: int = 200) -> list[Inspection]:
    """Pending inspections the acting user can (still) approve, oldest planned first."""
    rows = db.session.execute(
        select(Inspection)
        .where(Inspection.status == "pending")
        .order_by(Inspection.planned_date, Inspection.id)
        .limit(2000)
    ).scalars()
    return [i for i in rows if can_approve(ctx, i)][:limit]


def history(insp: Inspection) -> list[InspectionApproval]:
    return list(
        db.session.execute(
            select(InspectionApproval)
            .where(InspectionApproval.inspection_id == insp.id)
            .order_by(InspectionApproval.id)
        ).scalars()
    )

"""Creating inspections: the pre-save checks decide, refusals are explained, the decision
(rule ids, facts, policy version) is stored on the row; and the inspection list."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.context import Context
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.inspections.services import conduct
from tenant_app.inspections.services.checks import CheckReport, Draft, parse_draft, run_checks
from tenant_app.inspections.services.common import get
from tenant_app.models import Inspection
from tenant_app.tenancy.queries import Page, keyset_page


class Refused(ServiceError):
    """The rules forbid it: 422 with each reason under ``rules``."""

    code = "refused_by_rules"


def refuse(report: CheckReport) -> Refused:
    return Refused(
        "依据规定不能安排该检查：" + "；".join(report.refusals),
        {"rules": report.refusals, "rule_ids": report.rule_ids},
    )


def create_from_draft(ctx: Context, d: Draft, report: CheckReport) -> Inspection:
    if not report.allowed:
        raise refuse(report)
    needs_approval = d.mode == "on_site" and bool(report.requirements)
    insp = Inspection(
        enterprise_id=d.enterprise.id,
        mode=d.mode,
        trigger=d.trigger,
        planned_date=d.planned_date,
        status="pending" if needs_approval else "approved",
        title=d.title,
        officers=[
            {"id": u.id, "name": u.display_name, "certificate_no": u.certificate_no}
            for u in d.officers
        ],
        checklist=conduct.build_checklist(d.enterprise, d.checklist_keys)
        if d.mode == "on_site"
        else [],
        decision=report.to_dict(),
        rule_ids=report.rule_ids,
        policy_version=report.policy_version,
        requirements=report.requirements,
        preconditions=report.preconditions,
        campaign_id=d.campaign.id if d.campaign else None,
        draw_id=d.draw_id,
        request_id=d.request_id,
        self_report_id=report.facts.get("self_inspection_report_id"),
        data_source=d.data_source,
        created_by=ctx.actor.user_id,
    )
    db.session.add(insp)
    db.session.flush()
    if d.join_with is not None:
        group = d.join_with.joint_group_id or d.join_with.id
        d.join_with.joint_group_id = group
        insp.joint_group_id = group
    audit.record(
        ctx,
        "inspection.created",
        object_type="inspection",
        object_id=insp.id,
        after={
            "enterprise_id": insp.enterprise_id,
            "mode": insp.mode,
            "trigger": insp.trigger,
            "planned_date": insp.planned_date,
            "status": insp.status,
            "officers": [o["id"] for o in insp.officers],
            "rule_ids": insp.rule_ids,
            "policy_version": insp.policy_version,
            "joint_group_id": insp.joint_group_id,
        },
    )
    return insp


def create_inspection(ctx: Context, data: dict[str, Any], *, internal: bool = False) -> Inspection:
    d = parse_draft(ctx, data, internal=internal)
    return create_from_draft(ctx, d, run_checks(ctx, d))


def get_inspection(inspection_id: Any) -> Inspection:
    return get(Inspection, inspection_id, "该检查")


def inspections(
    *,
    status: str | None = None,
    enterprise_id: int | None = None,
    after: int | None = None,
    limit: int = 50,
    count: bool = False,
) -> Page:
    stmt = select(Inspection)
    if status:
        stmt = stmt.where(Inspection.status == status)
    if enterprise_id:
        stmt = stmt.where(Inspection.enterprise_id == enterprise_id)
    return keyset_page(stmt, Inspection.id, after, limit, descending=True, count=count)


def cancel(ctx: Context, insp: Inspection, reason: str) -> Inspection:
    if insp.status in ("done", "cancelled"):
        raise ServiceError("该检查已结束，不能撤销", {"status": [insp.status]})
    before = insp.status
    insp.status = "cancelled"
    audit.record(
        ctx,
        "inspection.cancelled",
        object_type="inspection",
        object_id=insp.id,
        before={"status": before},
        after={"status": "cancelled", "reason": reason[:500]},
    )
    return insp


def year_of(d: date) -> int:
    return d.year

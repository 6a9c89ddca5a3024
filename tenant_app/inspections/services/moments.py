"""Every rule checked at the moment it bites, against the facts of that moment (issue 11).

A saved inspection is re-judged by the same pre-save checks (``checks.run_checks``) whenever a
rule can bite again: when it is approved (for its planned day), when it starts (for the day it
actually happens, the day of the context), and when it is moved to another day (``replan``). The
draft is rebuilt from the inspection with the facts as they are now: the officers' declared
conflicts (回避), the enterprise's listed status on that day (by the procedure's records), that
day's quiet periods and policy version, that year's cap, the self-inspection report it follows.

Approvals already given carry over to the new judgment when the new one asks for the same thing
(same rule id, same roles, same level); an approval of the day itself (``for_date``, SX-10
quiet period) carries over only to that same day. Whatever the new day requires and nobody has
approved yet is open again: ``start`` refuses (409) and names it, ``replan`` puts the inspection
back to "pending" so the approvers see it in their inbox.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tenant_app.audit import log as audit
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ServiceError
from tenant_app.inspections.services.checks import CheckReport, Draft, run_checks
from tenant_app.inspections.services.common import get, officer_pool, parse_date
from tenant_app.models import Campaign, Inspection


def draft_of(ctx: Context, insp: Inspection, on: date) -> Draft:
    """The inspection as a draft for day ``on``, with the facts as they stand now."""
    ids = sorted(int(o["id"]) for o in insp.officers or [])
    lead = None
    if insp.joint_group_id and insp.joint_group_id != insp.id:
        lead = get(Inspection, insp.joint_group_id, "合并的检查")
    return Draft(
        enterprise=insp.enterprise,
        mode=insp.mode,
        trigger=insp.trigger,
        planned_date=on,
        officers=officer_pool(ctx, ids) if ids else [],
        officer_ids=ids,
        campaign=get(Campaign, insp.campaign_id, "该专项行动") if insp.campaign_id else None,
        join_with=lead,
        data_source=insp.data_source,
        draw_id=insp.draw_id,
        request_id=insp.request_id,
        title=insp.title,
        self_report_id=insp.self_report_id,
        inspection_id=insp.id,
    )


def _key(r: dict[str, Any]) -> tuple[Any, ...]:
    return (r["rule_id"], tuple(sorted(r["any_of"])), r.get("level"), r.get("for_date"))


def carry_over(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The new requirements, each met if the same requirement was already met."""
    met = {_key(r): r["met_by"] for r in old or [] if r.get("met_by")}
    return [{**r, "met_by": met.get(_key(r))} for r in new]


def revalidate(
    ctx: Context, insp: Inspection, on: date
) -> tuple[CheckReport, list[dict[str, Any]]]:
    """The checks for day ``on`` and the requirements with the approvals that still hold."""
    report = run_checks(ctx, draft_of(ctx, insp, on))
    return report, carry_over(insp.requirements or [], report.requirements)


def refusal(report: CheckReport) -> ServiceError:
    from tenant_app.inspections.services.plans import refuse

    return refuse(report)


def store(
    ctx: Context,
    insp: Inspection,
    report: CheckReport,
    reqs: list[dict[str, Any]],
    moment: str,
) -> None:
    """Keep the judgment that now governs the inspection (its day, rules, version, approvals)."""
    insp.decision = {
        **report.to_dict(),
        "moment": moment,
        "judged_on": ctx.today.isoformat(),
        "previous": {
            "planned_date": insp.planned_date.isoformat(),
            "policy_version": insp.policy_version,
            "rule_ids": list(insp.rule_ids or []),
        },
    }
    insp.rule_ids = report.rule_ids
    insp.policy_version = report.policy_version
    insp.requirements = reqs
    insp.preconditions = report.preconditions
    insp.self_report_id = report.facts.get("self_inspection_report_id") or insp.self_report_id


def open_titles(reqs: list[dict[str, Any]]) -> list[str]:
    return [f"{r['rule_id']}：{r['title']}" for r in reqs if not r.get("met_by")]


def replan(ctx: Context, insp: Inspection, raw_date: Any, reason: str = "") -> Inspection:
    """Move an inspection not yet started to another day: judged again for that day; approvals
    that still hold are kept, what the new day adds must be approved (status back to pending)."""
    if insp.status not in ("pending", "approved"):
        raise Conflict("该检查已开始、结束或撤销，不能改期", {"status": [insp.status]})
    on = parse_date(raw_date, "planned_date")
    assert on is not None
    report, reqs = revalidate(ctx, insp, on)
    if not report.allowed:
        raise refusal(report)
    before = {
        "planned_date": insp.planned_date,
        "status": insp.status,
        "policy_version": insp.policy_version,
    }
    store(ctx, insp, report, reqs, "replan")
    insp.planned_date = on
    insp.status = "pending" if insp.mode == "on_site" and open_titles(reqs) else "approved"
    audit.record(
        ctx,
        "inspection.replanned",
        object_type="inspection",
        object_id=insp.id,
        before=before,
        after={
            "planned_date": on,
            "status": insp.status,
            "rule_ids": insp.rule_ids,
            "policy_version": insp.policy_version,
            "open_requirements": open_titles(reqs),
            "reason": reason.strip()[:500],
        },
    )
    return insp


__all__ = ["draft_of", "carry_over", "revalidate", "store", "replan", "open_titles"]

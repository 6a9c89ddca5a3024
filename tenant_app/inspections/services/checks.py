"""The pre-save checks of an inspection (SX-3, SX-4, SX-5, SX-10, XJ-S and the two-officer rule).

``run_checks(data)`` answers, before anything is saved, every question the issue lists, each as a
``Check`` (rule ids, facts, Chinese reason, blocking or not), plus the approval requirements.
What a rule forbids is ``blocking``: ``plans.create_inspection`` refuses to save it. The same
report is stored on the inspection (``Inspection.decision``) with the policy version used.

Cost: a handful of indexed queries, all on (tenant_id, enterprise_id, planned_date) for the
inspection counts, so the check stays flat at millions of inspections (tests/perf).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from policies import Policy
from policies.vocab import INSPECTION_CATEGORIES, LEVELS, TRIGGERS
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.inspections.services import campaigns as campaign_rules
from tenant_app.inspections.services import visits
from tenant_app.inspections.services.common import (
    cite,
    enterprise,
    get,
    officer_pool,
    parse_date,
    parse_int,
    policy_of,
    tenant_of,
)
from tenant_app.listing.services.listed_status import category_on
from tenant_app.models import (
    Campaign,
    Enterprise,
    Inspection,
    InspectionPlan,
    OfficerConflict,
    SelfInspectionReport,
    User,
)
from tenant_app.models.inspection import DEAD_STATUSES, MODES, OFF_SITE_SOURCES, REPORT_VISIT_NEEDED

# Inspections of the same enterprise within ±NEARBY_DAYS are offered for a joint visit
# (综合一次查, SX-3). The text sets no window: platform default, see docs/inspections.md.
NEARBY_DAYS = 15
# Beyond the two texts: on-site inspection by at least two officers holding enforcement
# certificates (《行政处罚法》第四十二条、第五十五条). Rule id used in decisions and docs/rules.md.
OFFICER_RULE = "LAW-2OFF"
MIN_ON_SITE_OFFICERS = 2
# A declared conflict of interest (回避) bars the officer from that enterprise in every inspection
# (《行政处罚法》第四十三条: 执法人员与案件有直接利害关系或者有其他关系可能影响公正执法的，应当回避).
RECUSAL_RULE = "LAW-RECUSAL"


@dataclass
class Check:
    key: str
    rule_ids: list[str]
    ok: bool | None  # None: information only
    blocking: bool
    text: str
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckReport:
    checks: list[Check]
    requirements: list[dict[str, Any]]
    preconditions: list[str]
    policy_version: str
    facts: dict[str, Any]
    nearby: list[dict[str, Any]]

    @property
    def allowed(self) -> bool:
        return not any(c.blocking for c in self.checks)

    @property
    def rule_ids(self) -> list[str]:
        return list(dict.fromkeys(r for c in self.checks for r in c.rule_ids if r))

    @property
    def refusals(self) -> list[str]:
        return [c.text for c in self.checks if c.blocking]

    def to_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "checks": [asdict(c) for c in self.checks],
            "requirements": self.requirements,
            "preconditions": self.preconditions,
            "policy_version": self.policy_version,
            "facts": self.facts,
            "nearby": self.nearby,
            "rule_ids": self.rule_ids,
        }


@dataclass
class Draft:
    """A validated inspection request (what the form or API sent)."""

    enterprise: Enterprise
    mode: str
    trigger: str
    planned_date: date
    officers: list[User]
    officer_ids: list[int]
    campaign: Campaign | None = None
    join_with: Inspection | None = None
    data_source: str | None = None
    draw_id: int | None = None
    request_id: int | None = None
    title: str = ""
    checklist_keys: list[str] | None = None
    # XJ-S: the reviewed self-inspection report the on-site visit follows up (one lead).
    self_report_id: int | None = None
    # Re-checking a saved inspection (approval, start, new date): left out of its own counts.
    inspection_id: int | None = None


def parse_draft(ctx: Context, data: dict[str, Any], *, internal: bool = False) -> Draft:
    """Validate the shape (fields); the rules are judged by ``run_checks``."""
    from tenant_app.inspections.services.common import ValidationFailed

    errors: dict[str, list[str]] = {}
    mode = str(data.get("mode") or "")
    trigger = str(data.get("trigger") or "")
    if mode not in MODES:
        errors["mode"] = ["请选择现场检查或非现场检查"]
    if trigger not in TRIGGERS:
        errors["trigger"] = ["请选择检查事由"]
    elif trigger == "random_draw" and not internal:
        draw_rule = policy_of(ctx).obligation("joint_inspection").rule_id
        errors["trigger"] = [
            "“双随机”检查由随机抽查生成，不能手工创建" + (f"（{draw_rule}）" if draw_rule else "")
        ]
    source = data.get("data_source") or None
    if source is not None and source not in OFF_SITE_SOURCES:
        errors["data_source"] = ["未知的非现场数据来源"]
    raw_ids = data.get("officer_ids") or []
    if isinstance(raw_ids, str):
        raw_ids = [x for x in raw_ids.replace("，", ",").split(",") if x.strip()]
    try:
        officer_ids = sorted({int(x) for x in raw_ids})
    except (TypeError, ValueError):
        officer_ids = []
        errors["officer_ids"] = ["执法人员编号有误"]
    if errors:
        raise ValidationFailed("提交的内容有误", errors)
    ent = enterprise(parse_int(data.get("enterprise_id"), "enterprise_id"))
    planned = parse_date(data.get("planned_date"), "planned_date")
    assert planned is not None
    campaign = None
    if data.get("campaign_id") not in (None, ""):
        campaign = get(Campaign, data.get("campaign_id"), "该专项行动")
    join_with = None
    if data.get("join_with") not in (None, ""):
        join_with = get(Inspection, data.get("join_with"), "要合并的检查")
        planned = join_with.planned_date  # a joint inspection is one visit on one day
    officers = officer_pool(ctx, officer_ids) if officer_ids else []
    self_report_id = parse_int(data.get("self_report_id"), "self_report_id", required=False)
    keys = data.get("checklist_keys")
    if isinstance(keys, str):
        keys = [k for k in keys.split(",") if k]
    return Draft(
        ent,
        mode,
        trigger,
        planned,
        officers,
        officer_ids,
        campaign,
        join_with,
        source,
        data.get("draw_id"),
        data.get("request_id"),
        str(data.get("title") or "")[:200],
        keys,
        self_report_id,
    )


def conflicts_of(enterprise_id: int, officer_ids: list[int]) -> list[OfficerConflict]:
    """Declared conflicts (回避) of these officers with this enterprise, as recorded now."""
    if not officer_ids:
        return []
    return list(
        db.session.execute(
            select(OfficerConflict)
            .where(
                OfficerConflict.enterprise_id == enterprise_id,
                OfficerConflict.user_id.in_(officer_ids),
            )
            .order_by(OfficerConflict.user_id)
        ).scalars()
    )


def _recusal_check(d: Draft) -> Check:
    rows = conflicts_of(d.enterprise.id, [u.id for u in d.officers])
    names = {u.id: u.display_name for u in d.officers}
    facts = {
        "conflicts": [
            {
                "officer_id": c.user_id,
                "name": names.get(c.user_id, ""),
                "declared_at": c.declared_at.isoformat() if c.declared_at else None,
                "reason": c.reason,
            }
            for c in rows
        ]
    }
    if rows:
        who = "、".join(names.get(c.user_id, str(c.user_id)) for c in rows)
        return Check(
            "recusal",
            [RECUSAL_RULE],
            False,
            True,
            f"执法人员{who}已申报与该企业存在利害关系（回避），不得参加对该企业的检查，请另行指派。",
            facts,
        )
    return Check(
        "recusal", [RECUSAL_RULE], True, False, "所派执法人员均未申报与该企业的回避关系。", facts
    )


def _date_check(d: Draft, policy: Policy, level: str, now: date) -> Check | None:
    """A visit is approved before it happens (SX-5 审批 before 实施; XJ-S 同意后): it cannot be
    planned for a day already past (``now``, the day of the act). Off-site checks record work
    on data and may be dated back."""
    if d.mode != "on_site":
        return None
    rid = policy.approval_by_level(level).rule_id
    facts = {"planned_date": d.planned_date.isoformat(), "today": now.isoformat()}
    if d.planned_date < now:
        return Check(
            "date",
            [rid],
            False,
            True,
            cite(
                rid,
                f"入企检查须事先审批，检查日期 {d.planned_date.isoformat()} 已过（今天 {now.isoformat()}），不能安排在过去。",
            ),
            facts,
        )
    return None


def _officers_check(d: Draft) -> Check:
    found = {u.id for u in d.officers}
    unknown = [i for i in d.officer_ids if i not in found]
    no_cert = [u.display_name for u in d.officers if not (u.certificate_no or "").strip()]
    facts = {
        "officers": [
            {"id": u.id, "name": u.display_name, "certificate_no": u.certificate_no}
            for u in d.officers
        ],
        "unknown_ids": unknown,
    }
    if unknown:
        return Check(
            "officers",
            [OFFICER_RULE],
            False,
            True,
            f"执法人员编号 {unknown} 不是本机构在岗执法人员。",
            facts,
        )
    if d.mode == "on_site":
        if len(d.officers) < MIN_ON_SITE_OFFICERS:
            return Check(
                "officers",
                [OFFICER_RULE],
                False,
                True,
                f"现场检查须由至少{MIN_ON_SITE_OFFICERS}名持执法证件的执法人员进行（已选{len(d.officers)}名）。",
                facts,
            )
        if no_cert:
            return Check(
                "officers",
                [OFFICER_RULE],
                False,
                True,
                f"执法人员{'、'.join(no_cert)}未登记执法证件号，不能参加现场检查。",
                facts,
            )
    elif not d.officers:
        return Check("officers", [OFFICER_RULE], False, True, "请至少指定一名执法人员。", facts)
    return Check(
        "officers",
        [OFFICER_RULE],
        True,
        False,
        f"执法人员{len(d.officers)}名，均持执法证件。",
        facts,
    )


def plan_of_year(year: int) -> InspectionPlan | None:
    return db.session.execute(
        select(InspectionPlan).where(
            InspectionPlan.year == year, InspectionPlan.status.in_(("approved", "published"))
        )
    ).scalar_one_or_none()


def on_site_count(
    enterprise_id: int, year: int, exempt: list[str], exclude_id: int | None = None
) -> int:
    """On-site visits this year that the cap counts, as the enterprise experiences them: by every
    level (province, city, county: same credit code) and department, exempt triggers, refused and
    cancelled ones left out; a joint inspection (综合一次查) counts once (visits.count_on_site)."""
    uscc = db.session.execute(
        select(Enterprise.uscc).where(Enterprise.id == enterprise_id)
    ).scalar_one()
    return visits.count_on_site(uscc, year, exempt, exclude_id)


def _cap_check(d: Draft, policy: Policy, category: str) -> Check:
    year = d.planned_date.year
    cap_decision = policy.inspection_cap(category)
    exempt = list(cap_decision.details["exempt_triggers"])
    rid = cap_decision.rule_id
    plan = plan_of_year(year)
    cap, source = cap_decision.answer, "政策包/本级政策覆盖"
    if plan is not None and category in (plan.caps or {}):
        cap, source = int(plan.caps[category]), f"{year}年度检查计划"
    done = on_site_count(d.enterprise.id, year, exempt, exclude_id=d.inspection_id)
    facts = {
        "category": category,
        "cap": cap,
        "cap_source": source,
        "done_this_year": done,
        "trigger": d.trigger,
        "exempt_triggers": exempt,
        "plan_id": plan.id if plan else None,
    }
    if d.mode != "on_site":
        return Check(
            "cap",
            [rid],
            None,
            False,
            f"{rid}：非现场检查不计入现场检查频次（本年已现场检查{done}次）。",
            facts,
        )
    if policy.cap_exempt(d.trigger):
        return Check(
            "cap",
            [rid],
            True,
            False,
            f"{rid}：{TRIGGERS[d.trigger]}不受频次上限限制（本年计入上限的现场检查{done}次）。",
            facts,
        )
    if d.join_with is not None and d.join_with.mode == "on_site":
        return Check(
            "cap", [rid], True, False, f"{rid}：并入已有检查（综合一次查），不增加入企次数。", facts
        )
    if cap is None:
        return Check(
            "cap", [rid], True, False, f"{rid}：该类企业未设频次上限（本年已检查{done}次）。", facts
        )
    ok = done < cap
    text = (
        f"{rid}：{INSPECTION_CATEGORIES.get(category, category)}每年现场检查不超过{cap}次（{source}），本年各层级、各部门已计{done}次，"
        + (
            "未达上限。"
            if ok
            else "已达上限，不得再安排计划内现场检查（投诉举报、交办、数据线索、企业申请等不受限）。"
        )
    )
    return Check("cap", [rid], ok, not ok, text, facts)


def _quiet_check(d: Draft, policy: Policy, category: str) -> tuple[Check, bool]:
    q = policy.quiet_period(d.planned_date, d.enterprise.industry_code, category)
    inside = bool(q.answer) and d.mode == "on_site"
    rid = q.rule_id
    if not q.answer:
        return Check(
            "quiet", [rid] if rid else [], None, False, q.explanation, q.to_dict()["facts"]
        ), False
    if d.mode != "on_site":
        return Check(
            "quiet", [rid], None, False, q.explanation + "（非现场检查不受安静期限制）", q.details
        ), False
    return Check(
        "quiet", [rid], True, False, q.explanation, {**q.to_dict()["facts"], **q.details}
    ), inside


def open_leads(
    enterprise_id: int, exclude_inspection: int | None = None
) -> list[SelfInspectionReport]:
    """XJ-S: reviewed reports of this enterprise that found a visit still needed for their lead
    and that no live inspection follows up yet (one report, one lead, one visit)."""
    used = select(Inspection.self_report_id).where(
        Inspection.enterprise_id == enterprise_id,
        Inspection.self_report_id.is_not(None),
        Inspection.status.not_in(DEAD_STATUSES),
    )
    if exclude_inspection is not None:
        used = used.where(Inspection.id != exclude_inspection)
    return list(
        db.session.execute(
            select(SelfInspectionReport)
            .where(
                SelfInspectionReport.enterprise_id == enterprise_id,
                SelfInspectionReport.status == REPORT_VISIT_NEEDED,
                SelfInspectionReport.anomaly_record_id.is_not(None),
                SelfInspectionReport.id.not_in(used),
            )
            .order_by(SelfInspectionReport.id)
        ).scalars()
    )


def reviewed_report(d: Draft) -> tuple[SelfInspectionReport | None, str]:
    """XJ-S: the report named by the draft, if it unlocks this visit; else (None, why not)."""
    if d.self_report_id is None:
        leads = open_leads(d.enterprise.id, d.inspection_id)
        hint = (
            "请选择本次现场检查所针对的自查报告（" + "、".join(f"#{r.id}" for r in leads) + "）。"
            if leads
            else ""
        )
        return None, hint
    r = db.session.execute(
        select(SelfInspectionReport).where(
            SelfInspectionReport.id == d.self_report_id,
            SelfInspectionReport.enterprise_id == d.enterprise.id,
        )
    ).scalar_one_or_none()
    if r is None:
        return None, f"自查报告 #{d.self_report_id} 不是该企业的报告。"
    if r.status != REPORT_VISIT_NEEDED:
        return None, f"自查报告 #{r.id} 的审核结论不是“仍需现场核实”（{r.status_label}）。"
    if r.id not in {x.id for x in open_leads(d.enterprise.id, d.inspection_id)}:
        return None, f"自查报告 #{r.id} 所答复的线索已有现场检查跟进，一份报告只对应一次现场核实。"
    return r, ""


def _nearby(d: Draft) -> list[dict[str, Any]]:
    lo, hi = (
        d.planned_date - timedelta(days=NEARBY_DAYS),
        d.planned_date + timedelta(days=NEARBY_DAYS),
    )
    rows = db.session.execute(
        select(Inspection)
        .where(
            Inspection.enterprise_id == d.enterprise.id,
            Inspection.planned_date >= lo,
            Inspection.planned_date <= hi,
            Inspection.status.not_in(DEAD_STATUSES),
            Inspection.id != (d.inspection_id or 0),
        )
        .order_by(Inspection.planned_date, Inspection.id)
        .limit(20)
    ).scalars()
    return [
        {
            "id": i.id,
            "planned_date": i.planned_date.isoformat(),
            "mode": i.mode,
            "trigger": i.trigger,
            "status": i.status,
            "joint_group_id": i.joint_group_id,
        }
        for i in rows
    ]


def run_checks(ctx: Context, d: Draft, policy: Policy | None = None) -> CheckReport:
    """``policy``: judge under this policy instead of the one in force on the planned day (the
    policy page's preview of a change not yet saved, tenant_app/policy/services/preview.py)."""
    tenant = tenant_of(ctx)
    policy = policy or policy_of(ctx, d.planned_date)
    # Every fact is taken on the day of the visit (issue 11): listed status by the procedure's
    # records on that day, quiet periods and caps of that day's policy and year.
    category, listed_status = category_on(d.enterprise, d.planned_date)
    listed = listed_status.listed
    checks: list[Check] = []
    past = _date_check(d, policy, tenant.level, ctx.today)
    if past is not None:
        checks.append(past)
    checks += [_officers_check(d), _recusal_check(d)]
    off_site_rule = policy.obligation("non_site").rule_id  # SX-8: off-site checks
    if d.mode == "off_site" and d.data_source is None:
        checks.append(
            Check(
                "data_source",
                [off_site_rule] if off_site_rule else [],
                None,
                False,
                cite(off_site_rule, "非现场检查请在完成时注明数据来源。"),
            )
        )
    checks.append(_cap_check(d, policy, category))
    quiet, in_quiet = _quiet_check(d, policy, category)
    checks.append(quiet)
    if d.trigger == "special_campaign" or d.campaign is not None:
        checks.append(
            campaign_rules.campaign_check(d.campaign, d.enterprise, d.planned_date, policy)
        )
    report, report_note = (
        reviewed_report(d) if listed and d.trigger == "monitoring_anomaly" else (None, "")
    )
    route = policy.approval_route(
        tenant.level,
        in_quiet_period=in_quiet,
        listed=listed,
        trigger=d.trigger,
        on_site=d.mode == "on_site",
        self_inspection_reviewed=report is not None,
    )
    route_facts = {
        **route.to_dict()["facts"],
        **listed_status.facts(),
        "self_inspection_report_id": report.id if report else None,
        "lead_record_id": report.anomaly_record_id if report else None,
    }
    requirements: list[dict[str, Any]] = []
    preconditions: list[str] = []
    if not route.answer:
        checks.append(
            Check(
                "listed" if listed else "route",
                list(route.rule_ids) or [route.rule_id],
                False,
                True,
                route.explanation + (report_note and "\n" + report_note),
                route_facts,
            )
        )
    else:
        if listed:
            sup_rid = policy.listed_supervision().rule_id
            checks.append(
                Check(
                    "listed",
                    [sup_rid] if sup_rid else [],
                    True,
                    False,
                    cite(
                        sup_rid,
                        f"{listed_status.text()}{TRIGGERS[d.trigger]}，{MODES[d.mode]}可以开展。",
                    ),
                    route_facts,
                )
            )
        reqs = route.details.get("requirements") or []
        preconditions = list(route.details.get("preconditions") or [])
        if d.mode == "on_site":
            requirements = [
                {
                    "rule_id": r.rule_id,
                    "any_of": list(r.any_of),
                    "title": r.title,
                    "level": r.level,
                    "for_date": d.planned_date.isoformat() if r.date_bound else None,
                    "met_by": None,
                }
                for r in reqs
            ]
            text = route.explanation
        else:
            # SX-8: a non-on-site check does not enter the enterprise, so no entry approval.
            text = "非现场检查不入企，无须入企检查审批" + (
                f"（{off_site_rule}）。" if off_site_rule else "。"
            )
        checks.append(
            Check(
                "approval",
                list(route.rule_ids),
                None,
                False,
                text,
                {
                    **route_facts,
                    "single_approver_roles": route.details.get("single_approver_roles"),
                },
            )
        )
    nearby = _nearby(d)
    others = visits.nearby_other_levels(ctx, d.enterprise.uscc, d.planned_date, NEARBY_DAYS)
    # 综合一次查 (SX-3): the pack's rule against repeated visits, when it has one.
    joint_rule = policy.obligation("joint_inspection").rule_id
    if others:
        listed_others = "；".join(
            f"{o['date']} {o['agency']}{'' if o['department'] == '生态环境部门' else o['department']}"
            f"{o['mode_label']}"
            for o in others
        )
        checks.append(
            Check(
                "levels",
                [joint_rule] if joint_rule else [],
                None,
                False,
                cite(
                    joint_rule,
                    f"同一企业（统一社会信用代码 {d.enterprise.uscc}）在前后{NEARBY_DAYS}日内另有"
                    f"其他层级或部门的检查：{listed_others}。请协调“综合一次查”，避免重复入企。",
                ),
                {"visits": others},
            )
        )
    if nearby:
        checks.append(
            Check(
                "nearby",
                [joint_rule] if joint_rule else [],
                None,
                False,
                cite(
                    joint_rule,
                    f"该企业在前后{NEARBY_DAYS}日内已有{len(nearby)}项检查，可合并为“综合一次查”，避免重复入企。",
                ),
                {"inspections": [n["id"] for n in nearby]},
            )
        )
    facts = {
        "tenant_level": tenant.level,
        "tenant_level_label": LEVELS.get(tenant.level, tenant.level),
        "category": category,
        "listed": listed,
        **listed_status.facts(),
        "industry_code": d.enterprise.industry_code,
        "planned_date": d.planned_date.isoformat(),
        "mode": d.mode,
        "trigger": d.trigger,
        "enterprise_id": d.enterprise.id,
        "in_quiet_period": in_quiet,
        "self_inspection_report_id": report.id if report else None,
        "lead_record_id": report.anomaly_record_id if report else None,
        "officer_ids": d.officer_ids,
        "inspection_id": d.inspection_id,
        "join_with": d.join_with.id if d.join_with else None,
        "other_levels_nearby": len(others),
    }
    return CheckReport(checks, requirements, preconditions, str(policy.version_id), facts, nearby)


def preview(ctx: Context, data: dict[str, Any]) -> CheckReport:
    return run_checks(ctx, parse_draft(ctx, data))


__all__ = [
    "Check",
    "CheckReport",
    "Draft",
    "parse_draft",
    "run_checks",
    "preview",
    "on_site_count",
    "plan_of_year",
    "reviewed_report",
    "open_leads",
    "conflicts_of",
    "NEARBY_DAYS",
    "RECUSAL_RULE",
    "OFFICER_RULE",
]

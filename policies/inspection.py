"""Inspection questions: approval route (SX-5, SX-10, XJ-S), quiet periods (SX-10), caps (SX-3)."""

from __future__ import annotations

import calendar as _stdcal
from datetime import date
from typing import Any

from .decision import ApprovalRequirement, Decision
from .vocab import INSPECTION_CATEGORIES, LEVELS, ROLES, TRIGGERS, industry_matches


def _roles(names: list[str] | tuple[str, ...]) -> str:
    return "或".join(ROLES[n] for n in names)


def _refuse(rule_id: str, reason: str, used: dict[str, Any], version: str | int | None) -> Decision:
    return Decision(False, rule_id, used, version, reason, rule_ids=(rule_id,) if rule_id else ())


def _listed_on_site(
    sup: dict[str, Any], trigger: str, reviewed: bool
) -> tuple[str | None, list[ApprovalRequirement], list[str]]:
    """(refusal or None, requirements, preconditions) for an on-site check of a listed enterprise."""
    rid = sup["rule_id"]
    approvers = tuple(sup["on_site_approvers"])
    if trigger in sup["on_site_triggers"]:
        title = f"正面清单企业因{TRIGGERS[trigger]}现场检查，经{_roles(approvers)}同意"
        return None, [ApprovalRequirement(rid, approvers, title)], []
    if trigger in sup["anomaly_triggers"]:
        if sup["anomaly_requires_reviewed_self_inspection"] and not reviewed:
            return (
                (
                    f"{rid}：{TRIGGERS[trigger]}的线索，应先由企业自查并提交书面报告和证明材料，"
                    "经审核后认为仍需现场核实的，方可报批现场检查。"
                ),
                [],
                [],
            )
        title = f"企业自查报告经审核后仍需现场核实，经{_roles(approvers)}同意"
        return (
            None,
            [ApprovalRequirement(rid, approvers, title)],
            ["self_inspection_report_reviewed"],
        )
    if trigger == "joint":
        pre = ["prior_notice_to_enterprise"] if sup["joint_requires_prior_notice"] else []
        return None, [], pre
    if trigger == "random_draw" and sup["random_draw_mode"] == "off_site":
        return f"{rid}：正面清单企业纳入“双随机”抽查，但以非现场方式检查。", [], []
    if trigger == "special_campaign" and sup["special_campaign_mode"] == "off_site":
        return f"{rid}：正面清单企业列入专项执法检查范围的，以非现场方式开展。", [], []
    if not sup["proactive_on_site"]:
        return (
            (
                f"{rid}：原则上不对正面清单企业主动进行现场检查（事由：{TRIGGERS[trigger]}）；"
                f"现场检查仅限{'、'.join(TRIGGERS[t] for t in sup['on_site_triggers'] + sup['anomaly_triggers'])}。"
            ),
            [],
            [],
        )
    return None, [], []


def approval_route(
    pack: dict[str, Any],
    version: str | int | None,
    level: str,
    *,
    in_quiet_period: bool,
    listed: bool,
    trigger: str,
    on_site: bool,
    self_inspection_reviewed: bool = False,
) -> Decision:
    used = {
        "level": level,
        "in_quiet_period": in_quiet_period,
        "listed": listed,
        "trigger": trigger,
        "on_site": on_site,
        "self_inspection_reviewed": self_inspection_reviewed,
    }
    insp = pack["inspection"]
    approval = insp["approval"]
    if level not in LEVELS or trigger not in TRIGGERS:
        return _refuse(
            approval["rule_id"], f"未知的层级“{level}”或检查事由“{trigger}”。", used, version
        )
    route = approval["levels"].get(level)
    if route is None:
        return _refuse(
            approval["rule_id"], f"本政策未规定{LEVELS[level]}入企检查的审批。", used, version
        )
    reqs = [ApprovalRequirement(approval["rule_id"], tuple(route["roles"]), route["title"], level)]
    pre: list[str] = []
    notes: list[str] = []
    if listed:
        sup = pack["supervision"]
        if on_site:
            refusal, more, more_pre = _listed_on_site(sup, trigger, self_inspection_reviewed)
            if refusal:
                return _refuse(sup["rule_id"], refusal, used, version)
            reqs += more
            pre += more_pre
        if sup["ledger_required"]:
            notes.append(f"{sup['rule_id']}：检查记入正面清单企业监督执法台账。")
    quiet = insp.get("quiet")
    if in_quiet_period and on_site and quiet:
        approvers = tuple(quiet["approvers"])
        reqs.append(
            ApprovalRequirement(
                quiet["rule_id"],
                approvers,
                f"企业安静期内现场检查，报请{_roles(approvers)}批准",
                level,
                date_bound=True,
            )
        )
    notes = [
        f"{r.rule_id}：{r.title}（{LEVELS[r.level] if r.level else '本级'}：{_roles(r.any_of)}之一）。"
        for r in reqs
    ] + notes
    common = set(reqs[0].any_of).intersection(*(r.any_of for r in reqs[1:]))
    if len(reqs) > 1:
        who = _roles(sorted(common)) if common else "无单一角色可同时满足，须分别审批"
        notes.append(f"须同时满足以上{len(reqs)}项审批；可一并满足的角色：{who}。")
    if pre:
        notes.append("前置条件：" + "、".join(pre) + "。")
    return Decision(
        True,
        reqs[-1].rule_id if len(reqs) > 1 else reqs[0].rule_id,
        used,
        version,
        "\n".join(notes),
        rule_ids=tuple(dict.fromkeys(r.rule_id for r in reqs)),
        details={
            "requirements": reqs,
            "preconditions": pre,
            "single_approver_roles": sorted(common),
        },
    )


def _period_applies(
    p: dict[str, Any], on: date, industry_code: str | None, category: str | None
) -> bool:
    if p["kind"] == "monthly":
        last = _stdcal.monthrange(on.year, on.month)[1]
        if not p["start_day"] <= on.day <= min(p["end_day"], last):
            return False
    elif not p["start"] <= on <= p["end"]:
        return False
    # Restrictions with the fact unknown: the quiet period is taken to apply (the cautious reading).
    if (
        p.get("industries")
        and industry_code
        and not any(industry_matches(industry_code, c) for c in p["industries"])
    ):
        return False
    return not (p.get("categories") and category and category not in p["categories"])


def quiet_period(
    pack: dict[str, Any],
    version: str | int | None,
    on: date,
    industry_code: str | None,
    category: str | None,
) -> Decision:
    used = {"on": on, "industry_code": industry_code, "category": category}
    quiet = pack["inspection"].get("quiet")
    if not quiet:
        return Decision(False, "", used, version, "本政策未设企业安静期。")
    hits = [
        p for p in quiet.get("periods") or [] if _period_applies(p, on, industry_code, category)
    ]
    rid = quiet["rule_id"]
    if not hits:
        return Decision(
            False,
            rid,
            used,
            version,
            f"{rid}：{on.isoformat()} 不在企业安静期内。",
            rule_ids=(rid,),
        )
    desc = "；".join(
        f"{p['id']}（每月{p['start_day']}日至{p['end_day']}日）"
        if p["kind"] == "monthly"
        else f"{p['id']}（{p['start'].isoformat()} 至 {p['end'].isoformat()}）"
        for p in hits
    )
    return Decision(
        True,
        rid,
        used,
        version,
        f"{rid}：{on.isoformat()} 在企业安静期内：{desc}；现场检查须报请{_roles(quiet['approvers'])}批准。",
        rule_ids=(rid,),
        details={"periods": [p["id"] for p in hits], "approvers": list(quiet["approvers"])},
    )


def inspection_cap(pack: dict[str, Any], version: str | int | None, category: str) -> Decision:
    caps = pack["inspection"]["caps"]
    rid = caps["rule_id"]
    cap = caps["per_year"].get(category)
    used = {"category": category}
    exempt = list(caps["exempt_triggers"])
    basis = "（平台默认值，由地区年度计划确定）" if caps["basis"] == "default" else ""
    if cap is None:
        return Decision(
            None,
            rid,
            used,
            version,
            f"{rid}：类别“{INSPECTION_CATEGORIES.get(category, category)}”未设频次上限。",
            rule_ids=(rid,),
            details={"exempt_triggers": exempt},
        )
    text = (
        f"{rid}：{INSPECTION_CATEGORIES.get(category, category)}每年现场检查不超过{cap}次{basis}；"
        f"{'、'.join(TRIGGERS[t] for t in exempt)}不受频次上限限制。"
    )
    return Decision(
        cap, rid, used, version, text, rule_ids=(rid,), details={"exempt_triggers": exempt}
    )

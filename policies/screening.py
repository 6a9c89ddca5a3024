"""Eligibility for the positive list: exclusions (XJ-X), bans (XJ-R), screening conditions
(XJ-C1..C7) and direct inclusion (XJ-D). Rule ids come from the pack, never from code."""

from __future__ import annotations

from datetime import date
from typing import Any

from .conditions import Months
from .decision import ConditionVerdict, ScreeningResult
from .facts import EnterpriseFacts
from .hooks import HookRegistry
from .vocab import RECORD_TYPES, industry_matches


def _verdicts(
    table: dict[str, Any], facts: EnterpriseFacts, on: date, cal: Months, hooks: HookRegistry
) -> tuple[ConditionVerdict, ...]:
    out = []
    for cid, params in table.items():
        try:
            kind = hooks.get("condition", params["kind"])
            passed, reason, records = kind().evaluate(params, facts, on, cal)
        except Exception as exc:  # a hook must never break a screening: judged "unknown"
            passed, reason, records = None, f"规则执行出错，无法判断：{exc}", ()
        out.append(
            ConditionVerdict(
                cid, params["rule_id"], params["title"], passed, reason, tuple(records)
            )
        )
    return tuple(out)


def exclusions_hit(pack: dict[str, Any], facts: EnterpriseFacts) -> tuple[dict[str, Any], ...]:
    """XJ-X as written: a designation tag on the enterprise, or an industry code the pack says
    decides on its own (``codes`` with ``code_basis``). ``review_codes`` never exclude."""
    section = pack["exclusions"]
    hits = []
    for xid, item in section["industries"].items():
        code = next(
            (c for c in item.get("codes") or [] if industry_matches(facts.industry_code, c)), None
        )
        tag = next((t for t in item.get("tags") or [] if t in facts.tags), None)
        if code or tag:
            hits.append(
                {
                    "id": xid,
                    "rule_id": section["rule_id"],
                    "title": item["title"],
                    "matched_code": code,
                    "matched_tag": tag,
                    "code_basis": item.get("code_basis") if code else None,
                    "separate_rules": bool(item.get("separate_rules")),
                }
            )
    return tuple(hits)


def exclusions_to_review(
    pack: dict[str, Any], facts: EnterpriseFacts
) -> tuple[dict[str, Any], ...]:
    """Exclusions an industry code makes plausible but does not decide (``review_codes``), for an
    enterprise without the designation: staff are asked to check and record the tag."""
    section = pack["exclusions"]
    out = []
    for xid, item in section["industries"].items():
        if any(t in facts.tags for t in item.get("tags") or []):
            continue
        code = next(
            (c for c in item.get("review_codes") or [] if industry_matches(facts.industry_code, c)),
            None,
        )
        if code:
            out.append(
                {
                    "id": xid,
                    "rule_id": section["rule_id"],
                    "title": item["title"],
                    "review_code": code,
                    "tags": list(item.get("tags") or []),
                }
            )
    return tuple(out)


def bans_in_force(
    pack: dict[str, Any], facts: EnterpriseFacts, on: date, cal: Months
) -> tuple[dict[str, Any], ...]:
    """Bans on re-inclusion (XJ-R): barred through ``until`` = the corresponding day ``years``
    after the decision/judgment date (the event day not counted; eligible again the day after)."""
    out = []
    for bid, ban in (pack["removal"].get("bans") or {}).items():
        for rec in facts.records(ban["record_type"]):
            if ban["only_malicious"] and not rec.malicious:
                continue
            until = cal.shift_months(rec.date, 12 * ban["years"])
            if rec.date <= on <= until:
                out.append(
                    {
                        "id": bid,
                        "rule_id": ban["rule_id"],
                        "title": ban["title"],
                        "record_type": ban["record_type"],
                        "record": rec.as_fact(),
                        "until": until,
                    }
                )
    return tuple(sorted(out, key=lambda b: b["until"], reverse=True))


def screen(
    pack: dict[str, Any],
    facts: EnterpriseFacts,
    on: date,
    cal: Months,
    hooks: HookRegistry,
    version: str | int | None,
) -> ScreeningResult:
    excluded = exclusions_hit(pack, facts)
    reviews = () if excluded else exclusions_to_review(pack, facts)
    bans = bans_in_force(pack, facts, on, cal)
    conditions = _verdicts(pack["screening"]["conditions"], facts, on, cal, hooks)
    direct_section = pack["direct_inclusion"]
    routes = _verdicts(direct_section.get("routes") or {}, facts, on, cal, hooks)
    all_pass = all(v.passed for v in conditions)
    direct = [r for r in routes if r.passed]
    barred_until = bans[0]["until"] if bans else None
    lines: list[str] = []
    rule_ids: list[str] = []

    if excluded:
        route, eligible, rule_id = "refused", False, excluded[0]["rule_id"]
        for x in excluded:
            how = (
                f"行业代码 {facts.industry_code} 属 {x['matched_code']}（{x['code_basis']}）"
                if x["matched_code"]
                else f"认定为 {x['matched_tag']}"
            )
            extra = "（按相关规定执行，不纳入本清单）" if x["separate_rules"] else ""
            lines.append(f"{x['rule_id']}：{x['title']}，不得纳入正面清单{extra}；依据：{how}。")
        rule_ids.append(rule_id)
    if bans:
        route, eligible = "refused", False
        rule_id = rule_ids[0] if rule_ids else bans[0]["rule_id"]
        for b in bans:
            lines.append(
                f"{b['rule_id']}：{RECORD_TYPES[b['record_type']]}（{b['record']['date']}）后"
                f"不得再次纳入，至 {b['until'].isoformat()} 止。"
            )
        rule_ids.append(bans[0]["rule_id"])
    if not excluded and not bans:
        if direct:
            # The text's own route (可以……直接纳入) names the enterprise even when it also meets
            # every screening condition: the label says so, the conditions are still reported.
            route, eligible, rule_id = "direct", True, direct_section["rule_id"]
            may = "可以" if direct_section["discretionary"] else "应当"
            also = f"；同时满足全部筛选条件（{pack['screening']['rule_id']}）" if all_pass else ""
            lines.append(
                f"{rule_id}：{'；'.join(r.title for r in direct)}，{may}直接纳入正面清单"
                f"{also}（仍须履行纳入程序）。"
            )
        elif all_pass:
            route, eligible, rule_id = "screening", True, pack["screening"]["rule_id"]
            lines.append(f"{rule_id}：筛选条件全部满足，可纳入正面清单（仍须履行纳入程序）。")
        else:
            route, eligible, rule_id = "screening", False, pack["screening"]["rule_id"]
            lines.append(f"{rule_id}：筛选条件未全部满足，不得纳入。")
    for x in reviews:
        lines.append(
            f"{x['rule_id']} 待核实：行业代码 {facts.industry_code} 属 {x['review_code']}，"
            f"是否为“{x['title']}”以认定标注为准（未标注，不据代码排除）。"
        )
    for v in conditions:
        mark = "满足" if v.passed else ("无法判断" if v.passed is None else "不满足")
        lines.append(f"{v.rule_id} {mark}：{v.reason}")
        rule_ids.append(v.rule_id)
    for r in direct:
        lines.append(f"{r.rule_id} 满足：{r.reason}")
        rule_ids.append(r.rule_id)

    used = {
        "on": on,
        "industry_code": facts.industry_code,
        "tags": sorted(facts.tags),
        "conditions": {v.id: {"passed": v.passed, "records": list(v.records)} for v in conditions},
        "direct_routes": {r.id: {"passed": r.passed, "records": list(r.records)} for r in routes},
        "exclusions_to_review": list(reviews),
    }
    return ScreeningResult(
        answer=eligible,
        rule_id=rule_id,
        facts=used,
        policy_version=version,
        explanation="\n".join(lines),
        rule_ids=tuple(dict.fromkeys(rule_ids)),
        conditions=conditions,
        direct_routes=routes,
        excluded_by=excluded,
        barred_until=barred_until,
        route=route,
        bans=bans,
    )

"""The discretion proposal for one violation (SX-12 裁量基准, SX-11/13, XJ-T/H, 行政处罚法第
二十八、三十二、三十三条): what outcome the system proposes, which outcomes and which fine range
lie within the proposal, and why, factor by factor, rule by rule.

Three policy answers are combined, each kept whole in the proposal:

- the benchmark (``Policy.discretion_benchmark``): the catalogue entry's statutory range, each
  recorded factor level's points and facts, the grade they reach;
- the region's treatment of the facts (``Policy.penalty_treatment``): severe (SX-11, XJ-H) moves
  the proposal to the heaviest grade with its reason; lenient (SX-13 no penalty, XJ-T no or
  reduced penalty) sets the outcome;
- national law on the same facts (``Policy.no_penalty_grounds``): 第三十三条 "shall" means no
  penalty (a serious violation of SX-11/XJ-H is not 轻微, so the severe treatment keeps the
  fine), "may" adds no penalty to what lies within the proposal.

A 第三十二条 circumstance (``mitigation`` on a factor level) keeps the proposal in the lowest
grade and lets it go below the statutory minimum (从轻或者减轻). Every decision orders
correction (第二十八条); a no-penalty outcome also needs the education record (第三十三条第三款).
"""

from __future__ import annotations

from typing import Any

from policies import Policy
from policies.vocab import CONSEQUENCES, VIOLATION_FLAGS
from tenant_app.core.errors import ValidationFailed

_GRADE_BASIS = {"default": "平台默认基准", "text": "地区文本"}


def _round(x: float) -> int:
    return int(round(x / 100.0)) * 100


def propose(
    policy: Policy,
    violation: str,
    levels: dict[str, str],
    list_entry: str = "",
    listed: bool = False,
) -> dict[str, Any]:
    """``listed``: the party is on the positive list on the day of the proposal — a fact a
    positive-list rule's treatment (XJ-T) names among its conditions."""
    bench = policy.discretion_benchmark(violation, levels)
    if bench.answer is None:
        raise ValidationFailed.field("violation_key", "违法行为目录中没有该项")
    b = bench.answer
    flags = set(b["flags"])
    if list_entry:
        flags.add("on_exemption_list")
    if listed:
        flags.add("listed")
    treat = policy.penalty_treatment(flags)
    # A treatment only the positive list gives: said, with its rule, when the facts match it
    # but the party is not listed (no region named: whatever the pack's conditions say).
    unlisted_line, unlisted_rule = "", ""
    if not listed:
        would = policy.penalty_treatment(flags | {"listed"})
        if would.details.get("treatment") != treat.details.get("treatment"):
            title = would.explanation.split("。")[0].split("：", 1)[-1]
            unlisted_rule = would.rule_id
            unlisted_line = (
                f"{would.rule_id}：所认定的情节符合“{title}”的其他条件，但该规定仅适用于"
                "正面清单企业，当事人在作出本建议之日不在正面清单上，不适用。"
            )
    lenient = policy.no_penalty_grounds(flags)
    correction = policy.case_rule("correction.order_correction")
    mitigation_rule = policy.case_rule("mitigation.lighter_circumstances")
    education = lenient.details["education"]

    grades = b["grades"]
    order = list(grades)
    grade = b["grade"]
    lines = [bench.explanation]
    rule_ids = [bench.rule_id]
    outcome, allowed = "fine", ["fine"]
    reduced_to: int | None = None  # a fine below the statutory minimum lies within the proposal
    if treat.answer == "heavier":
        grade = order[-1]
        lines.append(treat.explanation + f"建议在“{grades[grade]['title']}”档内裁量。")
        if lenient.answer:
            lines.append(
                "所认定的情节属于严重违法行为，不属于“违法行为轻微”，不适用"
                f"{'、'.join(lenient.rule_ids)}不予处罚的规定。"
            )
    else:
        if treat.answer == "no_penalty" or lenient.answer == "shall":
            outcome, allowed = "no_penalty", ["no_penalty"]
        elif treat.answer == "no_or_reduced":
            outcome, allowed = "no_penalty", ["no_penalty", "fine"]
            reduced_to = b["fine_min"]
        elif lenient.answer == "may":
            outcome, allowed = "no_penalty", ["no_penalty", "fine"]
        if treat.details.get("treatment"):
            lines.append(treat.explanation)
        if unlisted_line:
            lines.append(unlisted_line)
        if lenient.answer:
            lines.append(lenient.explanation)
        if b["mitigation"] and order and "fine" in allowed:
            grade = order[0]
            reduced_to = grades[grade]["fine_high"] if reduced_to is None else reduced_to
            lines.append(
                f"{mitigation_rule.rule_id}：有应当从轻或者减轻处罚的情形，建议在“"
                f"{grades[grade]['title']}”档内或者低于法定最低额裁量。"
            )
    if list_entry:
        list_rule = policy.case_rule("no_penalty.minor_violation_list")
        lines.insert(
            1,
            f"{bench.rule_id}、{list_rule.rule_id}：属于本地区轻微违法行为不予处罚事项清单所列事项"
            f"“{list_entry}”。",
        )
        rule_ids.append(list_rule.rule_id)
    rule_ids += [treat.rule_id, *treat.rule_ids, *lenient.rule_ids, unlisted_rule]
    if b["mitigation"] and treat.answer != "heavier" and "fine" in allowed:
        rule_ids.append(mitigation_rule.rule_id)

    if grade is not None and grade in grades:
        fine_low, fine_high = grades[grade]["fine_low"], grades[grade]["fine_high"]
    else:
        fine_low, fine_high = b["fine_min"], b["fine_max"]
    if reduced_to is not None:
        fine_low, fine_high = 0, max(reduced_to, 0)
    suggested = 0 if outcome == "no_penalty" else _round((fine_low + fine_high) / 2)
    if allowed == ["no_penalty"]:
        fine_low = fine_high = 0

    consequences = list(treat.details.get("consequences") or [])
    if "order_correction" not in consequences:
        consequences.insert(0, "order_correction")
    requires = ["correction_order"]
    if "no_penalty" in allowed:
        requires.append("education")
        if "education" not in consequences:
            consequences.append("education")
    rule_ids.append(correction.rule_id)
    if "no_penalty" in allowed:
        rule_ids.append(education["rule_id"])
    lines.append(
        f"{correction.rule_id}：处罚或者不予处罚，均须责令改正或者限期改正"
        + (
            f"；{education['rule_id']}：不予处罚的，须对当事人进行教育（免罚不免责）"
            if "no_penalty" in allowed
            else ""
        )
        + "。"
    )

    factors = []
    for row in b["factors"]:
        effect = f"{row['points']:+d}分" if row["points"] else "不加减分"
        facts = "、".join(VIOLATION_FLAGS.get(f, f) for f in row["flags"])
        factors.append(
            {
                **row,
                "effect": effect,
                "source": (
                    f"{bench.rule_id}·{bench.details.get('benchmark', '')}"
                    f"（{_GRADE_BASIS.get(row['basis'], row['basis'])}）"
                    + (f"；{mitigation_rule.rule_id}" if row["mitigation"] else "")
                ),
                "facts": facts,
            }
        )
    return {
        "violation": violation,
        "title": b["title"],
        "law": b["law"],
        "provision": b["provision"],
        "penalty_provision": b["penalty_provision"],
        "quote": b["quote"],
        "basis": b["basis"],
        "fine_min": b["fine_min"],
        "fine_max": b["fine_max"],
        "score": b["score"],
        "grade": grade,
        "grade_title": grades[grade]["title"] if grade in grades else "",
        "outcome": outcome,
        "allowed": allowed,
        "fine_low": fine_low,
        "fine_high": fine_high,
        "fine_suggested": suggested,
        "treatment": treat.answer,
        "treatment_rule_id": treat.rule_id,
        # which of the treatment's condition sets matched and the facts it used (XJ-T's three)
        "treatment_matched": treat.facts.get("matched"),
        "listed": listed,
        "no_penalty": lenient.answer,
        "list_entry": list_entry,
        "factors": factors,
        "flags": sorted(flags),
        "flag_titles": [VIOLATION_FLAGS.get(f, f) for f in sorted(flags)],
        "consequences": consequences,
        "consequence_titles": [CONSEQUENCES.get(c, c) for c in consequences],
        "requires": requires,
        "rule_ids": list(dict.fromkeys(r for r in rule_ids if r)),
        "lines": lines,
        "policy_version": str(policy.version_id or ""),
        "decisions": {
            "benchmark": bench.to_dict(),
            "treatment": treat.to_dict(),
            "no_penalty": lenient.to_dict(),
        },
    }


def within(proposal: dict[str, Any], outcome: str | None, fine: int | None) -> bool:
    """Whether an outcome (and fine) lies within the proposal: the outcome is one it allows and
    a fine lies in its range."""
    if outcome not in (proposal.get("allowed") or []):
        return False
    if outcome == "no_penalty":
        return True
    return fine is not None and proposal["fine_low"] <= fine <= proposal["fine_high"] and fine > 0

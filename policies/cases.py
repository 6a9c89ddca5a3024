"""Enforcement cases (issue 14): the violation catalogue, the discretion benchmark (SX-12: each
factor's level and points, the grade they reach, the share of the statutory range), the national
no-penalty rules read against a violation's facts (行政处罚法第三十三条) and the case periods
counted by the working-day calendar from the national layer (hearing window, decision limit,
service).

Pure functions of an effective pack; ``Policy`` (interface.py) wraps them. The treatments of
``discretion`` (SX-11/13, XJ-T/H) stay in discretion.py and are asked separately
(``Policy.penalty_treatment``), so that a case shows each rule that moved its proposal.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, Protocol

from .decision import Decision
from .national_layer import national_rule
from .vocab import VIOLATION_FLAGS

# 行政处罚法第三十三条 as facts (vocab.VIOLATION_FLAGS): the flags that make each national
# no-penalty rule apply. The rule's value says "shall" or "may" (a region may turn the first
# violation's "may" into "shall", national_layer.inherit).
NO_PENALTY_RULES: tuple[tuple[str, frozenset[str]], ...] = (
    ("no_penalty.no_fault", frozenset({"non_intentional"})),
    (
        "no_penalty.minor_corrected_no_harm",
        frozenset({"minor_harm", "corrected_promptly", "no_harm"}),
    ),
    (
        "no_penalty.first_violation",
        frozenset({"first_violation", "minor_harm", "corrected_promptly"}),
    ),
)
_STRENGTH = {"shall": 2, "may": 1}
_UNIT_ZH = {"workdays": "个工作日", "days": "日", "months": "个月", "years": "年"}
ROUND_TO = 100  # fines proposed in whole hundreds of yuan


class _Calendar(Protocol):
    def period_end(self, d: date, n: int, unit: str) -> Any: ...


def catalogue(pack: Mapping[str, Any], version: str | int | None) -> Decision:
    """The violations a case chooses from, the measures they allow, the benchmark's factors and
    grades, and the region's minor-violation list (SX-12/13, XJ-T)."""
    cases = pack.get("cases") or {}
    disc = pack.get("discretion") or {}
    answer = {
        "violations": {k: dict(v) for k, v in (cases.get("violations") or {}).items()},
        "measures": {k: dict(v) for k, v in (cases.get("measures") or {}).items()},
        "factors": {k: dict(v) for k, v in (disc.get("factors") or {}).items()},
        "grades": {k: dict(v) for k, v in (disc.get("grades") or {}).items()},
        "minor_violation_list": list(disc.get("minor_violation_list") or []),
        "benchmark": disc.get("benchmark", ""),
    }
    rid = str(cases.get("rule_id") or disc.get("rule_id") or "")
    text = (
        f"{rid}：违法行为{len(answer['violations'])}项，裁量因素{len(answer['factors'])}项，"
        f"按{answer['benchmark']}裁量。"
        if cases
        else "本政策没有违法行为目录。"
    )
    return Decision(answer, rid if cases else "", {}, version, text)


def _round_up(x: float) -> int:
    return int(math.ceil(x / ROUND_TO - 1e-9) * ROUND_TO)


def _round_down(x: float) -> int:
    return int(math.floor(x / ROUND_TO + 1e-9) * ROUND_TO)


def grade_range(low: int, high: int, share_from: float, share_to: float) -> tuple[int, int]:
    """The part of a statutory range [low, high] between two shares, in whole hundreds."""
    span = high - low
    lo = max(low, min(high, _round_up(low + span * share_from)))
    hi = max(lo, min(high, _round_down(low + span * share_to)))
    return lo, hi


def benchmark(
    pack: Mapping[str, Any],
    version: str | int | None,
    violation: str,
    levels: Mapping[str, str],
) -> Decision:
    """SX-12: each factor's recorded level (or the factor's default when none was recorded),
    its points, the facts (flags) it establishes and its source; the score, the grade it
    reaches and that grade's part of the statutory range. ``answer`` None for an unknown
    violation."""
    cases = pack.get("cases") or {}
    disc = pack["discretion"]
    entry = (cases.get("violations") or {}).get(violation)
    used: dict[str, Any] = {"violation": violation, "levels": dict(levels)}
    if entry is None:
        return Decision(None, "", used, version, f"违法行为目录中没有“{violation}”。")
    rule_id = str(disc["rule_id"])
    flags = set(entry.get("flags") or [])
    rows: list[dict[str, Any]] = []
    score = 0
    mitigation: list[str] = []
    for fid, factor in (disc.get("factors") or {}).items():
        level = levels.get(fid)
        defaulted = level not in factor["levels"]
        if defaulted:
            level = factor["default"]
        assert level is not None
        lv = factor["levels"][level]
        score += int(lv["points"])
        flags |= set(lv.get("flags") or [])
        if lv.get("mitigation"):
            mitigation.append(fid)
        rows.append(
            {
                "factor": fid,
                "title": factor["title"],
                "level": level,
                "level_title": lv["title"],
                "points": int(lv["points"]),
                "flags": list(lv.get("flags") or []),
                "mitigation": bool(lv.get("mitigation")),
                "defaulted": defaulted,
                "basis": factor["basis"],
            }
        )
    grades = disc.get("grades") or {}
    lo, hi = int(entry["fine_min"]), int(entry["fine_max"])
    ranges = {}
    for gid, g in grades.items():
        g_lo, g_hi = grade_range(lo, hi, float(g["share_from"]), float(g["share_to"]))
        ranges[gid] = {"title": g["title"], "fine_low": g_lo, "fine_high": g_hi}
    grade = next(
        (gid for gid, g in grades.items() if g.get("max_score") is None or score <= g["max_score"]),
        None,
    )
    answer = {
        "violation": violation,
        "title": entry["title"],
        "law": entry["law"],
        "provision": entry["provision"],
        "penalty_provision": entry["penalty_provision"],
        "quote": entry.get("quote", ""),
        "basis": entry["basis"],
        "fine_min": lo,
        "fine_max": hi,
        "intrinsic_flags": sorted(entry.get("flags") or []),
        "factors": rows,
        "score": score,
        "grade": grade,
        "grades": ranges,
        "flags": sorted(flags),
        "mitigation": mitigation,
    }
    text = (
        f"{rule_id}：{entry['law']}{entry['penalty_provision']}，罚款{lo}元至{hi}元。"
        f"按{disc['benchmark']}的裁量因素计{score}分"
    )
    if grade is not None:
        r = ranges[grade]
        text += f"，属“{r['title']}”档：{r['fine_low']}元至{r['fine_high']}元"
    return Decision(
        answer, rule_id, used, version, text + "。", details={"benchmark": disc["benchmark"]}
    )


def no_penalty_grounds(
    pack: Mapping[str, Any], version: str | int | None, flags: frozenset[str]
) -> Decision:
    """行政处罚法第三十三条 read against a violation's facts: ``answer`` "shall" (不予行政处罚),
    "may" (可以不予行政处罚) or None; each rule that holds with its article in ``details``, and
    the education duty (第三十三条第三款) that follows any no-penalty outcome."""
    matched = []
    for key, needs in NO_PENALTY_RULES:
        if needs <= flags:
            rule = national_rule(pack, key, version)
            if rule.answer in _STRENGTH:
                matched.append(
                    {
                        "key": key,
                        "rule_id": rule.rule_id,
                        "obligation": rule.answer,
                        "text": rule.explanation,
                        "facts": sorted(needs),
                    }
                )
    education = national_rule(pack, "no_penalty.education", version)
    used = {"flags": sorted(flags)}
    if not matched:
        return Decision(
            None,
            "",
            used,
            version,
            "不符合行政处罚法第三十三条不予处罚的情形。",
            details={"matched": [], "education": education.to_dict()},
        )
    best = max(matched, key=lambda m: _STRENGTH[m["obligation"]])
    ids = tuple(dict.fromkeys(m["rule_id"] for m in matched))
    why = "；".join(
        f"{m['text']}（情节：{'、'.join(VIOLATION_FLAGS[f] for f in m['facts'])}）" for m in matched
    )
    return Decision(
        best["obligation"],
        best["rule_id"],
        used,
        version,
        why,
        rule_ids=ids,
        details={"matched": matched, "education": education.to_dict()},
    )


def deadline(
    pack: Mapping[str, Any],
    version: str | int | None,
    calendar: _Calendar,
    key: str,
    event_date: date,
) -> Decision:
    """The last day of the national period ``key`` (e.g. ``hearing.request_days``: 5 working
    days, 第八十五条) counted from ``event_date``, which is not itself counted; a last day that
    is a rest day moves to the next working day (the calendar's period rules)."""
    rule = national_rule(pack, key, version)
    unit = rule.details.get("unit")
    used: dict[str, Any] = {"key": key, "event_date": event_date}
    if not isinstance(rule.answer, int) or unit not in _UNIT_ZH:
        return Decision(None, rule.rule_id, used, version, rule.explanation)
    ans = calendar.period_end(event_date, rule.answer, unit)
    text = (
        f"{rule.explanation.rstrip('。')}；自{event_date.isoformat()}（当日不计入）起算"
        f"{rule.answer}{_UNIT_ZH[unit]}，至{ans.value}"
    )
    if unit == "days" and ans.value != event_date + timedelta(days=rule.answer):
        text += "（期限届满日为休息日或法定节假日，顺延至其后的第一个工作日）"
    if ans.provisional:
        text += "（该年节假日安排未录入，仅按周末计算，结果为暂定）"
    used.update(n=rule.answer, unit=unit)
    return Decision(
        ans.value,
        rule.rule_id,
        used,
        version,
        text + "。",
        provisional=bool(ans.provisional),
        details={"source": rule.details.get("source", ""), "basis": rule.details.get("basis", "")},
    )

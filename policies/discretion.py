"""Discretion (SX-11/12/13, XJ-T/H): which treatment applies to a violation's facts.

A treatment applies when every flag of any one of its ``when_any`` sets is present; among the
treatments that apply, the highest ``priority`` wins (severe beats lenient). With none, the
benchmark applies (``standard``). ``discretion.always`` consequences (SX-14: 责令改正) are added.
"""

from __future__ import annotations

from typing import Any

from .decision import Decision
from .vocab import CONSEQUENCES, OUTCOMES, VIOLATION_FLAGS


def treatment(pack: dict[str, Any], version: str | int | None, flags: frozenset[str]) -> Decision:
    section = pack["discretion"]
    unknown = sorted(flags - set(VIOLATION_FLAGS))
    used: dict[str, Any] = {"flags": sorted(flags)}
    matches = []
    for tid, t in (section.get("treatments") or {}).items():
        for n, need in enumerate(t["when_any"], 1):
            if set(need) <= flags:
                matches.append((t["priority"], tid, t, need, n))
                break
    consequences = list(section.get("always") or [])
    if matches:
        _, tid, t, need, n = max(matches, key=lambda m: m[0])
        outcome, rule_id, title = t["outcome"], t["rule_id"], t["title"]
        consequences += [c for c in t.get("consequences") or [] if c not in consequences]
        why = "、".join(VIOLATION_FLAGS[f] for f in need)
        sets = len(t["when_any"])
        used["matched"] = {"treatment": tid, "flags": list(need), "set": n, "sets": sets}
        which = f"（符合第{n}组条件，共{sets}组）" if sets > 1 else ""
        text = f"{rule_id}：{title}。情节：{why}{which}。"
    else:
        outcome, rule_id, tid = "standard", section["rule_id"], None
        text = f"{rule_id}：按{section['benchmark']}裁量，同案同罚。"
    text += f"处理：{OUTCOMES[outcome]}"
    if consequences:
        text += "；并" + "、".join(CONSEQUENCES[c] for c in consequences)
    if outcome in ("standard", "heavier") and section["fine_deferral_allowed"]:
        text += "；当事人确有困难的，可依法批准延期、分期缴纳罚款"
    if unknown:
        text += f"（忽略未知情节：{', '.join(unknown)}）"
    return Decision(
        outcome,
        rule_id,
        used,
        version,
        text + "。",
        rule_ids=tuple(dict.fromkeys([rule_id, *(m[2]["rule_id"] for m in matches)])),
        details={
            "treatment": tid,
            "consequences": consequences,
            "minor_violation_list": list(section.get("minor_violation_list") or []),
            "coercive_measures_sparingly": section["coercive_measures_sparingly"],
        },
    )

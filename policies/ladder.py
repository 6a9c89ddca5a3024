"""SX-0 渐进式执法 (issue 15 item 4): the ladder of a pack and the next rung it proposes for a new
finding, from the enterprise's history and the violation's facts.

A violation with one of the pack's ``serious_flags`` (SX-11: 弄虚作假、偷排偷放、无证排污、超标超总量、
不正常运行治污设施、未落实重污染天气管控) goes straight to ``serious_rung``. Otherwise the proposal is
the proposable rung after the highest one the enterprise reached in the last ``lookback_years``
(the last rung repeats); with none reached, ``first_rung`` (a first minor finding: 教育引导).
Rungs that are not proposable (普法宣传, 监督整改) count as history and show the position but are
never proposed for a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .decision import Decision
from .vocab import VIOLATION_FLAGS


def ladder(pack: Mapping[str, Any], version: str | int | None) -> Decision:
    """The pack's rungs in order, ``[{id, title, proposable}]``; empty when it has none.
    ``details["lookback_years"]``: how many years of history count (3 when unset)."""
    enf = pack.get("enforcement")
    if not enf:
        return Decision(
            [], "", {}, version, "本政策未规定渐进式执法步骤。", details={"lookback_years": 3}
        )
    steps = [
        {"id": s["id"], "title": s["title"], "proposable": bool(s.get("proposable"))}
        for s in enf["ladder"]
    ]
    text = f"{enf['rule_id']}：" + "—".join(s["title"] for s in steps)
    if enf.get("basis") == "default":
        text += "（平台默认值）"
    return Decision(
        steps,
        enf["rule_id"],
        {},
        version,
        text,
        rule_ids=(enf["rule_id"],),
        details={"lookback_years": int(enf.get("lookback_years") or 3)},
    )


def proposal(
    pack: Mapping[str, Any],
    version: str | int | None,
    history: Mapping[str, int],
    flags: frozenset[str],
) -> Decision:
    """The next rung for a new finding: ``{id, title}`` with the reason; None without a ladder.

    ``history``: rung id -> how many such acts the enterprise had within the lookback."""
    enf = pack.get("enforcement")
    used: dict[str, Any] = {"history": dict(history), "flags": sorted(flags)}
    if not enf:
        return Decision(None, "", used, version, "本政策未规定渐进式执法阶梯，不作建议。")
    rid = enf["rule_id"]
    steps = list(enf["ladder"])
    titles = {s["id"]: s["title"] for s in steps}
    proposable = [s["id"] for s in steps if s.get("proposable")]
    years = int(enf.get("lookback_years") or 3)
    reached = [s["id"] for s in steps if history.get(s["id"])]
    position = reached[-1] if reached else None
    serious = [f for f in enf.get("serious_flags") or [] if f in flags]
    used.update(lookback_years=years, position=position, serious=serious)
    if serious and enf.get("serious_rung"):
        rung = enf["serious_rung"]
        why = "、".join(VIOLATION_FLAGS[f] for f in serious)
        text = f"{rid}：严重违法行为（{why}）依法从严，直接{titles[rung]}，不经前面的步骤。"
    else:
        done = [r for r in proposable if history.get(r)]
        if not done:
            rung = enf.get("first_rung") or proposable[0]
            text = (
                f"{rid}：该企业近{years}年没有"
                + "、".join(titles[r] for r in proposable)
                + f"的记录，本次为首次发现的一般违法行为，建议{titles[rung]}。"
            )
        else:
            top = done[-1]
            rung = proposable[min(proposable.index(top) + 1, len(proposable) - 1)]
            again = "（已是最后一级，再次适用）" if rung == top else ""
            text = (
                f"{rid}：该企业近{years}年已经历“{titles[top]}”{history[top]}次，"
                f"再次发现违法行为，建议进入下一步“{titles[rung]}”{again}。"
            )
    if history.get("education"):
        text += f"该企业近{years}年参加普法活动{history['education']}次。"
    return Decision(
        {"id": rung, "title": titles[rung]},
        rid,
        used,
        version,
        text,
        rule_ids=(rid,),
        details={"position": position, "position_title": titles.get(position or "", "")},
    )

"""The compact verdict both screening paths produce: what the tenant-wide table stores and
filters on, and what the equality test compares. Its route/rule logic is the one of
policies.screening.screen (exclusions win, then bans, then XJ-D, then C1..C7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from policies.decision import ScreeningResult
from policies.listing import ListingRuleIds
from tenant_app.models.listing import VERDICTS


@dataclass(slots=True)
class Verdict:
    enterprise_id: int
    verdict: str  # models.listing.VERDICTS
    answer: bool
    route: str  # screening | direct | refused
    rule_id: str
    conditions: dict[str, bool | None]
    direct: dict[str, bool | None]
    excluded_by: tuple[str, ...] = ()
    barred_until: date | None = None
    # per condition: (deciding record count, latest deciding record date) where records decide
    evidence: dict[str, tuple[int, Any]] = field(default_factory=dict)
    bans: tuple[dict[str, Any], ...] = ()

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(c for c, ok in self.conditions.items() if not ok)

    def key(self) -> tuple[Any, ...]:
        """What must be equal between the set-based and the one-enterprise path."""
        return (
            self.enterprise_id,
            self.verdict,
            self.answer,
            self.route,
            self.rule_id,
            tuple(sorted(self.conditions.items())),
            tuple(sorted(self.direct.items())),
            self.excluded_by,
            self.barred_until,
        )

    def decision(
        self, conditions: dict[str, dict[str, Any]], on: date, policy_version: str
    ) -> dict[str, Any]:
        """The stored Decision (rule id, facts, policy version, explanation) of a tenant run;
        ``conditions``: Policy.screening_conditions() of the policy the run screened under."""
        lines = [
            f"{self.rule_id}：{VERDICTS[self.verdict]}"
            + (f"，至 {self.barred_until.isoformat()} 止不得再次纳入" if self.barred_until else "")
        ]
        conds = {}
        for cid, ok in self.conditions.items():
            n, latest = self.evidence.get(cid, (0, None))
            mark = "满足" if ok else ("无法判断" if ok is None else "不满足")
            extra = f"（{n} 条记录，最近 {latest}）" if n else ""
            lines.append(f"{conditions[cid]['rule_id']} {mark}{extra}")
            conds[cid] = {
                "rule_id": conditions[cid]["rule_id"],
                "passed": ok,
                "records": n,
                "latest": str(latest) if latest else None,
            }
        return {
            "answer": self.answer,
            "verdict": self.verdict,
            "route": self.route,
            "rule_id": self.rule_id,
            "policy_version": policy_version,
            "on": on.isoformat(),
            "facts": {
                "conditions": conds,
                "direct_routes": self.direct,
                "excluded_by": list(self.excluded_by),
                "bans": [
                    {**b, "until": str(b["until"]), "record_date": str(b["record_date"])}
                    for b in self.bans
                ],
            },
            "barred_until": self.barred_until.isoformat() if self.barred_until else None,
            "explanation": "\n".join(lines),
        }


def _category(excluded: bool, barred: bool, route: str, answer: bool) -> str:
    if excluded:
        return "excluded"
    if barred:
        return "barred"
    if route == "direct":
        return "direct"
    return "eligible" if answer else "not_eligible"


def verdict_of(
    rules: ListingRuleIds,
    enterprise_id: int,
    on: date,
    excluded: tuple[dict[str, Any], ...],
    bans: list[tuple[date, str, str, date]],
    passed: dict[str, bool | None],
    routes: dict[str, bool | None],
    evidence: dict[str, tuple[int, Any]],
) -> Verdict:
    """``bans``: (until, ban id, rule id, record date) of bans in force; ``evidence``: per
    condition (deciding record count, latest date)."""
    if len(bans) > 1:
        bans = sorted(bans, key=lambda b: b[0], reverse=True)
    if excluded:
        route, answer, rule_id = "refused", False, excluded[0]["rule_id"]
    elif bans:
        route, answer, rule_id = "refused", False, bans[0][2]
    elif any(routes.values()):  # the text's direct route names it, C1..C7 met or not
        route, answer, rule_id = "direct", True, rules.direct_inclusion
    elif all(passed.values()):
        route, answer, rule_id = "screening", True, rules.screening
    else:
        route, answer, rule_id = "screening", False, rules.screening
    barred_until = bans[0][0] if bans else None
    return Verdict(
        enterprise_id=enterprise_id,
        verdict=_category(bool(excluded), bool(bans), route, answer),
        answer=answer,
        route=route,
        rule_id=rule_id,
        conditions=passed,
        direct=routes,
        excluded_by=tuple(x["id"] for x in excluded),
        barred_until=barred_until,
        evidence=evidence,
        bans=tuple({"id": b[1], "rule_id": b[2], "until": b[0], "record_date": b[3]} for b in bans),
    )


def from_result(enterprise_id: int, r: ScreeningResult) -> Verdict:
    """The one-enterprise path's ScreeningResult as a Verdict."""
    evidence = {}
    for v in r.conditions:
        dates = [
            x["date"] for x in v.records if isinstance(x, dict) and "date" in x and "type" in x
        ]
        if dates:
            evidence[v.id] = (len(dates), max(dates))
    return Verdict(
        enterprise_id=enterprise_id,
        verdict=_category(bool(r.excluded_by), bool(r.barred_until), r.route, bool(r.answer)),
        answer=bool(r.answer),
        route=r.route,
        rule_id=r.rule_id,
        conditions={v.id: v.passed for v in r.conditions},
        direct={v.id: v.passed for v in r.direct_routes},
        excluded_by=tuple(x["id"] for x in r.excluded_by),
        barred_until=r.barred_until,
        evidence=evidence,
    )

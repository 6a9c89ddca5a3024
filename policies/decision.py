"""What every policy question returns: an answer plus its explanation (rule, facts, version)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any


def _plain(value: Any) -> Any:
    """JSON-ready copy: dates as ISO strings, dataclasses/tuples/sets as dicts/lists."""
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    return value


@dataclass(frozen=True)
class Decision:
    """``answer`` to one question, decided by ``rule_id`` (and ``rule_ids`` when several rules
    combined) from ``facts`` under ``policy_version``; ``explanation`` is Chinese prose.
    ``provisional`` marks date answers computed without that year's holiday data."""

    answer: Any
    rule_id: str
    facts: dict[str, Any]
    policy_version: str | int | None
    explanation: str
    provisional: bool = False
    rule_ids: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """What the DB stores with a decision (JSON-serialisable)."""
        return _plain(self)


@dataclass(frozen=True)
class ApprovalRequirement:
    """One approval that must be obtained: any one of ``any_of`` roles, at ``level``."""

    rule_id: str
    any_of: tuple[str, ...]
    title: str
    level: str | None = None
    # True when the approval is of the day itself (SX-10: entering during a quiet period), so an
    # approval given for one day does not carry over to another.
    date_bound: bool = False


@dataclass(frozen=True)
class ConditionVerdict:
    """One screening condition (XJ-C1..C7) or direct-inclusion route (XJ-D).
    ``passed`` is None when the facts needed to judge it are missing (treated as not met)."""

    id: str
    rule_id: str
    title: str
    passed: bool | None
    reason: str
    records: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class ScreeningResult(Decision):
    """``answer`` is True when the enterprise may be listed on ``on`` (procedure XJ-P still applies)."""

    conditions: tuple[ConditionVerdict, ...] = ()
    direct_routes: tuple[ConditionVerdict, ...] = ()
    excluded_by: tuple[dict[str, Any], ...] = ()
    barred_until: date | None = None
    route: str = "screening"  # "screening" | "direct" | "refused"
    bans: tuple[dict[str, Any], ...] = ()  # XJ-R bans in force: id, rule_id, title, record, until

"""Built-in rule kinds for screening conditions (XJ-C1..C7) and direct-inclusion routes (XJ-D).

Each kind is a small class registered by name in ``hooks.REGISTRY`` under namespace
``condition``; a pack chooses it with ``kind = "..."`` and gives its parameters, which the kind's
``Params`` schema validates. A third province reuses these kinds with its own parameters.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Protocol

from .facts import EnterpriseFacts
from .hooks import REGISTRY
from .schema_fields import Bool, Int, Names, OneOf, RuleId, Str, StrictSchema
from .vocab import CREDIT_LISTS, INCIDENT_LEVELS, PERMIT_STATUSES, RECORD_TYPES


class Months(Protocol):
    def shift_months(self, d: date, n: int) -> date: ...


Outcome = tuple[bool | None, str, tuple[dict[str, Any], ...]]


class BaseParams(StrictSchema):
    rule_id = RuleId()
    kind = Str()
    title = Str()
    note = Str(required=False)


class ConditionKind:
    """Interface of a rule kind: ``evaluate`` returns (passed or None if unknown, reason, records)."""

    name: ClassVar[str]
    Params: ClassVar[type[StrictSchema]] = BaseParams

    def evaluate(
        self, params: dict[str, Any], facts: EnterpriseFacts, on: date, cal: Months
    ) -> Outcome:
        raise NotImplementedError


def register(cls: type[ConditionKind]) -> type[ConditionKind]:
    REGISTRY.register("condition", cls.name, cls)
    return cls


def in_lookback(record_date: date, on: date, months: int, cal: Months) -> bool:
    """A record counts while ``on`` is within ``months`` after it: the event day is not counted and
    the period ends on the corresponding day (so 12 months after 2024-05-10 is 2025-05-10, the
    last day the record still counts). Records dated after ``on`` are ignored."""
    return record_date <= on <= cal.shift_months(record_date, months)


@register
class NoRecordsWithin(ConditionKind):
    """No record of ``record_types`` within ``lookback_months`` (XJ-C1, C5, C6)."""

    name = "no_records_within"

    class Params(BaseParams):
        record_types = Names(RECORD_TYPES, "记录类型", min_len=1)
        lookback_months = Int(min=1, max=120)
        only_verified = Bool(required=False, load_default=False)
        min_incident_level = Str(required=False, validate=OneOf(("", *INCIDENT_LEVELS), "事件等级"))

    def evaluate(
        self, params: dict[str, Any], facts: EnterpriseFacts, on: date, cal: Months
    ) -> Outcome:
        months = params["lookback_months"]
        min_level = params.get("min_incident_level") or ""
        hits: list[dict[str, Any]] = []
        for rtype in params["record_types"]:
            for rec in facts.records(rtype):
                if params.get("only_verified") and rtype == "complaint" and not rec.verified:
                    continue
                if (
                    min_level
                    and rec.level
                    and INCIDENT_LEVELS.index(rec.level) < INCIDENT_LEVELS.index(min_level)
                ):
                    continue
                if in_lookback(rec.date, on, months, cal):
                    hits.append({"type": rtype, **rec.as_fact()})
        kinds = "、".join(RECORD_TYPES[t] for t in params["record_types"])
        if hits:
            dates = "、".join(h["date"] for h in hits)
            return False, f"近{months}个月内有{kinds}记录（{dates}）", tuple(hits)
        return True, f"截至 {on.isoformat()} 近{months}个月内无{kinds}记录", ()


@register
class PermitCompliant(ConditionKind):
    """Permit regime followed and procedures complete (XJ-C2)."""

    name = "permit_compliant"

    class Params(BaseParams):
        ok_statuses = Names(PERMIT_STATUSES, "许可状态", min_len=1)
        require_procedures_complete = Bool()

    def evaluate(
        self, params: dict[str, Any], facts: EnterpriseFacts, on: date, cal: Months
    ) -> Outcome:
        used = (
            {
                "permit_status": facts.permit_status,
                "procedures_complete": facts.procedures_complete,
            },
        )
        if facts.permit_status is None:
            return None, "缺少排污许可状态，无法判断", used
        if facts.permit_status not in params["ok_statuses"]:
            return (
                False,
                f"排污许可状态为“{PERMIT_STATUSES.get(facts.permit_status, facts.permit_status)}”",
                used,
            )
        if params["require_procedures_complete"]:
            if facts.procedures_complete is None:
                return None, "缺少环保手续是否齐全的信息，无法判断", used
            if not facts.procedures_complete:
                return False, "环保手续不齐全", used
        return True, "落实排污许可制度，环保手续齐全", used


@register
class FacilitiesCompliant(ConditionKind):
    """Facilities complete and running; main pollutants compliant unless no monitoring is needed (XJ-C3)."""

    name = "facilities_compliant"

    class Params(BaseParams):
        exempt_if_no_monitoring_needed = Bool()

    def evaluate(
        self, params: dict[str, Any], facts: EnterpriseFacts, on: date, cal: Months
    ) -> Outcome:
        used = (
            {
                "facilities_running": facts.facilities_running,
                "pollutants_compliant": facts.pollutants_compliant,
                "needs_monitoring": facts.needs_monitoring,
            },
        )
        if facts.facilities_running is None:
            return None, "缺少污染防治设施运行情况，无法判断", used
        if not facts.facilities_running:
            return False, "污染防治设施不齐备或未正常运行", used
        if params["exempt_if_no_monitoring_needed"] and not facts.needs_monitoring:
            return True, "设施正常运行；属无需监测的行业企业，不判断达标排放", used
        if facts.pollutants_compliant is None:
            return None, "缺少主要污染物达标排放信息，无法判断", used
        if not facts.pollutants_compliant:
            return False, "主要污染物未达标排放", used
        return True, "设施齐备正常运行，主要污染物达标排放", used


@register
class MonitoringNetworked(ConditionKind):
    """Online monitoring installed and networked where required (XJ-C4)."""

    name = "monitoring_networked"

    def evaluate(
        self, params: dict[str, Any], facts: EnterpriseFacts, on: date, cal: Months
    ) -> Outcome:
        used = (
            {
                "required": facts.online_monitoring_required,
                "installed": facts.online_monitoring_installed,
                "networked": facts.online_monitoring_networked,
            },
        )
        if not facts.online_monitoring_required:
            return True, "无须安装在线监控设备", used
        if not facts.online_monitoring_installed:
            return False, "应安装在线监控设备而未安装", used
        if not facts.online_monitoring_networked:
            return False, "在线监控设备未与生态环境部门联网", used
        return True, "已安装在线监控设备并联网", used


@register
class NotOnCreditList(ConditionKind):
    """Not on the listed credit lists on the date asked (XJ-C7)."""

    name = "not_on_credit_list"

    class Params(BaseParams):
        lists = Names(CREDIT_LISTS, "信用名单", min_len=1)

    def evaluate(
        self, params: dict[str, Any], facts: EnterpriseFacts, on: date, cal: Months
    ) -> Outcome:
        hits = tuple(
            {
                "list": e.list_name,
                "entered": e.entered.isoformat(),
                "exited": e.exited.isoformat() if e.exited else None,
            }
            for e in facts.credit_entries
            if e.list_name in params["lists"] and e.active_on(on)
        )
        if hits:
            names = "、".join(CREDIT_LISTS[str(h["list"])] for h in hits)
            return False, f"{on.isoformat()} 在{names}中", hits
        return True, "未被列入" + "或".join(CREDIT_LISTS[n] for n in params["lists"]), ()


@register
class RatingConsecutiveYears(ConditionKind):
    """Rated ``rating`` in ``years`` consecutive years, the latest no older than ``max_lag_years``
    before the year asked (XJ-D: 连续两年被评定为环保诚信企业)."""

    name = "rating_consecutive_years"

    class Params(BaseParams):
        rating = Str()
        years = Int(min=1, max=10)
        max_lag_years = Int(min=0, max=5)

    def evaluate(
        self, params: dict[str, Any], facts: EnterpriseFacts, on: date, cal: Months
    ) -> Outcome:
        rating, years = params["rating"], params["years"]
        for latest in range(on.year, on.year - params["max_lag_years"] - 1, -1):
            run = [latest - i for i in range(years)]
            if all(facts.integrity_ratings.get(y) == rating for y in run):
                used = tuple({"year": y, "rating": rating} for y in sorted(run))
                return True, f"{min(run)}–{max(run)} 年连续被评定为{rating}", used
        got = tuple({"year": y, "rating": r} for y, r in sorted(facts.integrity_ratings.items()))
        return False, f"无连续{years}年被评定为{rating}的记录", got


@register
class PerformanceGrade(ConditionKind):
    """Heavy-pollution-weather performance grade among ``grades`` (XJ-D: A 级)."""

    name = "performance_grade"

    class Params(BaseParams):
        grades = Names(("A", "B", "C", "D"), "绩效等级", min_len=1)

    def evaluate(
        self, params: dict[str, Any], facts: EnterpriseFacts, on: date, cal: Months
    ) -> Outcome:
        used = ({"performance_grade": facts.performance_grade},)
        if facts.performance_grade in params["grades"]:
            return True, f"重污染天气绩效分级为{facts.performance_grade}级", used
        return False, f"重污染天气绩效分级为{facts.performance_grade or '无'}", used

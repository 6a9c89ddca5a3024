"""Validate a whole year's holiday arrangement entered by a superadmin (e.g. 2027).

Accepted input (``parse_year_arrangement``):

* text, one day per line: ``2027-01-01 休`` / ``2027-02-07 班`` (also ``holiday`` / ``workday``,
  ``rest`` / ``work``); blank lines and ``#`` comments ignored;
* rows: an iterable of ``(date_or_iso_string, kind)`` pairs or ``{"date": ..., "kind": ...}``;
* a mapping ``{"holidays": [...], "workdays": [...]}``.

Errors are collected (all of them, not only the first) and raised as ``YearArrangementError``
with Chinese messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

_HOLIDAY_WORDS = {"休", "假", "holiday", "rest", "h"}
_WORKDAY_WORDS = {"班", "调休上班", "workday", "work", "w"}


class YearArrangementError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class YearArrangement:
    year: int
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    names: dict[date, str] = field(default_factory=dict, compare=False)  # e.g. 春节, 元旦

    def day_map(self) -> dict[date, bool]:
        """Every day of the year -> is it a working day (weekends rest unless a make-up day)."""
        out: dict[date, bool] = {}
        day = date(self.year, 1, 1)
        while day.year == self.year:
            if day in self.holidays:
                out[day] = False
            elif day in self.workdays:
                out[day] = True
            else:
                out[day] = day.weekday() < 5
            day += timedelta(days=1)
        return out


def _to_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def _rows(data: Any) -> Iterable[tuple[str, Any, Any, str]]:
    """Yield (where, raw_date, raw_kind, name); a text line may add a name: "2027-01-01 休 元旦"."""
    if isinstance(data, str):
        for no, line in enumerate(data.splitlines(), start=1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.replace(",", " ").replace("，", " ").split()
            if len(parts) < 2:
                yield f"第{no}行", line, None, ""
            else:
                yield f"第{no}行", parts[0], parts[1], " ".join(parts[2:])[:64]
    elif isinstance(data, Mapping):
        for key, kind in (("holidays", "holiday"), ("workdays", "workday")):
            for i, raw in enumerate(data.get(key) or []):
                yield f"{key}[{i}]", raw, kind, ""
        for key in set(data) - {"holidays", "workdays"}:
            yield f"{key}", key, "?unknown-key", ""
    else:
        for i, row in enumerate(data, start=1):
            if isinstance(row, Mapping):
                yield f"第{i}条", row.get("date"), row.get("kind"), str(row.get("name") or "")
            else:
                pair = tuple(row)
                yield (
                    f"第{i}条",
                    pair[0] if pair else None,
                    pair[1] if len(pair) > 1 else None,
                    str(pair[2]) if len(pair) > 2 else "",
                )


def parse_year_arrangement(data: Any, year: int | None = None) -> YearArrangement:
    """Validate one year's list of holidays and make-up working days; see module docstring."""
    errors: list[str] = []
    holidays: dict[date, str] = {}
    workdays: dict[date, str] = {}
    names: dict[date, str] = {}
    for where, raw_date, raw_kind, name in _rows(data):
        if raw_kind == "?unknown-key":
            errors.append(f"{where}：未知的键，只允许 holidays 与 workdays")
            continue
        if raw_kind is None:
            errors.append(f"{where}：格式应为“日期 类型”，例如“2027-01-01 休”")
            continue
        try:
            day = _to_date(raw_date)
        except (TypeError, ValueError):
            errors.append(f"{where}：“{raw_date}”不是有效日期（应为 YYYY-MM-DD）")
            continue
        kind = str(raw_kind).strip().lower()
        if year is None:
            year = day.year
        if day.year != year:
            errors.append(f"{where}：{day.isoformat()} 不在 {year} 年内")
            continue
        if kind in _HOLIDAY_WORDS:
            target, other, other_name = holidays, workdays, "调休上班日"
        elif kind in _WORKDAY_WORDS:
            target, other, other_name = workdays, holidays, "法定节假日"
        else:
            errors.append(f"{where}：未知类型“{raw_kind}”（应为 休/holiday 或 班/workday）")
            continue
        if day in other:
            errors.append(
                f"{where}：{day.isoformat()} 已在{other[day]}登记为{other_name}，不能同时是两者"
            )
            continue
        if day in target:
            errors.append(f"{where}：{day.isoformat()} 重复登记（首次在{target[day]}）")
            continue
        target[day] = where
        if name:
            names[day] = name
    if year is None and not errors:
        errors.append("没有任何日期：请至少录入该年的法定节假日")
    if errors:
        raise YearArrangementError(errors)
    assert year is not None
    return YearArrangement(year, frozenset(holidays), frozenset(workdays), names)

"""Working days and legal periods, pure Python (no database, no Flask).

Period rules (Civil Code arts. 200-204, see DESIGN.md "Time"):

* the day of the triggering event is not counted;
* "within N working days" ends on the N-th working day after the event day;
* a period in months/years ends on the corresponding day, or the month's last day if there is none;
* a period in calendar days/months/years whose last day is a rest day (weekend or statutory holiday;
  a make-up working day 调休 counts as working) ends on the next working day.

Day data comes, in order, from: a year entered by hand (superadmin calendar table), the
``chinese_calendar`` package (2004-2026 in 1.11), and otherwise weekends only -- such answers are
marked ``provisional``. No ``NotImplementedError`` ever reaches a caller.
"""

from __future__ import annotations

import calendar as _stdcal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

try:  # pragma: no cover - import guard only
    import chinese_calendar as _cc
except ImportError:  # pragma: no cover
    _cc = None

UNITS = ("workdays", "days", "months", "years")
# A search for the next working day never walks further than this (a guard, not a rule).
_MAX_SCAN_DAYS = 366


@dataclass(frozen=True)
class DateAnswer:
    """A date (or yes/no) answer; ``provisional`` when any day it relied on had no holiday data."""

    value: date | bool
    provisional: bool = False

    def __str__(self) -> str:
        text = self.value.isoformat() if isinstance(self.value, date) else str(self.value)
        return f"{text} provisional" if self.provisional else text

    def to_dict(self) -> dict[str, object]:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        return {"value": value, "provisional": self.provisional}


def shift_months(d: date, n: int) -> date:
    """The corresponding day ``n`` months later (earlier if negative); month's last day if none."""
    month_index = d.year * 12 + (d.month - 1) + n
    year, month = divmod(month_index, 12)
    month += 1
    last = _stdcal.monthrange(year, month)[1]
    return date(year, month, min(d.day, last))


class WorkCalendar:
    """Which days are working days, and period arithmetic on top of that.

    ``manual`` maps a year to ``{date: is_workday}``; ``entered_years`` lists the years whose manual
    data is complete (an entered year wins over ``chinese_calendar``; its days not in the mapping
    follow the weekend rule and are *not* provisional). By default every year in ``manual`` counts
    as entered. Manual days of a year that is not entered still win, but answers stay provisional
    unless ``chinese_calendar`` covers that year.
    """

    def __init__(
        self,
        manual: Mapping[int, Mapping[date, bool]] | None = None,
        entered_years: Iterable[int] | None = None,
        *,
        use_package: bool = True,
    ) -> None:
        self._manual: dict[int, dict[date, bool]] = {
            int(y): dict(days) for y, days in (manual or {}).items()
        }
        self._entered = (
            set(self._manual) if entered_years is None else {int(y) for y in entered_years}
        )
        self._use_package = use_package and _cc is not None
        self._package_years: dict[int, bool] = {}

    # -- day data ---------------------------------------------------------------------------
    def has_data(self, year: int) -> bool:
        """True when the year's arrangement is known (entered by hand or in chinese_calendar)."""
        return year in self._entered or self._package_covers(year)

    def _package_covers(self, year: int) -> bool:
        if not self._use_package:
            return False
        if year not in self._package_years:
            try:
                _cc.is_workday(date(year, 6, 1))
                self._package_years[year] = True
            except (NotImplementedError, ValueError, KeyError):
                self._package_years[year] = False
        return self._package_years[year]

    def _day(self, d: date) -> tuple[bool, bool]:
        """(is_workday, provisional) for one day."""
        manual = self._manual.get(d.year, {})
        if d in manual:
            return bool(manual[d]), not self.has_data(d.year)
        if d.year in self._entered:
            return d.weekday() < 5, False
        if self._package_covers(d.year):
            try:
                return bool(_cc.is_workday(d)), False
            except (NotImplementedError, ValueError, KeyError):  # pragma: no cover - defensive
                pass
        return d.weekday() < 5, True

    def is_workday(self, d: date) -> DateAnswer:
        workday, provisional = self._day(d)
        return DateAnswer(workday, provisional)

    def is_rest_day(self, d: date) -> DateAnswer:
        workday, provisional = self._day(d)
        return DateAnswer(not workday, provisional)

    # -- arithmetic ---------------------------------------------------------------------------
    def next_workday_on_or_after(self, d: date) -> DateAnswer:
        """``d`` itself if it is a working day, else the next working day (Civil Code art. 203)."""
        provisional = False
        day = d
        for _ in range(_MAX_SCAN_DAYS):
            workday, prov = self._day(day)
            provisional = provisional or prov
            if workday:
                return DateAnswer(day, provisional)
            day += timedelta(days=1)
        return DateAnswer(d, True)  # pragma: no cover - a year without working days

    def add_workdays(self, d: date, n: int) -> DateAnswer:
        """The n-th working day after ``d`` (``d`` itself not counted); n < 0 counts backwards."""
        if n == 0:
            return DateAnswer(d, self._day(d)[1])
        step = timedelta(days=1 if n > 0 else -1)
        remaining, day, provisional = abs(n), d, False
        while remaining:
            day += step
            workday, prov = self._day(day)
            provisional = provisional or prov
            if workday:
                remaining -= 1
        return DateAnswer(day, provisional)

    def add_days(self, d: date, n: int) -> DateAnswer:
        """A period of n calendar days: ends d+n, moved to the next working day if a rest day."""
        return self.next_workday_on_or_after(d + timedelta(days=n))

    def add_months(self, d: date, n: int) -> DateAnswer:
        """A period of n months: corresponding day (or month end), rolled to a working day."""
        return self.next_workday_on_or_after(shift_months(d, n))

    def add_years(self, d: date, n: int) -> DateAnswer:
        return self.add_months(d, 12 * n)

    def period_end(self, d: date, n: int, unit: str) -> DateAnswer:
        """Last day of a period of ``n`` ``unit`` counted from event day ``d``.

        ``unit`` is one of ``workdays``, ``days``, ``months``, ``years`` (``working_days`` is
        accepted as an alias of ``workdays``).
        """
        unit = "workdays" if unit == "working_days" else unit
        if unit == "workdays":
            return self.add_workdays(d, n)
        if unit == "days":
            return self.add_days(d, n)
        if unit == "months":
            return self.add_months(d, n)
        if unit == "years":
            return self.add_years(d, n)
        raise ValueError(f"unknown period unit {unit!r}; expected one of {UNITS}")

    def shift_months(self, d: date, n: int) -> date:
        """Pure month arithmetic without roll-forward (look-back windows, bans)."""
        return shift_months(d, n)

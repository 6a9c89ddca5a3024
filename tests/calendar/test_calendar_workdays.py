"""Working days and legal periods (DESIGN.md "Time"; used by XJ-P and XJ-R deadlines).

Tests about real arrangements name their year (``needs_holidays``); tests about a year without
data build one (``year_without_data``), whatever chinesecalendar release is installed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from tenant_app.calendar import DateAnswer, WorkCalendar, parse_year_arrangement, shift_months
from tests.clock_fixtures import needs_holidays

CAL = WorkCalendar()


@needs_holidays(2025)
def test_national_day_2025_holidays_and_make_up_days() -> None:
    assert CAL.is_workday(date(2025, 10, 8)) == DateAnswer(False, False)
    assert CAL.is_workday(date(2025, 9, 28)).value is True  # Sunday, make-up working day
    assert CAL.is_workday(date(2025, 10, 11)).value is True  # Saturday, make-up working day
    assert CAL.is_workday(date(2025, 10, 12)).value is False  # ordinary Sunday


@needs_holidays(2025)
def test_XJ_P_notice_from_2025_09_30_for_5_workdays_skips_national_day() -> None:
    # Oct 1-8 holiday; Oct 9, 10, 11 (Sat make-up), 13, 14.
    assert CAL.add_workdays(date(2025, 9, 30), 5) == DateAnswer(date(2025, 10, 14), False)


@needs_holidays(2025)
def test_workdays_count_make_up_sunday_2025_09_28() -> None:
    # From Fri Sep 26: Sun 28 (make-up) is the 1st, Mon 29 the 2nd.
    assert CAL.add_workdays(date(2025, 9, 26), 2).value == date(2025, 9, 29)


def test_event_day_not_counted() -> None:
    assert CAL.add_workdays(date(2025, 6, 2), 1).value == date(2025, 6, 3)


@needs_holidays(2026)
def test_spring_festival_2026_workdays() -> None:
    # 2026: Feb 15-23 holiday; Sat Feb 14 and Sat Feb 28 are make-up working days.
    assert CAL.add_workdays(date(2026, 2, 13), 1).value == date(2026, 2, 14)
    assert CAL.add_workdays(date(2026, 2, 14), 1).value == date(2026, 2, 24)
    assert CAL.add_workdays(date(2026, 2, 27), 1).value == date(2026, 2, 28)


@needs_holidays(2021, 2025, 2026)
def test_month_end_jan_31_plus_one_month_is_feb_28_or_rolls() -> None:
    assert shift_months(date(2025, 1, 31), 1) == date(2025, 2, 28)  # a Friday, working
    assert CAL.add_months(date(2025, 1, 31), 1).value == date(2025, 2, 28)
    # 2026-02-28 is a make-up working Saturday: it stays.
    assert CAL.add_months(date(2026, 1, 31), 1).value == date(2026, 2, 28)
    # 2021-02-28 is a Sunday: rolls to Monday 2021-03-01.
    assert CAL.add_months(date(2021, 1, 31), 1).value == date(2021, 3, 1)


@needs_holidays(2026)
def test_month_period_ending_in_spring_festival_rolls_to_first_workday() -> None:
    assert CAL.add_months(date(2026, 1, 16), 1) == DateAnswer(date(2026, 2, 24), False)


@needs_holidays(2025)
def test_leap_year_2028_02_29_is_provisional_without_data(
    year_without_data: Callable[[int], int],
) -> None:
    year_without_data(2028)
    assert shift_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    ans = CAL.add_years(date(2024, 2, 29), 4)
    assert ans == DateAnswer(date(2028, 2, 29), True)  # Tuesday; 2028 has no data
    assert CAL.add_years(date(2024, 2, 29), 1).value == date(2025, 2, 28)


@needs_holidays(2026)
def test_year_without_data_is_weekends_only_and_provisional(
    year_without_data: Callable[[int], int],
) -> None:
    year_without_data(2027)
    ans = CAL.add_workdays(date(2026, 12, 31), 3)
    # Fri Jan 1 2027 counts as a working day without data: Jan 1, 4, 5.
    assert ans == DateAnswer(date(2027, 1, 5), True)
    assert str(ans) == "2027-01-05 provisional"
    assert CAL.is_workday(date(2027, 1, 1)) == DateAnswer(True, True)


@needs_holidays(2026)
def test_2027_after_manual_entry_is_not_provisional(
    year_without_data: Callable[[int], int],
) -> None:
    year_without_data(2027)  # the package's own 2027 (if any) must not matter once entered
    arrangement = parse_year_arrangement("2027-01-01 休\n2027-01-02 休\n2027-01-03 休\n")
    cal = WorkCalendar(manual={2027: arrangement.day_map()})
    ans = cal.add_workdays(date(2026, 12, 31), 3)  # Jan 1 now a holiday: Jan 4, 5, 6
    assert ans == DateAnswer(date(2027, 1, 6), False)
    assert str(cal.add_workdays(date(2027, 1, 1), 1)) == "2027-01-04"


@needs_holidays(2025)
def test_entered_year_overrides_package_data() -> None:
    cal = WorkCalendar(manual={2025: {date(2025, 10, 8): True}}, entered_years=[2025])
    assert cal.is_workday(date(2025, 10, 8)) == DateAnswer(True, False)
    assert cal.is_workday(date(2025, 10, 2)).value is True  # entered year: weekday rule only


@needs_holidays(2025)
def test_period_end_units_and_str() -> None:
    assert str(CAL.period_end(date(2025, 9, 30), 5, "workdays")) == "2025-10-14"
    assert CAL.period_end(date(2025, 9, 30), 5, "working_days").value == date(2025, 10, 14)
    assert CAL.period_end(date(2025, 9, 26), 5, "days").value == date(2025, 10, 9)
    assert CAL.period_end(date(2025, 3, 1), 1, "months").value == date(2025, 4, 1)
    with pytest.raises(ValueError):
        CAL.period_end(date(2025, 3, 1), 1, "fortnights")


def test_never_raises_not_implemented_far_years(year_without_data: Callable[[int], int]) -> None:
    year_without_data(2030)
    year_without_data(1999)
    assert CAL.add_months(date(2030, 5, 31), 1).provisional is True
    assert CAL.is_workday(date(1999, 1, 1)).provisional is True


@needs_holidays(2025)
def test_year_without_data_hides_a_year_the_package_knows(
    year_without_data: Callable[[int], int],
) -> None:
    assert WorkCalendar().has_data(2025)
    year_without_data(2025)
    cal = WorkCalendar()
    assert not cal.has_data(2025)
    assert cal.is_workday(date(2025, 10, 1)) == DateAnswer(True, True)  # National Day, unknown
    entered = WorkCalendar(manual={2025: {date(2025, 10, 1): False}})
    assert entered.is_workday(date(2025, 10, 1)) == DateAnswer(False, False)  # entered still counts

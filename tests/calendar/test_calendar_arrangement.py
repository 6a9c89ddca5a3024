"""Entering a whole year's holiday arrangement (superadmin calendar table)."""

from __future__ import annotations

from datetime import date

import pytest

from tenant_app.calendar import YearArrangementError, parse_year_arrangement


def test_text_rows_and_mapping_forms() -> None:
    a = parse_year_arrangement("# 2027\n2027-10-01 休\n2027-09-26 班\n")
    assert (
        a.year == 2027 and a.holidays == {date(2027, 10, 1)} and a.workdays == {date(2027, 9, 26)}
    )
    b = parse_year_arrangement(
        [("2027-10-01", "holiday"), {"date": date(2027, 9, 26), "kind": "workday"}]
    )
    assert b == a
    c = parse_year_arrangement({"holidays": ["2027-10-01"], "workdays": ["2027-09-26"]}, year=2027)
    assert c == a
    days = a.day_map()
    assert len(days) == 365 and days[date(2027, 9, 26)] is True and days[date(2027, 10, 1)] is False


def test_date_outside_year_refused() -> None:
    with pytest.raises(YearArrangementError) as exc:
        parse_year_arrangement("2027-01-01 休\n2028-01-01 休\n")
    assert "不在 2027 年内" in exc.value.errors[0] and "第2行" in exc.value.errors[0]


def test_date_both_holiday_and_workday_refused() -> None:
    with pytest.raises(YearArrangementError) as exc:
        parse_year_arrangement("2027-10-01 休\n2027-10-01 班\n")
    assert "不能同时是两者" in exc.value.errors[0]


def test_bad_date_bad_kind_and_empty_refused() -> None:
    with pytest.raises(YearArrangementError) as exc:
        parse_year_arrangement("2027-02-30 休\n2027-03-01 放假\n")
    assert len(exc.value.errors) == 2
    assert "不是有效日期" in exc.value.errors[0] and "未知类型" in exc.value.errors[1]
    with pytest.raises(YearArrangementError):
        parse_year_arrangement("")

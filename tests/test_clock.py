"""The app's one clock (tenant_app/clock.py): nothing else reads the date, and moving the clock
moves what the app says (issue 9, "Tests that stay green on any date")."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tenant_app import clock

from .helpers import login
from .registry.factory import make_enterprise

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("tenant_app", "policies")
# Reading the current date or time anywhere but the clock (SQL's CURRENT_DATE is the database
# server's date in the server's zone: pass clock.today() as a bound parameter instead).
FORBIDDEN = re.compile(
    r"\bdate\.today\(|\bdatetime\.now\(|\bdatetime\.utcnow\(|\btime\.time\(|\bCURRENT_DATE\b"
    r"|\bfunc\.current_date\b",
    re.IGNORECASE,
)


def _offences() -> list[str]:
    found = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix not in (".py", ".sql", ".html", ".toml") or path == ROOT / (
                "tenant_app/clock.py"
            ):
                continue
            for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if FORBIDDEN.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{no}: {line.strip()}")
    return found


def test_only_the_clock_reads_the_date() -> None:
    assert _offences() == []


def test_the_scan_would_catch_an_offence() -> None:
    for line in ("d = date.today()", "datetime.now(UTC)", "WHERE due < current_date"):
        assert FORBIDDEN.search(line), line
    assert not FORBIDDEN.search("on = clock.today()")


@pytest.mark.today("2026-03-02")
def test_a_stated_date_is_the_business_date_whatever_TEST_TODAY_says() -> None:
    assert clock.today() == date(2026, 3, 2)
    assert clock.now().tzinfo is clock.SHANGHAI and clock.now().hour == 10
    assert clock.utcnow().tzinfo is UTC and clock.utcnow().date() == date(2026, 3, 2)


@pytest.mark.today("2026-12-31T23:30+00:00")
def test_business_date_is_shanghai_not_utc() -> None:
    # 23:30 UTC on New Year's Eve is already 07:30 on 1 January in Shanghai.
    assert clock.utcnow().date() == date(2026, 12, 31)
    assert clock.today() == date(2027, 1, 1)


@pytest.mark.date_sensitive
def test_an_unstated_date_is_TEST_TODAY_when_set() -> None:
    wanted = os.environ.get("TEST_TODAY")
    if wanted:
        assert clock.today() == date.fromisoformat(wanted)
    else:
        assert abs(clock.utcnow() - datetime.now(UTC)) < timedelta(minutes=1)


@pytest.mark.today("2026-03-02")
def test_the_clock_ticks() -> None:
    first = clock.utcnow()
    later = clock.utcnow()
    assert later >= first and first - clock.utcnow() < timedelta(seconds=5)


@pytest.mark.today("2026-03-02")
def test_travel_moves_the_clock_for_the_rest_of_the_test(travel: Callable[..., datetime]) -> None:
    assert travel("2029-03-01").date() == date(2029, 3, 1) == clock.today()
    travel(datetime(2029, 3, 1, 23, 59, tzinfo=clock.SHANGHAI) + timedelta(minutes=2))
    assert clock.today() == date(2029, 3, 2)


def _calendar(html: str) -> list[tuple[str, str, bool]]:
    """(day, title, overdue) rows of the enterprise page's compliance calendar."""
    section = html.split('id="calendar"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<tr( class="overdue")?><td>([0-9-]+)</td><td>([^<]+)', section)
    return [(day, title.strip(), bool(overdue)) for overdue, day, title in rows]


@pytest.mark.today("2026-01-10")
def test_moving_the_clock_moves_the_enterprise_calendar_and_permit_status(
    client: FlaskClient, world: dict[str, Any], travel: Callable[..., datetime]
) -> None:
    # 2026-01-10: Q4 2025's execution report is due 2026-01-15 and the 2025 annual one
    # 2026-01-31, neither overdue; the permit (valid to 2027-12-31) is in force and its end is
    # more than a year away, so not yet on the calendar.
    e = make_enterprise("xj-urumqi", 1, permit_valid_to="2027-12-31")
    login(client, "xj-urumqi", "urumqi-officer1")
    url = f"/xj-urumqi/enterprises/{e.id}/"
    html = client.get(url).get_data(as_text=True)
    assert _calendar(html) == [
        ("2026-01-15", "提交 2025 年第 4 季度排污许可执行报告", False),
        ("2026-01-31", "提交 2025 年度排污许可执行报告", False),
    ]
    assert "持有有效排污许可证" in html

    # 2029-03-01: the permit ended 2027-12-31, Q4 2028's report was due 2029-01-15 and the
    # 2028 annual one 2029-01-31: all three overdue.
    travel("2029-03-01")
    assert client.get(url).status_code == 302  # three years idle: the session timed out too
    login(client, "xj-urumqi", "urumqi-officer1")
    html = client.get(url).get_data(as_text=True)
    assert _calendar(html) == [
        ("2027-12-31", "排污许可证（登记）有效期届满", True),
        ("2029-01-15", "提交 2028 年第 4 季度排污许可执行报告", True),
        ("2029-01-31", "提交 2028 年度排污许可执行报告", True),
    ]
    assert "许可证已过期" in html

"""Setting the app's one clock (tenant_app/clock.py) from tests, and years without holiday data.

* ``@pytest.mark.today("2026-09-30")`` -- the test is about that day: the clock reads that date
  (10:00 Asia/Shanghai, i.e. 02:00 UTC the same day) for the whole test, even when ``TEST_TODAY``
  is set. Also accepts a full ISO datetime (``"2026-09-30T23:30"``, Shanghai unless it has a zone).
* ``TEST_TODAY=2029-03-01`` (environment) -- every test *without* the marker runs on that day;
  CI's second run of the ``date_sensitive`` tests uses it. Unset: the real date.
* ``@pytest.mark.real_clock`` (and every ``browser`` test) -- ``TEST_TODAY`` is ignored: the
  test shares time with another process (an RQ worker, Redis, Chromium) that keeps the machine's
  clock, and moving this process alone would split time between them.
* ``travel("2026-10-08")`` (fixture) -- move the clock during a test.
* ``year_without_data(2027)`` (fixture) -- chinese_calendar reports no arrangement for that year,
  whichever release is installed.

The clock ticks (``tick=True``): timestamps keep advancing inside a test, so audit chains,
job heartbeats, token ``last_used_at`` and "ordered by time" queries behave as in production;
only the starting instant is fixed. A test that needs a frozen instant can still call
``travel(...)`` right before it reads the clock.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date, datetime, time

import pytest
import time_machine

from tenant_app.calendar.workdays import WorkCalendar
from tenant_app.clock import SHANGHAI

TEST_TODAY_ENV = "TEST_TODAY"
# Business hours in Shanghai: the UTC date is the same day, so UTC timestamps and business
# dates agree (a test about the midnight gap says so with a full datetime).
DEFAULT_TIME = time(10, 0)


def instant(value: str | date | datetime) -> datetime:
    """A timezone-aware instant from ``"2026-09-30"``, ``"2026-09-30T23:30"``, a date or a datetime
    (naive means Asia/Shanghai)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime.combine(value, DEFAULT_TIME)
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


def _stated_day(request: pytest.FixtureRequest) -> str | None:
    marker = request.node.get_closest_marker("today")
    if marker is not None:
        if len(marker.args) != 1:
            raise pytest.UsageError('use @pytest.mark.today("YYYY-MM-DD")')
        return str(marker.args[0])
    if request.node.get_closest_marker("real_clock") or request.node.get_closest_marker("browser"):
        return None  # another process (worker, Chromium) keeps the machine's clock
    return os.environ.get(TEST_TODAY_ENV) or None


@pytest.fixture(autouse=True)
def _test_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """Applies ``@pytest.mark.today`` or ``TEST_TODAY`` for the whole test (fixtures included)."""
    day = _stated_day(request)
    if day is None:
        yield
        return
    with time_machine.travel(instant(day), tick=True):
        yield


@pytest.fixture()
def travel(_test_clock: None) -> Iterator[Callable[[str | date | datetime], datetime]]:
    """``travel("2026-10-08")`` moves the clock (10:00 Shanghai, ticking) until the test ends."""
    started: list[time_machine.travel] = []

    def move(to: str | date | datetime) -> datetime:
        when = instant(to)
        traveller = time_machine.travel(when, tick=True)
        traveller.start()
        started.append(traveller)
        return when

    yield move
    for traveller in reversed(started):
        traveller.stop()


@pytest.fixture()
def year_without_data(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], int]:
    """``year_without_data(2027)``: the installed chinese_calendar knows nothing of that year (as
    if its release predated the State Council's notice); years a superadmin enters still count."""
    blank: set[int] = set()
    real = WorkCalendar._package_covers

    def covers(self: WorkCalendar, year: int) -> bool:
        return year not in blank and real(self, year)

    monkeypatch.setattr(WorkCalendar, "_package_covers", covers)

    def make(year: int) -> int:
        blank.add(year)
        return year

    return make


def package_knows(year: int) -> bool:
    """Whether the installed chinese_calendar has the holiday arrangement of ``year``."""
    return WorkCalendar(use_package=True)._package_covers(year)


def needs_holidays(*years: int) -> pytest.MarkDecorator:
    """Skip a test about real holiday arrangements when the installed chinese_calendar lacks one
    of ``years`` (2025 needs chinesecalendar >= 1.10, 2026 >= 1.11)."""
    missing = [y for y in years if not package_knows(y)]
    return pytest.mark.skipif(
        bool(missing), reason=f"installed chinesecalendar has no holiday data for {missing}"
    )

"""The app's one clock. Every rule reads the date and time from here, never from ``date.today()``
or ``datetime.now()`` directly, so a test (time-machine) or an operator sets one thing and the
whole app agrees on what day it is.

Business dates are Asia/Shanghai (DESIGN.md), whatever zone the server runs in; stored
timestamps are UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Now, timezone-aware UTC: for stored timestamps."""
    return datetime.now(UTC)


def now() -> datetime:
    """Now, timezone-aware, in Asia/Shanghai: for what a person sees."""
    return datetime.now(SHANGHAI)


def today() -> date:
    """Today's business date in Asia/Shanghai: for every deadline, period and rule."""
    return now().date()

"""Working-day calendar: statutory holidays, make-up working days and legal period arithmetic.

Pure Python; the DB layer feeds entered years in via ``WorkCalendar(manual=..., entered_years=...)``.
"""

from tenant_app.calendar.arrangement import (
    YearArrangement,
    YearArrangementError,
    parse_year_arrangement,
)
from tenant_app.calendar.workdays import UNITS, DateAnswer, WorkCalendar, shift_months

__all__ = [
    "UNITS",
    "DateAnswer",
    "WorkCalendar",
    "YearArrangement",
    "YearArrangementError",
    "parse_year_arrangement",
    "shift_months",
]

"""The working-day calendar as the platform keeps it: chinese-calendar plus the years a
superadmin entered (for a year the package does not cover yet, e.g. 2027)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.calendar import (
    DateAnswer,
    WorkCalendar,
    YearArrangementError,
    parse_year_arrangement,
)
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.core.errors import ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import CalendarDay, CalendarYear
from tenant_app.tenancy.resolve import system_scope, tenant_by_slug
from tenant_app.tenancy.scope import use_scope

_cache: dict[str, tuple[tuple[Any, ...], WorkCalendar]] = {}


def work_calendar() -> WorkCalendar:
    """The calendar with every entered year. Rebuilt only when the entered years change (one
    tiny query decides), so every process sees a newly entered year at once."""
    stamp = tuple(
        db.session.execute(
            select(
                func.count(CalendarYear.year),
                func.max(CalendarYear.entered_at),
                select(func.count()).select_from(CalendarDay).scalar_subquery(),
            )
        ).one()
    )
    key = str(db.engine.url)
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    years = list(db.session.execute(select(CalendarYear.year)).scalars())
    manual: dict[int, dict[date, bool]] = defaultdict(dict)
    for row in db.session.execute(select(CalendarDay)).scalars():
        manual[row.year][row.day] = row.is_workday
    cal = WorkCalendar(manual={y: manual.get(y, {}) for y in years}, entered_years=years)
    _cache[key] = (stamp, cal)
    return cal


def forget_cached() -> None:
    _cache.clear()


def entered_years() -> list[CalendarYear]:
    return list(db.session.execute(select(CalendarYear).order_by(CalendarYear.year)).scalars())


def days_of(year: int) -> list[CalendarDay]:
    return list(
        db.session.execute(
            select(CalendarDay).where(CalendarDay.year == year).order_by(CalendarDay.day)
        ).scalars()
    )


def enter_year(ctx: Context, year: int, arrangement: str, source: str = "") -> CalendarYear:
    """Replace a year's holidays and make-up working days (superadmins), then recompute the
    provisional deadlines that fall in it (a job: deadlines live in every tenant)."""
    require_action(ctx, Perm.CALENDAR_EDIT)
    if not 2000 <= year <= 2100:
        raise ValidationFailed.field("year", "年份应在 2000–2100 之间")
    try:
        parsed = parse_year_arrangement(arrangement, year)
    except YearArrangementError as exc:
        raise ValidationFailed("年度安排有误", {"arrangement": list(exc.errors)}) from None
    before = {d.day.isoformat(): d.is_workday for d in days_of(year)}
    db.session.execute(delete(CalendarDay).where(CalendarDay.year == year))
    row = db.session.get(CalendarYear, year) or CalendarYear(year=year)
    row.source, row.entered_by = source.strip()[:255], ctx.actor.user_id
    row.entered_at = utcnow()
    db.session.add(row)
    db.session.flush()
    names = parsed.names
    for day in sorted(parsed.holidays):
        db.session.add(CalendarDay(day=day, year=year, is_workday=False, name=names.get(day, "")))
    for day in sorted(parsed.workdays):
        db.session.add(
            CalendarDay(day=day, year=year, is_workday=True, name=names.get(day, "调休上班"))
        )
    after = {d.isoformat(): False for d in parsed.holidays} | {
        d.isoformat(): True for d in parsed.workdays
    }
    with use_scope(system_scope(_platform_id())):
        audit.record(
            ctx,
            "calendar.year_entered",
            object_type="calendar_year",
            object_id=year,
            before=before or None,
            after={"days": after, "source": row.source},
        )
        db.session.flush()
        from tenant_app.jobs import enqueue

        digest = hashlib.sha1(json.dumps(after, sort_keys=True).encode()).hexdigest()[:12]
        enqueue(
            "calendar.recompute_provisional",
            {"year": year},
            job_id=f"calendar-recompute:{year}:{digest}",
        )
    forget_cached()
    return row


def _platform_id() -> int:
    platform = tenant_by_slug("platform")
    assert platform is not None
    return platform.id


def answer(op: str, day: date, amount: int | None = None) -> DateAnswer:
    """The calendar questions the CLI, API and check screen ask."""
    cal = work_calendar()
    if op == "is-workday":
        return cal.is_workday(day)
    if op == "add-workdays":
        return cal.add_workdays(day, int(amount or 0))
    if op == "add-months":
        return cal.add_months(day, int(amount or 0))
    raise ValidationFailed.field("op", f"未知的运算：{op}")

"""Inspection rollups for the oversight charts (issue 17 item 5).

Counting a province's inspections live reads every row of the period: at 1,000,000 inspections
the bare aggregate alone takes about half a second (docs/oversight.md). The charts instead read
*whole months* from ``inspection_rollups`` — one row per tenant × month × mode × trigger ×
category × industry section × the three on-site facts, with the count — and only the rest live:
the partial months at the period's ends (usually this month, the one that is still changing)
and every tenant whose rollup is missing or older than ``MAX_AGE``. The page states the time of
the oldest rollup it used, so a reader knows which figures are a snapshot.

Each tenant's rollup is rebuilt in one transaction by the periodic job (oversight/jobs.py,
hourly): readers see the old rollup until the new one commits. The drill-down always reads live
rows, so right after a change it may count one more than the snapshot; the page says so.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, delete, false, func, insert, literal, select
from sqlalchemy.sql.elements import ColumnElement

from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import Enterprise, Inspection, InspectionRollup, RollupRefresh
from tenant_app.models.inspection import DEAD_STATUSES

KIND = "inspections"
# Three missed hourly refreshes and the tenant is counted live again: never silently stale.
MAX_AGE = timedelta(hours=3)
INDUSTRY_CHARS = 3  # 门类 + 大类 (e.g. C26): an industry filter this long or shorter uses it


@dataclass(frozen=True)
class Refreshed:
    tenant_id: int
    source_rows: int
    rollup_rows: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "source_rows": self.source_rows,
            "rollup_rows": self.rollup_rows,
        }


def _month_start(col: Any) -> Any:
    if db.session.get_bind().dialect.name == "postgresql":
        return func.cast(func.date_trunc("month", col), db.Date)
    return func.date(col, "start of month")


def _flag(expr: ColumnElement[Any]) -> ColumnElement[bool]:
    return func.coalesce(expr, false())


def refresh(ctx: Context) -> Refreshed:
    """Rebuild the acting tenant's inspection rollup from its inspections, in one transaction."""
    tid = ctx.tenant_id
    assert tid is not None, "a rollup is rebuilt for one tenant"
    i, e, r = Inspection.__table__, Enterprise.__table__, InspectionRollup
    facts = i.c.decision["facts"]
    dims = (
        _month_start(i.c.planned_date),
        i.c.mode,
        i.c.trigger,
        e.c.supervision_category,
        func.coalesce(func.substr(e.c.industry_code, 1, INDUSTRY_CHARS), ""),
        _flag(facts["in_quiet_period"].as_boolean()),
        _flag(facts["listed"].as_boolean()),
        _flag(i.c.feedback_overdue),
    )
    # An INSERT … SELECT runs outside the ORM's scope guard, so the write tenant is named here
    # (RLS under it allows the same rows on PostgreSQL).
    source = (
        select(*dims, func.count())
        .select_from(i.join(e, e.c.id == i.c.enterprise_id))
        .where(i.c.tenant_id == tid, i.c.status.not_in(DEAD_STATUSES))
        .group_by(*dims)
    )
    cols = [
        "month_start",
        "mode",
        "trigger",
        "category",
        "industry",
        "quiet",
        "listed",
        "feedback_overdue",
        "n",
    ]
    db.session.execute(delete(r))  # the scope guard limits it to the acting tenant
    db.session.execute(
        insert(r).from_select(
            [*cols, "tenant_id"], select(*source.subquery().c, literal(tid, db.BigInteger))
        )
    )
    rollup_rows, source_rows = db.session.execute(
        select(func.count(), func.coalesce(func.sum(r.n), 0))
    ).one()
    stamp = db.session.execute(
        select(RollupRefresh).where(RollupRefresh.kind == KIND)
    ).scalar_one_or_none()
    if stamp is None:
        stamp = RollupRefresh(tenant_id=tid, kind=KIND)
        db.session.add(stamp)
    stamp.refreshed_at = ctx.at
    stamp.source_rows = int(source_rows)
    stamp.rollup_rows = int(rollup_rows)
    db.session.commit()
    return Refreshed(tid, int(source_rows), int(rollup_rows))


def fresh(ctx: Context, tenant_ids: tuple[int, ...]) -> dict[int, datetime]:
    """The tenants among ``tenant_ids`` whose rollup is recent enough to use, with its time."""
    oldest = ctx.at - MAX_AGE
    rows = db.session.execute(
        select(RollupRefresh.tenant_id, RollupRefresh.refreshed_at).where(
            RollupRefresh.kind == KIND, RollupRefresh.tenant_id.in_(tenant_ids)
        )
    ).all()
    return {tid: at for tid, at in rows if at >= oldest}


@dataclass(frozen=True)
class WholeMonths:
    """The whole calendar months inside a period: the part a rollup can answer."""

    first: date  # the first day of the first whole month
    last: date  # the last day of the last whole month

    @classmethod
    def inside(cls, start: date, end: date) -> WholeMonths | None:
        first = start if start.day == 1 else _next_month(start)
        last_day = calendar.monthrange(end.year, end.month)[1]
        last = end if end.day == last_day else end.replace(day=1) - timedelta(days=1)
        return cls(first, last) if first <= last else None


def _next_month(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1)


def rollup_rows(
    tenant_ids: list[int],
    months: WholeMonths,
    month_label: Any,
    category: str | None,
    industry: str | None,
) -> Select[Any]:
    """The rollup's rows of ``tenant_ids`` in the whole months, in the live base's columns."""
    r = InspectionRollup
    conds: list[ColumnElement[bool]] = [
        r.tenant_id.in_(tenant_ids),
        r.month_start.between(months.first, months.last),
    ]
    if category:
        conds.append(r.category == category)
    if industry:
        conds.append(r.industry.startswith(industry))
    return select(
        r.tenant_id.label("tenant_id"),
        month_label(r.month_start).label("month"),
        r.mode.label("mode"),
        r.trigger.label("trigger"),
        case((r.quiet, 1), else_=0).label("quiet"),
        case((r.listed, 1), else_=0).label("listed"),
        case((r.feedback_overdue, 1), else_=0).label("feedback_overdue"),
        r.n.label("n"),
    ).where(and_(*conds))

"""Listed enterprises (XJ-V): status, validity and expiry, renewal (the procedure again), and
health-check visits (体检式帮扶, at least one per listed year)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.calendar.workdays import shift_months
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.listing.services import entries, ledger
from tenant_app.listing.services.common import policy, record_step, refuse_state
from tenant_app.listing.services.entries import _date, _text
from tenant_app.models import Enterprise
from tenant_app.models.listing import ENTRY_STATES, HealthCheckVisit, ListingEntry

RENEWAL_WINDOW_DAYS = 180  # platform default: renewal may start 6 months before expiry


def current_entry(ctx: Context, enterprise: Enterprise) -> ListingEntry | None:
    """The entry under which ``enterprise`` is listed now, if any (for other issues)."""
    return (
        db.session.execute(
            select(ListingEntry)
            .where(
                ListingEntry.enterprise_id == enterprise.id,
                ListingEntry.state.in_(("listed", "removal_pending")),
            )
            .order_by(ListingEntry.id.desc())
        )
        .scalars()
        .first()
    )


def is_listed(ctx: Context, enterprise: Enterprise, on: date | None = None) -> bool:
    """Listed on ``on`` (the day of the act): published, within validity, not removed."""
    on = on or ctx.today
    e = current_entry(ctx, enterprise)
    return bool(e and e.listed_on and e.valid_until and e.listed_on <= on <= e.valid_until)


def listed_entries(ctx: Context) -> list[ListingEntry]:
    return list(
        db.session.execute(
            select(ListingEntry)
            .where(ListingEntry.state.in_(("listed", "removal_pending")))
            .order_by(ListingEntry.listed_on, ListingEntry.id)
        ).scalars()
    )


def expire(ctx: Context, on: date | None = None) -> list[int]:
    """Entries past their validity become expired; the enterprise leaves the 'listed' category."""
    on = on or ctx.today
    done = []
    for e in db.session.execute(
        select(ListingEntry).where(ListingEntry.state == "listed", ListingEntry.valid_until < on)
    ).scalars():
        e.state = "expired"
        if e.enterprise.supervision_category == "listed":
            e.enterprise.supervision_category = "general"
        ledger.add_entry(
            ctx,
            e.enterprise,
            "expiry",
            on,
            f"正面清单有效期于 {e.valid_until} 届满",
            f"entry:{e.id}",
        )
        audit.record(
            ctx,
            "listing.expired",
            object_type="listing_entry",
            object_id=e.id,
            before={"state": "listed"},
            after={"state": "expired", "valid_until": e.valid_until},
        )
        done.append(e.id)
    return done


def renew(ctx: Context, entry: ListingEntry) -> ListingEntry:
    """Renewal runs the procedure again: a new round linked to the listed one."""
    require_action(ctx, Perm.LISTING_MANAGE)
    refuse_state("续展", entry.state, ("listed", "expired"), ENTRY_STATES)
    if (
        entry.state == "listed"
        and entry.valid_until
        and entry.valid_until - ctx.today > timedelta(days=RENEWAL_WINDOW_DAYS)
    ):
        raise entries.Conflict(
            f"有效期至 {entry.valid_until}，届满前 {RENEWAL_WINDOW_DAYS} 日内方可续展"
        )
    return entries.create(
        ctx, entry.enterprise, origin="renewal", renews=entry if entry.state == "listed" else None
    )


def listing_years(entry: ListingEntry) -> list[tuple[date, date]]:
    """The listed years: [listed_on + k years, listed_on + k+1 years - 1 day]."""
    assert entry.listed_on and entry.valid_until
    out: list[tuple[date, date]] = []
    k = 0
    while True:
        start = shift_months(entry.listed_on, 12 * k)
        if start > entry.valid_until:
            return out
        out.append(
            (
                start,
                min(
                    shift_months(entry.listed_on, 12 * (k + 1)) - timedelta(days=1),
                    entry.valid_until,
                ),
            )
        )
        k += 1


def add_visit(ctx: Context, entry: ListingEntry, data: dict[str, Any]) -> HealthCheckVisit:
    require_action(ctx, Perm.LISTING_MANAGE)
    refuse_state("体检式帮扶", entry.state, ("listed", "removal_pending"), ENTRY_STATES)
    on = _date(ctx, data.get("visit_date"), "visit_date", "帮扶日期")
    if entry.listed_on and on < entry.listed_on:
        raise entries.ValidationFailed.field("visit_date", "帮扶日期早于纳入日期")
    officers = _text(data.get("officers"), "officers", 255, "帮扶人员")
    findings = _text(data.get("findings"), "findings", 4000, "体检发现")
    advice = _text(data.get("advice"), "advice", 4000, "帮扶建议", required=False)
    v = HealthCheckVisit(
        entry_id=entry.id,
        visit_date=on,
        officers=officers,
        findings=findings,
        advice=advice,
        created_by=ctx.actor.user_id,
    )
    db.session.add(v)
    db.session.flush()
    rule = policy(ctx).listing_rule_ids().listing
    record_step(
        ctx,
        "health_check",
        entry_id=entry.id,
        on_date=on,
        summary=findings,
        rule_id=rule,
        evidence={"officers": officers, "visit_id": v.id},
    )
    ledger.add_entry(
        ctx, entry.enterprise, "visit", on, f"体检式帮扶：{findings[:200]}", f"visit:{v.id}"
    )
    audit.record(
        ctx,
        "listing.visit_recorded",
        object_type="listing_entry",
        object_id=entry.id,
        after={"visit_id": v.id, "on": on, "officers": officers},
    )
    return v


def visits_of(ctx: Context, entry: ListingEntry) -> list[HealthCheckVisit]:
    return list(
        db.session.execute(
            select(HealthCheckVisit)
            .where(HealthCheckVisit.entry_id == entry.id)
            .order_by(HealthCheckVisit.visit_date)
        ).scalars()
    )


def visits_due(ctx: Context, on: date | None = None) -> list[dict[str, Any]]:
    """Each listed year (XJ-V: ≥ the pack's visits per year) up to ``on`` without enough visits:
    'due' in the current year, 'overdue' for a year already over."""
    on = on or ctx.today
    visits = policy(ctx).health_check_visits()
    need, rule = visits.answer, visits.rule_id
    out = []
    for e in listed_entries(ctx):
        if not (e.listed_on and e.valid_until):
            continue
        dates = [v.visit_date for v in visits_of(ctx, e)]
        for start, end in listing_years(e):
            if start > on:
                break
            n = sum(start <= d <= end for d in dates)
            if n < need:
                out.append(
                    {
                        "entry": e,
                        "year_start": start,
                        "year_end": end,
                        "done": n,
                        "need": need,
                        "overdue": end < on,
                        "rule_id": rule,
                    }
                )
    return out

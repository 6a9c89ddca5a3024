"""What every demo module shares: acting as a demo account inside its tenant, running the
jobs a seeding step enqueues before the next step needs their rows, and dates relative to the
app's one clock (tenant_app/clock.py)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from tenant_app.clock import today
from tenant_app.extensions import db
from tenant_app.models import Tenant, User
from tenant_app.tenancy.resolve import scope_for, system_scope, tenant_by_slug, tenant_scope
from tenant_app.tenancy.scope import use_scope

# Demo tenants that get a population, and how many enterprises each registers.
POPULATION = {
    "xj-urumqi": 320,
    "xj-urumqi-tianshan": 110,
    "sx-taiyuan": 300,
    "sx-taiyuan-xiaodian": 100,
}
# The account that does a city's clerical work (enters rows, nominates, plans inspections).
CLERK = {"xj-urumqi": "urumqi-officer1", "sx-taiyuan": "taiyuan-officer1"}


def rng_for(slug: str, part: str) -> random.Random:
    """One fixed generator per tenant and part: the same demo for the same day, and a part
    added later does not shift the numbers of the others."""
    return random.Random(f"tenant-app demo {slug} {part}")


def tenant(slug: str) -> Tenant:
    with use_scope(system_scope()):
        t = tenant_by_slug(slug)
    if t is None:
        raise RuntimeError(f"demo tenant {slug} is missing: seed_demo() first")
    return t


def user(username: str) -> User:
    with use_scope(system_scope()):
        u = db.session.execute(select(User).where(User.username == username)).scalar_one()
    return u


@contextmanager
def acting(slug: str, username: str | None) -> Iterator[Tenant]:
    """Act at ``slug`` as ``username`` would in a request (its roles there), or as the system
    inside the tenant when ``username`` is None (county tenants have no demo staff)."""
    t = tenant(slug)
    scope = scope_for(t, user(username)) if username else tenant_scope(t)
    with use_scope(scope):
        yield t


@contextmanager
def jobs_inline() -> Iterator[None]:
    """Run the jobs a step enqueues right after its commit, in this process. Why: the next
    step reads their rows (the import's enterprises, a screening's verdicts), and the demo must
    come out the same every time, not depend on a background thread or a worker."""
    cfg = current_app.config
    saved = cfg["JOBS_EAGER"], cfg["REDIS_URL"]
    cfg["JOBS_EAGER"], cfg["REDIS_URL"] = True, ""
    try:
        yield
    finally:
        cfg["JOBS_EAGER"], cfg["REDIS_URL"] = saved


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def days_ahead(n: int) -> date:
    return today() + timedelta(days=n)


def workday_on_or_after(d: date) -> date:
    """Monday–Friday (good enough for a demo date; the services still apply the calendar)."""
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def workday_on_or_before(d: date) -> date:
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d

"""Inspection test helpers: act as a demo account inside its tenant, make enterprises."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest

from tenant_app import clock
from tenant_app.accounts import users as user_service
from tenant_app.extensions import db
from tenant_app.models import Enterprise, RoleGrant, User
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import scope_for, system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import PASSWORD, tenant
from tests.web.conftest import artifacts, browser_page, live_server  # noqa: F401  (browser fixtures)

SLUG = {"taiyuan": "sx-taiyuan", "urumqi": "xj-urumqi"}


@contextmanager
def acting(username: str, slug: str) -> Iterator[None]:
    t = tenant(slug)
    with use_scope(system_scope()):
        user = db.session.execute(db.select(User).where(User.username == username)).scalar_one()
    with use_scope(scope_for(t, user)):
        yield


_n = [0]


def make_enterprise(slug: str, **kw: Any) -> Enterprise:
    t = tenant(slug)
    _n[0] += 1
    with use_scope(system_scope(t.id)):
        e = Enterprise(
            tenant_id=t.id,
            uscc=kw.pop("uscc", f"91{t.division_code}MA{_n[0]:08d}"),
            name=kw.pop("name", f"测试企业{_n[0]}"),
            **kw,
        )
        db.session.add(e)
        db.session.commit()
        # Detached with its values loaded: reading e.id later must not reload it outside this
        # scope (on PostgreSQL, RLS would hide the row).
        db.session.refresh(e)
        db.session.expunge(e)
        return e


def make_enterprise_user(slug: str, e: Enterprise, username: str) -> User:
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        u = user_service.create_user(
            scope_context(),
            tenant=t,
            username=username,
            display_name="企业联系人",
            password=PASSWORD,
            roles=["enterprise"],
            enterprise_uscc=e.uscc,
        )
        db.session.commit()
        db.session.refresh(u)
        db.session.expunge(u)
        return u


def grant(slug: str, username: str, role: str) -> None:
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        u = db.session.execute(db.select(User).where(User.username == username)).scalar_one()
        db.session.add(RoleGrant(tenant_id=t.id, user_id=u.id, role=role))
        db.session.commit()


def officer_ids(*usernames: str) -> list[int]:
    with use_scope(system_scope()):
        return [
            db.session.execute(db.select(User.id).where(User.username == n)).scalar_one()
            for n in usernames
        ]


def future(month: int, day: int) -> date:
    """That day of next year: after today, and every ``future`` date of a test in the same
    calendar year (SX-3 caps and annual plans count per year), whatever today is."""
    return date(clock.today().year + 1, month, day)


@pytest.fixture()
def sx(world: dict[str, Any]) -> dict[str, Any]:
    return {"officers": officer_ids("taiyuan-officer1", "taiyuan-officer2")}


def publish_listing(slug: str, e: Enterprise, listed_on: date, valid_until: date) -> int:
    """The recorded outcome of the positive-list procedure's publication (XJ-P 正式发布) for
    ``e``: a published listing entry, as ``listing.batches.publish`` leaves it. Listed status is
    read from these records on the day asked (issue 11 item 6), never from a registry field."""
    from tenant_app.models.listing import ListingEntry

    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        entry = ListingEntry(
            tenant_id=t.id,
            enterprise_id=e.id,
            origin="nomination",
            state="listed",
            listed_on=listed_on,
            valid_until=valid_until,
        )
        db.session.add(entry)
        db.session.get(Enterprise, e.id).supervision_category = "listed"  # type: ignore[union-attr]
        db.session.commit()
        return entry.id

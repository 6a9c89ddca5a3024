"""Positive-list test data: enterprises that pass every XJ-C condition unless told otherwise,
enterprise users, and a scope helper."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from tenant_app.calendar.workdays import shift_months
from tenant_app.clock import today
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import Enterprise
from tenant_app.registry.services import enterprise_accounts
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import scope_for, tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import tenant
from ..registry.factory import add_record, make_enterprise, uscc  # noqa: F401  (re-exported)

GOOD = {
    "procedures_complete": True,
    "facilities_running": True,
    "pollutants_compliant": True,
    "industry_code": "C2822",
}


def good_enterprise(n: int, slug: str = "xj-urumqi", **fields: Any) -> Enterprise:
    """Passes every XJ-C condition on the clock's day: its five-year permit was issued a year
    before it (the services screen on the day of each step, issue 11)."""
    on = today()
    permit = {
        "permit_valid_from": shift_months(on, -12).isoformat(),
        "permit_valid_to": (shift_months(on, 48) - timedelta(days=1)).isoformat(),
    }
    return make_enterprise(slug, n, **{**GOOD, **permit, **fields})


@contextmanager
def as_user(world: dict[str, Any], username: str, slug: str = "xj-urumqi") -> Iterator[Context]:
    """Act as ``username`` at ``slug`` (roles and read scope as in a request); the Context
    the services are handed."""
    user = world["users"][username]
    with use_scope(scope_for(tenant(slug), user)):
        yield scope_context()


def enterprise_user(
    world: dict[str, Any], e: Enterprise, username: str, slug: str = "xj-urumqi"
) -> int:
    t = tenant(slug)
    officer = world["users"]["urumqi-officer1"]
    with use_scope(tenant_scope(t, officer.id)):
        ctx = scope_context()
        acc = enterprise_accounts.register(
            ctx,
            {
                "uscc": e.uscc,
                "enterprise_name": e.name,
                "contact_name": "王联系",
                "contact_phone": "0991-1234567",
                "username": username,
                "password": "Qiye-2026-pass",
            },
        )
        db.session.flush()
        enterprise_accounts.verify(ctx, acc)
        db.session.commit()
        return acc.user_id

"""Rectification test helpers: a warning that found a violation (answered), a listed enterprise,
the overdue job run as the daily job runs it, and reading orders back."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.models import CorrectionOrder, Enterprise, EnterpriseWarning
from tenant_app.models.listing import ListingEntry
from tenant_app.rectification.services.overdue import OverdueResult, flag_overdue
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import tenant
from tests.inspections.conftest import (  # noqa: F401  (shared helpers)
    make_enterprise,
    make_enterprise_user,
    officer_ids,
)

API = {"sx-taiyuan": "/api/v1/tenants/sx-taiyuan", "xj-urumqi": "/api/v1/tenants/xj-urumqi"}
OFFICERS = {
    "sx-taiyuan": ("taiyuan-officer1", "taiyuan-officer2"),
    "xj-urumqi": ("urumqi-officer1", "urumqi-officer2"),
}


def answered_warning(slug: str, e: Enterprise, day: date, status: str = "answered") -> int:
    """A monitoring-anomaly warning the enterprise answered (the warning flow itself is tested
    in tests/warnings): its answer is what the officer checks and finds a violation in."""
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        w = EnterpriseWarning(
            tenant_id=t.id,
            enterprise_id=e.id,
            cause="monitoring_anomaly",
            period=day.isoformat(),
            due_on=day,
            status=status,
            sent_on=day,
            answer_due=day,
            explanation="在线监测设备故障" if status == "answered" else "",
            measure="已报修" if status == "answered" else "",
            rule_id="SX-1",
            facts={},
        )
        db.session.add(w)
        db.session.commit()
        return w.id


def listed(slug: str, e: Enterprise, listed_on: date) -> int:
    """A listing entry published on ``listed_on`` (the procedure is tested in tests/listing)."""
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        entry = ListingEntry(
            tenant_id=t.id,
            enterprise_id=e.id,
            origin="nomination",
            state="listed",
            listed_on=listed_on,
            valid_until=date(listed_on.year + 3, listed_on.month, listed_on.day),
        )
        db.session.add(entry)
        row = db.session.get(Enterprise, e.id)
        assert row is not None
        row.supervision_category = "listed"
        db.session.commit()
        return entry.id


def run_overdue(slug: str) -> OverdueResult:
    with use_scope(system_scope(tenant(slug).id)):
        result = flag_overdue(scope_context())
        db.session.commit()
        return result


def order_row(slug: str, order_id: int) -> CorrectionOrder:
    with use_scope(system_scope(tenant(slug).id)):
        o = db.session.execute(
            select(CorrectionOrder).where(CorrectionOrder.id == order_id)
        ).scalar_one()
        db.session.expunge(o)
        return o


def entry_row(slug: str, entry_id: int) -> ListingEntry:
    with use_scope(system_scope(tenant(slug).id)):
        row = db.session.get(ListingEntry, entry_id)
        assert row is not None
        db.session.expunge(row)
        return row


def count(slug: str, model: Any, *where: Any) -> int:
    with use_scope(system_scope(tenant(slug).id)):
        return len(db.session.execute(select(model.id).where(*where)).all())

"""Enforcement test helpers: a served fine decision, acting as a person of a city, and the
enterprise's own account."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import Case, Enterprise
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import tenant
from tests.inspections.conftest import (  # noqa: F401  (shared helpers)
    acting,
    make_enterprise,
    make_enterprise_user,
    officer_ids,
)

PDF = ("困难证明.pdf", "application/pdf", b"%PDF-1.4 hardship")
_n = [0]


@contextmanager
def as_user(username: str, slug: str) -> Iterator[Context]:
    """Act as ``username`` in ``slug`` (its roles there), committing what the block did."""
    with acting(username, slug):
        yield scope_context()
        db.session.commit()


def served_fine(
    slug: str, e: Enterprise, fine_yuan: int, served_on: date, *, decided_on: date | None = None
) -> int:
    """A case whose fine decision was served on ``served_on`` (the procedure itself is tested in
    tests/cases)."""
    t = tenant(slug)
    _n[0] += 1
    officer = officer_ids("taiyuan-officer1" if slug.startswith("sx") else "urumqi-officer1")[0]
    with use_scope(tenant_scope(t, officer)):
        case = Case(
            enterprise_id=e.id,
            origin="manual",
            title=f"罚款案件{_n[0]}",
            facts="超标排放",
            stage="served",
            filed_on=date(served_on.year, 1, 5),
            limit_due=date(served_on.year, 4, 5),
            decided_on=decided_on or served_on,
            served_on=served_on,
            total_fine=fine_yuan,
            decision_no=f"并环罚〔{served_on.year}〕测{_n[0]}号",
        )
        db.session.add(case)
        db.session.commit()
        return case.id


def ids(*objs: Any) -> list[int]:
    return [o.id for o in objs]

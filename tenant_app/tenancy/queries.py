"""What views use to read tenant data. The scope is applied by guard.py; these add the 404s
and keyset paging so that no view writes its own tenant filter."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from flask import abort
from sqlalchemy import Integer, Select, bindparam, func, literal_column, select

from tenant_app.extensions import db
from tenant_app.tenancy.guard import execute_in_scope

T = TypeVar("T")


def get_or_404(model: type[T], object_id: Any) -> T:
    """Another tenant's object and a missing one answer the same 404."""
    obj = db.session.execute(
        select(model).where(model.id == object_id)  # type: ignore[attr-defined]
    ).scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj


def inherited(stmt: Select[Any]) -> Select[Any]:
    """Let a read also see the write tenant's ancestors: for what a child inherits (policy).
    PostgreSQL's RLS on those tables allows exactly the same (migrations 0002)."""
    return stmt.execution_options(with_ancestors=True)


def descendants(stmt: Select[Any]) -> Select[Any]:
    """Let a read also see the write tenant's descendants, for staff without an oversight role:
    only the filing inbox uses it (a child files its positive list with its parent, XJ-P).
    PostgreSQL's RLS grants the same extra read on listing_filings alone (migration 0004)."""
    from tenant_app.models import Tenant
    from tenant_app.tenancy.scope import current_scope

    write = current_scope().tenant_id
    if write is None:
        return stmt
    path = db.session.execute(select(Tenant.path).where(Tenant.id == write)).scalar_one()
    ids = tuple(db.session.execute(select(Tenant.id).where(Tenant.path.startswith(path))).scalars())
    return stmt.execution_options(with_descendants=ids)


def lineage_ids() -> tuple[int, ...]:
    """The write tenant, its ancestors and its descendants (never siblings): the line of the tree
    that shares one enterprise's inspection budget (SX-3 综合一次查 across levels)."""
    from tenant_app.models import Tenant
    from tenant_app.tenancy.scope import current_scope

    write = current_scope().tenant_id
    if write is None:
        return ()
    path = db.session.execute(select(Tenant.path).where(Tenant.id == write)).scalar_one()
    up = [int(x) for x in path.strip("/").split("/") if x]
    down = db.session.execute(select(Tenant.id).where(Tenant.path.startswith(path))).scalars()
    return tuple(dict.fromkeys([*up, *down]))


def lineage(stmt: Select[Any]) -> Select[Any]:
    """Let a read also see the write tenant's ancestors and descendants: only the visit register
    (models/visit.py) uses it; PostgreSQL's RLS grants that extra read on enterprise_visits
    alone (migration 0006f)."""
    return stmt.execution_options(with_descendants=lineage_ids())


def province_of_write_tenant() -> tuple[int | None, tuple[int, ...]]:
    """The write tenant's province (itself when it is one; None for the platform) and the ids
    of that province's subtree."""
    from tenant_app.models import Tenant
    from tenant_app.models.tenant import Level
    from tenant_app.tenancy.scope import current_scope

    write = current_scope().tenant_id
    if write is None:
        return None, ()
    path = db.session.execute(select(Tenant.path).where(Tenant.id == write)).scalar_one()
    line = [int(x) for x in path.strip("/").split("/") if x]
    rows = db.session.execute(
        select(Tenant.id, Tenant.level, Tenant.path).where(Tenant.id.in_(line))
    )
    province = next((r for r in rows if r.level == Level.PROVINCE), None)
    if province is None:
        return None, ()
    ids = db.session.execute(select(Tenant.id).where(Tenant.path.startswith(province.path)))
    return province.id, tuple(ids.scalars())


def province_aggregates(stmt: Select[Any]) -> Select[Any]:
    """Let a read see the whole province's rows of an aggregate table: only
    case_decision_stats (类案同罚, counts of decided fines, never a case) uses it; PostgreSQL's
    RLS grants that extra read on that table alone (migration 0007k)."""
    _province, ids = province_of_write_tenant()
    return stmt.execution_options(with_descendants=ids)


@dataclass
class Page:
    items: list[Any]
    next_after: Any | None
    total: int | None = None  # every matching row, all pages together (when counted)


def count_rows(stmt: Select[Any], key_column: Any) -> int:
    """How many rows ``stmt`` selects, all pages together: the list says "共 N 条" instead of
    stopping silently. The count runs through the same scope (guard.py) as the rows, with the
    statement's own execution options (descendants, lineage), and reads the key column only
    (never a column the app's database role may not read, such as a password hash)."""
    inner = stmt.with_only_columns(key_column, maintain_column_froms=True)
    counted = select(func.count()).select_from(inner.order_by(None).limit(None).subquery())
    return int(
        db.session.execute(counted.execution_options(**stmt.get_execution_options())).scalar_one()
    )


def keyset_page(
    stmt: Select[Any],
    key_column: Any,
    after: Any | None,
    size: int = 50,
    descending: bool = False,
    count: bool = False,
    as_rows: bool = False,
) -> Page:
    """Keyset pagination on a unique, indexed column: constant cost at any depth. With
    ``count`` the page also carries how many rows there are in all (``total``); with
    ``as_rows`` the items are the statement's rows (a statement of columns), not entities."""
    size = max(1, min(size, 500))
    total = count_rows(stmt, key_column) if count else None
    if after is not None:
        stmt = stmt.where(key_column < after if descending else key_column > after)
    order = key_column.desc() if descending else key_column
    result = db.session.execute(stmt.order_by(order).limit(_written_limit(size + 1)))
    return _page_of(list(result if as_rows else result.scalars()), size, key_column, total)


def _written_limit(limit: int) -> Any:
    """The limit written into the SQL, not bound: with it bound, PostgreSQL's generic plan for
    the prepared statement assumes a tenth of the rows and costs more than the plans made for
    the values, so it planned the statement again on every execution (docs/decisions.md)."""
    return literal_column(str(int(limit)), Integer)


def _page_of(rows: list[Any], size: int, key_column: Any, total: int | None = None) -> Page:
    """``size`` of the ``size + 1`` rows read, and where the next page starts if there is one."""
    last = getattr(rows[size - 1], key_column.key) if len(rows) > size else None
    return Page(items=rows[:size], next_after=last, total=total)


@lru_cache(maxsize=512)
def _paged(base: Select[Any], key_column: Any, after: bool, limit: int) -> Select[Any]:
    """``base`` (itself built once) ordered and limited, so that a page of any depth reuses one
    statement object and its compiled form."""
    stmt = base.where(key_column > bindparam("_page_after")) if after else base
    return stmt.order_by(key_column).limit(_written_limit(limit))


def keyset_rows(
    base: Select[Any], key_column: Any, after: Any | None, size: int, params: dict[str, Any]
) -> Page:
    """``keyset_page`` for a ``guard.scoped_select`` statement built once per process: plain
    rows, ascending on ``key_column``, the filter values in ``params``."""
    size = max(1, min(size, 500))
    stmt = _paged(base, key_column, after is not None, size + 1)
    rows = list(execute_in_scope(db.session(), stmt, {**params, "_page_after": after}))
    return _page_of(rows, size, key_column)

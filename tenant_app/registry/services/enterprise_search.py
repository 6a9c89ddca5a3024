"""Searching a tenant's enterprises: filters → one SELECT, keyset-paged on id.

Name search is ``name ILIKE '%…%'``: on PostgreSQL the GIN trigram index
(ix_enterprises_name_trgm, migration 0003) serves it for 3 or more characters; shorter
patterns have no trigram and fall back to the tenant's rows. The tenant filter itself is added
by tenancy/guard.py like on every query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    func,
    literal,
    or_,
    select,
    text,
)

from tenant_app.core import row_fields as f
from tenant_app.core import uscc as uscc_rules
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.models import Enterprise
from tenant_app.registry.services.enterprise_rows import normalise_industry
from tenant_app.tenancy.queries import Page, keyset_page
from tenant_app.tenancy.scope import current_scope


@dataclass(frozen=True)
class Filters:
    q: str = ""  # name substring (or a credit code, recognised by its shape)
    uscc: str = ""  # credit code or its prefix
    industry: str = ""  # GB/T 4754 code; prefix match ("C26" finds C2614)
    category: str = ""  # supervision_category
    county_id: int | None = None
    permit_expires_from: date | None = None
    permit_expires_to: date | None = None


CODE_SHAPE = re.compile(r"^[0-9][0-9A-Z]{5,17}$")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parse_filters(args: dict[str, Any]) -> Filters:
    """From query-string values (pages) or API arguments; a bad value is a 422 naming it."""
    c = f.Collector()
    c.add("q", f.text, args.get("q"), 200)
    c.add("uscc", f.text, args.get("uscc"), 18)
    c.add("industry", f.text, args.get("industry"), 5)
    c.add("category", f.text, args.get("category"), 16)
    county = args.get("county_id")
    if not f.blank(county):
        c.add("county_id", f.integer, county, 1, 2**62)
    c.add("permit_expires_from", f.a_date, args.get("permit_expires_from"))
    c.add("permit_expires_to", f.a_date, args.get("permit_expires_to"))
    if c.errors:
        raise ServiceError("查询条件有误", c.errors)
    v = c.clean
    if v["industry"] and normalise_industry(v["industry"]) is None:
        raise ServiceError("查询条件有误", {"industry": ["不是国民经济行业分类代码"]})
    return Filters(
        q=v["q"],
        uscc=uscc_rules.normalise(v["uscc"]),
        industry=normalise_industry(v["industry"]) or "",
        category=v["category"],
        county_id=v.get("county_id"),
        permit_expires_from=v["permit_expires_from"],
        permit_expires_to=v["permit_expires_to"],
    )


# The pieces of ix_enterprises_tenant_name_grams (migration 0010y): 3 characters of the name.
GRAM = 3
NAME_INDEX = "ix_enterprises_tenant_name_grams"
_name_index: dict[str, bool] = {}  # database URL -> whether 0010y could create the index


def _has_name_index() -> bool:
    """Whether the database has the tenant name index (0010y creates it only as a superuser);
    asked once per database and process."""
    key = db.engine.url.render_as_string(hide_password=True)
    if key not in _name_index:
        found = db.session.execute(text("SELECT to_regclass(:i) IS NOT NULL"), {"i": NAME_INDEX})
        _name_index[key] = bool(found.scalar())
    return _name_index[key]


def _in_tenant_name_index(q: str) -> ColumnElement[bool] | None:
    """On PostgreSQL, when the scope reads one tenant: the name holds every 3-character piece
    of ``q`` in that tenant's part of the name index — a necessary condition; the caller's
    comparison decides. The trigram index reads, for pieces nearly every name shares, a posting
    of every tenant's names; these are the tenant's own (docs/performance.md). Narrowing within
    the scope, not isolating: the guard's criteria and RLS still decide what is read."""
    if len(q) < GRAM or db.session.get_bind().dialect.name != "postgresql":
        return None
    read = current_scope().read_ids
    if len(read) != 1 or not _has_name_index():
        return None
    grams = func.tenant_name_grams
    mine = grams(Enterprise.tenant_id, Enterprise.name)
    return mine.op("@>>", is_comparison=True)(grams(literal(read[0], BigInteger()), q))


def search_statement(flt: Filters, start: Select[Any] | None = None) -> Select[Any]:
    """The search's statement, from ``select(Enterprise)`` or from ``start`` (another
    selection of the same table)."""
    stmt = select(Enterprise) if start is None else start
    if flt.q:
        pattern = f"%{_escape_like(flt.q)}%"
        by_name: ColumnElement[bool] = Enterprise.name.ilike(pattern, escape="\\")
        if (indexed := _in_tenant_name_index(flt.q)) is not None:
            # lower() LIKE lower() is ILIKE, written so that it cannot be answered from the
            # all-tenant trigram index instead: it only confirms the few names found
            by_name = and_(
                indexed, func.lower(Enterprise.name).like(func.lower(pattern), escape="\\")
            )
        code = uscc_rules.normalise(flt.q)
        if CODE_SHAPE.match(code):  # a typed credit code (prefix) is found by q as well
            by_name = or_(by_name, Enterprise.uscc.startswith(code, autoescape=True))
        stmt = stmt.where(by_name)
    if flt.uscc:
        stmt = stmt.where(Enterprise.uscc.startswith(flt.uscc, autoescape=True))
    if flt.industry:
        stmt = stmt.where(Enterprise.industry_code.startswith(flt.industry, autoescape=True))
    if flt.category:
        stmt = stmt.where(Enterprise.supervision_category == flt.category)
    if flt.county_id is not None:
        stmt = stmt.where(Enterprise.county_tenant_id == flt.county_id)
    if flt.permit_expires_from is not None:
        stmt = stmt.where(Enterprise.permit_valid_to >= flt.permit_expires_from)
    if flt.permit_expires_to is not None:
        stmt = stmt.where(Enterprise.permit_valid_to <= flt.permit_expires_to)
    return stmt


def search(flt: Filters, after: int | None = None, limit: int = 50, count: bool = False) -> Page:
    return keyset_page(search_statement(flt), Enterprise.id, after, limit, count=count)


_COLUMNS = tuple(getattr(Enterprise, c.key) for c in Enterprise.__table__.c)


@cache
def _rows_start() -> Select[Any]:
    """select(*_COLUMNS), built once per process: coercing 28 columns cost every request."""
    return select(*_COLUMNS)


def search_rows(flt: Filters, after: int | None = None, limit: int = 50) -> Page:
    """The same search answering plain rows (every column, read by name like the entity): the
    API list only serialises them, and building 50 entities was a fifth of its time (issue 13).
    The columns are the entity's mapped attributes, not the table's: the tenant criteria of
    tenancy/guard.py apply to a statement of an entity's columns, not to bare table columns."""
    stmt = search_statement(flt, _rows_start())
    return keyset_page(stmt, Enterprise.id, after, limit, as_rows=True)


PICK_SIZE = 20


def pick(q: str | None, after: int | None = None, limit: int = PICK_SIZE) -> Page | None:
    """The enterprise picker of the forms (search as you type): by part of the name or by the
    credit code (or its beginning), ``limit`` at a time, keyset-paged like the list, so nothing
    past the first screen is out of reach. None for an empty query: the picker asks for one
    rather than listing the whole register. A query too long is a 422 naming the field."""
    flt = parse_filters({"q": q})
    if not flt.q:
        return None
    return search(flt, after, limit, count=after is None)

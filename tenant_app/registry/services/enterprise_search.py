"""Searching a tenant's enterprises: filters → one SELECT, keyset-paged on id.

Name search is ``name ILIKE '%…%'``: on PostgreSQL the GIN trigram index
(ix_enterprises_name_trgm, migration 0003) serves it for 3 or more characters, and when the
scope reads one tenant, that tenant's own name pieces (ix_enterprises_tenant_name_grams,
0010y); shorter patterns fall back to the tenant's rows. The conditions are built once per
shape of filters with their values bound (issue 13); the tenant criterion is the guard's
(tenancy/guard.py), on the ORM statements of the pages as on the Core statement of the API list.
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
    Date,
    Select,
    String,
    and_,
    bindparam,
    func,
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
from tenant_app.tenancy.guard import scoped_select
from tenant_app.tenancy.queries import Page, keyset_page, keyset_rows
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
_name_index: dict[int, bool] = {}  # id of the engine -> whether 0010y could create the index


def _has_name_index() -> bool:
    """Whether the database has the tenant name index (0010y creates it only as a superuser);
    asked once per database and process."""
    key = id(db.engine)
    if key not in _name_index:
        found = db.session.execute(text("SELECT to_regclass(:i) IS NOT NULL"), {"i": NAME_INDEX})
        _name_index[key] = bool(found.scalar())
    return _name_index[key]


def _name_index_tenant(q: str) -> int | None:
    """The tenant whose part of the name index can narrow a search for ``q``: on PostgreSQL,
    when the scope reads one tenant and ``q`` has a 3-character piece (docs/performance.md)."""
    if len(q) < GRAM or db.session.get_bind().dialect.name != "postgresql":
        return None
    read = current_scope().read_ids
    if len(read) != 1 or not _has_name_index():
        return None
    return read[0]


def _shape_and_values(flt: Filters) -> tuple[tuple[str, ...], dict[str, Any]]:
    """Which conditions a search has (its statement's shape, built once per process) and the
    values they are bound to."""
    shape: list[str] = []
    values: dict[str, Any] = {}
    if flt.q:
        shape.append("name")
        values["q_pattern"] = f"%{_escape_like(flt.q)}%"
        if (tenant := _name_index_tenant(flt.q)) is not None:
            shape.append("name_index")
            values.update(q_tenant=tenant, q_raw=flt.q)
        code = uscc_rules.normalise(flt.q)
        if CODE_SHAPE.match(code):  # a typed credit code (prefix) is found by q as well
            shape.append("code")
            values["q_code"] = f"{_escape_like(code)}%"
    for name, value in (
        ("uscc", f"{_escape_like(flt.uscc)}%" if flt.uscc else None),
        ("industry", f"{_escape_like(flt.industry)}%" if flt.industry else None),
        ("category", flt.category or None),
        ("county_id", flt.county_id),
        ("expires_from", flt.permit_expires_from),
        ("expires_to", flt.permit_expires_to),
    ):
        if value is not None:
            shape.append(name)
            values[name] = value
    return tuple(shape), values


@cache
def _conditions(shape: tuple[str, ...]) -> tuple[ColumnElement[bool], ...]:
    """The search's conditions on the table's columns, their values bound by name: the same
    for the pages' ORM statements and the API list's Core one."""
    c: Any = Enterprise.__table__.c
    out: list[ColumnElement[bool]] = []
    if "name" in shape:
        pattern = bindparam("q_pattern", type_=String())
        by_name: ColumnElement[bool] = c.name.ilike(pattern, escape="\\")
        if "name_index" in shape:
            # The name holds every 3-character piece of q in the tenant's part of the name
            # index (a necessary condition; the comparison after it decides), then lower()
            # LIKE lower(), which is ILIKE written so that the all-tenant trigram index cannot
            # answer it instead. Narrowing within the scope, not isolating: the scope's
            # criterion and RLS still decide what is read.
            grams = func.tenant_name_grams
            mine = grams(c.tenant_id, c.name)
            wanted = grams(
                bindparam("q_tenant", type_=BigInteger()), bindparam("q_raw", type_=String())
            )
            by_name = and_(
                mine.op("@>>", is_comparison=True)(wanted),
                func.lower(c.name).like(func.lower(pattern), escape="\\"),
            )
        if "code" in shape:
            by_name = or_(by_name, c.uscc.like(bindparam("q_code", type_=String()), escape="\\"))
        out.append(by_name)
    if "uscc" in shape:
        out.append(c.uscc.like(bindparam("uscc", type_=String()), escape="\\"))
    if "industry" in shape:
        out.append(c.industry_code.like(bindparam("industry", type_=String()), escape="\\"))
    if "category" in shape:
        out.append(c.supervision_category == bindparam("category", type_=String()))
    if "county_id" in shape:
        out.append(c.county_tenant_id == bindparam("county_id", type_=BigInteger()))
    if "expires_from" in shape:
        out.append(c.permit_valid_to >= bindparam("expires_from", type_=Date()))
    if "expires_to" in shape:
        out.append(c.permit_valid_to <= bindparam("expires_to", type_=Date()))
    return tuple(out)


def search_statement(flt: Filters, start: Select[Any] | None = None) -> Select[Any]:
    """The search's statement, from ``select(Enterprise)`` or from ``start`` (another
    selection of the same table), its values bound."""
    shape, values = _shape_and_values(flt)
    stmt = select(Enterprise) if start is None else start
    if not shape:
        return stmt
    return stmt.where(*_conditions(shape)).params(values)


def search(flt: Filters, after: int | None = None, limit: int = 50, count: bool = False) -> Page:
    return keyset_page(search_statement(flt), Enterprise.id, after, limit, count=count)


@cache
def _rows_statement(shape: tuple[str, ...]) -> Select[Any]:
    """Every column of the matching enterprises, as a Core statement built once per shape and
    process (tenancy/guard.scoped_select carries the scope's criterion)."""
    table = Enterprise.__table__
    return scoped_select(table, *table.c).where(*_conditions(shape))


def search_rows(flt: Filters, after: int | None = None, limit: int = 50) -> Page:
    """The same search answering plain rows (every column, by name like the entity's
    attributes): the API list only serialises them. Its statement is built once per shape and
    run as Core (issue 13: building the statement, keying it and loading 50 entities were
    more of an API list request's time than the database's answer)."""
    shape, values = _shape_and_values(flt)
    table = Enterprise.__table__
    return keyset_rows(_rows_statement(shape), table.c.id, after, limit, values)


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

"""Which tables move with a tenant, which of their rows, and how a row is written canonically.

Every TenantScoped table moves (its rows with ``tenant_id`` = the tenant), discovered from the
SQLAlchemy metadata, so a table added later moves without a change here. Of the platform-wide
tables, the tenant's own row, the accounts whose home it is and their API tokens move too; every
other platform-wide table is named in ``NOT_MOVED`` with the reason, and
tests/tenants/test_transfer_catalogue.py fails for a table in neither list.

A row is written as a JSON list of its column values in column order, each value in a canonical
form (UTC timestamps with microseconds, decimals at their column's scale, bytes in base64), so
the SHA-256 of a table's lines is the same on SQLite and PostgreSQL for the same data.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Date, DateTime, LargeBinary, Numeric, Table, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from tenant_app.extensions import db
from tenant_app.models.base import Model, TenantScoped, UTCDateTime

# Platform-wide tables whose rows belong to one tenant and move with it.
OWNED = ("tenants", "users", "api_tokens")
# Platform-wide tables that stay where they are, and why (docs/operations.md).
NOT_MOVED: dict[str, str] = {
    "industries": "reference data, loaded by the migrations of every database",
    "calendar_years": "the national working-day calendar, entered per deployment",
    "calendar_days": "the national working-day calendar, entered per deployment",
    "rate_limits": "short-lived throttle windows",
    "user_sessions": "page sessions: people sign in again on the new deployment",
}


def scoped_table_names() -> frozenset[str]:
    """Tables of every TenantScoped model, from the mapper registry (never a hand list)."""
    return frozenset(
        m.local_table.name
        for m in Model.registry.mappers
        if issubclass(m.class_, TenantScoped) and isinstance(m.local_table, Table)
    )


def moved_tables() -> list[Table]:
    """The tables that move, parents before children (metadata.sorted_tables)."""
    scoped = scoped_table_names()
    return [t for t in db.metadata.sorted_tables if t.name in scoped or t.name in OWNED]


def unclassified_tables() -> list[str]:
    """Platform-wide tables nobody decided about: a new one must join OWNED or NOT_MOVED."""
    scoped = scoped_table_names()
    return sorted(
        t.name
        for t in db.metadata.sorted_tables
        if t.name not in scoped and t.name not in OWNED and t.name not in NOT_MOVED
    )


def row_filter(table: Table, tenant_ids: Sequence[int]) -> ColumnElement[bool]:
    """The moved tenants' own rows of a moved table. One tenant's unless the export asked for
    its sub-regions too: a county is a tenant of its own, never moved with its city silently."""
    tables = db.metadata.tables
    ids = list(tenant_ids)
    if table.name == "tenants":
        return table.c.id.in_(ids)
    if table.name == "users":
        return table.c.home_tenant_id.in_(ids)
    if table.name == "api_tokens":
        users = tables["users"]
        return table.c.user_id.in_(select(users.c.id).where(users.c.home_tenant_id.in_(ids)))
    return table.c.tenant_id.in_(ids)


def order_of(table: Table) -> list[Column[Any]]:
    return list(table.primary_key.columns)


# How a referenced row is recognised in the target besides its key: an account by its login,
# a tenant by its slug, a tenant's row by its tenant (ids are only unique within a deployment).
IDENTITY = {"users": "username", "tenants": "slug"}


def identity_column(table: Table) -> Column[Any] | None:
    name = IDENTITY.get(table.name) or ("tenant_id" if "tenant_id" in table.c else None)
    return table.c[name] if name else None


@dataclass(frozen=True)
class Codec:
    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _utc(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _decimal(scale: int | None) -> Callable[[Any], str]:
    def encode(value: Any) -> str:
        number = Decimal(str(value))
        return f"{number:.{scale}f}" if scale is not None else str(number.normalize())

    return encode


def _codec(column: Column[Any]) -> Codec:
    kind = column.type
    if isinstance(kind, UTCDateTime | DateTime):
        return Codec(_utc, datetime.fromisoformat)
    if isinstance(kind, Date):
        return Codec(date.isoformat, date.fromisoformat)
    if isinstance(kind, Numeric) and kind.asdecimal:
        return Codec(_decimal(kind.scale), Decimal)
    if isinstance(kind, LargeBinary):
        return Codec(lambda v: base64.b64encode(bytes(v)).decode(), base64.b64decode)
    if isinstance(kind, JSON):
        return Codec(_plain_json, _same)
    return Codec(_same, _same)


def _plain_json(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


class RowCodec:
    """Encodes a table's rows to canonical lines and decodes them back to insert parameters."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.columns = [c.name for c in table.columns]
        self._codecs = [_codec(c) for c in table.columns]

    def line(self, row: Any) -> str:
        values = [
            None if v is None else codec.encode(v)
            for v, codec in zip(row, self._codecs, strict=True)
        ]
        return json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    def params(self, values: list[Any]) -> dict[str, Any]:
        if len(values) != len(self.columns):
            raise ValueError(f"{len(values)} values for {len(self.columns)} columns")
        return {
            name: None if v is None else codec.decode(v)
            for name, v, codec in zip(self.columns, values, self._codecs, strict=True)
        }


def table_lines(session: Session, table: Table, tenant_ids: Sequence[int]) -> Iterator[str]:
    """The moved tenants' rows of ``table`` as canonical lines, in key order, streamed."""
    codec = RowCodec(table)
    stmt = (
        select(table)
        .where(row_filter(table, tenant_ids))
        .order_by(*order_of(table))
        .execution_options(yield_per=2000, all_tenants=True)
    )
    for row in session.execute(stmt):
        yield codec.line(row)


def table_digest(session: Session, table: Table, tenant_ids: Sequence[int]) -> tuple[int, str]:
    """(rows, SHA-256 of the lines each followed by a newline): what the manifest records."""
    digest, count = hashlib.sha256(), 0
    for line in table_lines(session, table, tenant_ids):
        digest.update(line.encode() + b"\n")
        count += 1
    return count, digest.hexdigest()

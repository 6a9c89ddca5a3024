"""The audit log's monthly partitions on PostgreSQL (issue 13 item 5; migration 0010u).

``audit_log`` is partitioned by RANGE on ``at``, one partition per UTC month (``audit_log_pYYYYMM``)
and a DEFAULT partition that takes any row whose month has none yet, so an append never fails
when this job is late. ``ensure`` asks the database function ``app_audit_partitions`` (SECURITY
DEFINER, owned by the schema owner: the app role cannot create tables) for the current month and
the next ``AHEAD_MONTHS`` (and for up to twelve earlier months the default partition holds rows
of, e.g. after a tenant's entries were restored); it is idempotent, and rows the default
partition took for a month that now gets its partition are moved into it unchanged (the chain
covers the row, not where it is stored). On SQLite the log is one plain table and this does nothing.

Retention (detaching an old month for the archive) is the operator's: deploy/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text

from tenant_app import clock
from tenant_app.extensions import db

AHEAD_MONTHS = 3


@dataclass(frozen=True)
class Outcome:
    partitioned: bool  # False on SQLite: nothing to do
    created: int
    moved: int  # rows moved out of the default partition into a new month


@dataclass(frozen=True)
class Partition:
    name: str
    bounds: str  # PostgreSQL's own words: FOR VALUES FROM (…) TO (…) | DEFAULT
    rows: int  # the planner's estimate (pg_class.reltuples; -1 before the first ANALYZE)


def is_partitioned() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def ensure(month: date | None = None, ahead: int = AHEAD_MONTHS) -> Outcome:
    """Create the partitions of ``month`` (default: the current UTC month) and of the ``ahead``
    months after it that are missing, and commit."""
    if not is_partitioned():
        return Outcome(False, 0, 0)
    if month is None:
        month = clock.utcnow().date()
    row = db.session.execute(
        text("SELECT created, moved FROM app_audit_partitions(:m, :a)"),
        {"m": month, "a": ahead},
    ).one()
    db.session.commit()
    return Outcome(True, int(row.created), int(row.moved))


def listing() -> list[Partition]:
    """The partitions, oldest first and the default last, read from the catalogue (the app role
    may read it; it has no right on the partitions themselves)."""
    if not is_partitioned():
        return []
    rows = db.session.execute(
        text(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bounds,"
            " c.reltuples::bigint AS rows FROM pg_inherits i"
            " JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'public.audit_log'::regclass"
            " ORDER BY c.relname = 'audit_log_default', c.relname"
        )
    ).all()
    db.session.rollback()
    return [Partition(r.relname, r.bounds, int(r.rows)) for r in rows]

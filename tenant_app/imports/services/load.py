"""Batched inserts of validated rows, in the caller's transaction.

Rows go out as one multi-row INSERT per batch (SQLAlchemy's "insertmanyvalues" executemany),
not one ORM object per row: 100,000 rows are 50 statements, and no identity map grows. The rows
bypass the ORM flush, so the tenant and author columns are set here explicitly (the tenancy
guard stamps flushed objects only); PostgreSQL's row-level security still checks every row.
Nothing is committed here: the job commits the whole import with its audit entry, or nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert

from tenant_app.clock import utcnow
from tenant_app.extensions import db
from tenant_app.imports.services.columns import ENTERPRISES
from tenant_app.models import ComplianceRecord, Enterprise

BATCH = 2000


class Loader:
    def __init__(self, table: Table, fixed: dict[str, Any], batch: int = BATCH) -> None:
        self.table, self.fixed, self.size = table, fixed, batch
        self.pending: list[dict[str, Any]] = []
        self.written = 0

    def add(self, clean: dict[str, Any]) -> None:
        self.pending.append({**clean, **self.fixed})
        if len(self.pending) >= self.size:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            write_batch(self.table, self.pending)
            self.written += len(self.pending)
            self.pending = []


def write_batch(table: Table, rows: list[dict[str, Any]]) -> None:
    """One executemany. A module-level function so a test can make the n-th batch fail."""
    db.session.execute(insert(table), rows)


def loader_for(kind: str, tenant_id: int, user_id: int | None, user_name: str) -> Loader:
    now = utcnow()
    if kind == ENTERPRISES:
        return Loader(
            Enterprise.__table__,  # type: ignore[arg-type]
            {"tenant_id": tenant_id, "created_by": user_id, "created_at": now, "updated_at": now},
            BATCH,
        )
    return Loader(
        ComplianceRecord.__table__,  # type: ignore[arg-type]
        {
            "tenant_id": tenant_id,
            "entered_by": user_id,
            "entered_by_name": user_name,
            "created_at": now,
        },
        BATCH,
    )

"""The operator's own database session for a transfer.

Export and import run as the schema owner (``MIGRATE_DATABASE_URL``, else ``DATABASE_URL``), as
migrations do: the app role may not read ``users.password_hash`` or ``alembic_version``, nor
move a sequence. Row-level security is forced on tenant tables even for the owner, so the session
carries a signed scope like every other (tenancy/guard.py); ``scoped`` changes it mid-transaction.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from tenant_app.audit.log import keyring
from tenant_app.config import normalise_db_url
from tenant_app.tenancy.guard import reapply_scope
from tenant_app.tenancy.scope import Scope, use_scope

_FINGERPRINT = b"tenant-app transfer audit key fingerprint v1"


@contextmanager
def operator_session() -> Iterator[Session]:
    cfg = current_app.config
    url = normalise_db_url(cfg.get("MIGRATE_DATABASE_URL") or cfg["SQLALCHEMY_DATABASE_URI"])
    engine = create_engine(url)
    try:
        with Session(engine, autoflush=False, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


@contextmanager
def scoped(session: Session, scope: Scope) -> Iterator[None]:
    """Enter ``scope`` for the app and for ``session``'s open transaction alike."""
    with use_scope(scope):
        reapply_scope(session)
        yield
    reapply_scope(session)


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def schema_revision(session: Session) -> list[str]:
    """The Alembic heads the database is at (one, unless branches were merged unapplied)."""
    rows = session.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return sorted(str(r) for r in rows)


def key_fingerprint(version: int) -> str | None:
    """Names an audit key without revealing it (HMAC of a fixed text under the key)."""
    key = keyring().get(version)
    if key is None:
        return None
    return hmac.new(key, _FINGERPRINT, hashlib.sha256).hexdigest()[:16]


def advance_sequence(session: Session, table: str, column: str, next_id: int) -> int | None:
    """Make the id sequence of ``table.column`` hand out ``next_id`` or later next (never move
    it back); returns the id it hands out next, None for a column without a sequence.
    PostgreSQL only."""
    sequence = session.execute(
        text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table, "c": column}
    ).scalar()
    if sequence is None:
        return None
    # the name comes from the catalogue, quoted by PostgreSQL itself
    last, called = session.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one()
    upcoming = max(next_id, int(last) + 1 if called else int(last))
    session.execute(
        text("SELECT setval(CAST(:s AS regclass), :n, false)"), {"s": sequence, "n": upcoming}
    )
    return upcoming

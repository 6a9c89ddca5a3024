"""How a request's database transaction ends (issue 13 item 1).

A request that only read ends its transaction with COMMIT, not ROLLBACK. For the database the
two are the same (there is nothing to keep or undo), but psycopg forgets every statement it
had prepared on the connection at each ROLLBACK, so with ROLLBACK no statement was ever
executed prepared (psycopg prepares one on its fifth use on a connection) and PostgreSQL
parsed and planned each request's statements again, RLS policies included: about two thirds
of the database's time per API list request (docs/performance.md).

"Only read" is decided conservatively, and anything else ends as before, rolled back:
- no unhandled error reached the request's teardown;
- every statement the transaction sent was a compiled SELECT (``text()`` statements, INSERT,
  UPDATE, DELETE and DDL count as writes, whatever they do);
- the session holds no pending object, change or deletion, and no side effect waiting for a
  commit (``session.info``: jobs to dispatch, uploaded files to keep);
- no savepoint is open.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.selectable import CompoundSelect, Select

from tenant_app.tenancy.guard import open_connections

_WROTE = "tenant_app.may_have_written"


def _read_only(context: Any) -> bool:
    compiled = getattr(context, "compiled", None)
    return compiled is not None and isinstance(compiled.statement, Select | CompoundSelect)


def track_writes(engine: Engine) -> None:
    """Mark a connection's transaction as possibly written by any statement not a SELECT."""

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.info[_WROTE] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _note(
        conn: Connection, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        if not conn.info.get(_WROTE) and not _read_only(context):
            conn.info[_WROTE] = True


def commit_if_read_only(exc: BaseException | None) -> None:
    """The request's teardown, before Flask-SQLAlchemy closes the session (which rolls back
    whatever transaction is still open)."""
    from tenant_app.extensions import db

    if exc is not None:
        return
    session = db.session()
    trans = session.get_transaction()
    if trans is None or not trans.is_active or session.in_nested_transaction() or session.info:
        return
    if session.new or session.deleted or session.dirty:
        return
    connections = open_connections(session)
    if any(conn.info.get(_WROTE, True) for conn in connections):
        return
    # The connections' transactions, not the session's commit: the session is closed next, so
    # its commit protocol (flush, events, expiring every object) would have nothing to do.
    for conn in connections:
        conn.commit()


def init_app(app: Flask, engine: Engine) -> None:
    track_writes(engine)
    # Teardown functions run last-registered first: this one before Flask-SQLAlchemy's.
    app.teardown_appcontext(commit_if_read_only)

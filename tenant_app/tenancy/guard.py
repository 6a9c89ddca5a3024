"""The one scoped query path, enforced as SQLAlchemy session events.

* every ORM SELECT/UPDATE/DELETE of a TenantScoped model gets ``tenant_id IN scope``; a Core
  SELECT gets the same from ``scoped_select`` and runs only through ``execute_in_scope``;
* every flushed TenantScoped row is stamped with, and checked against, the write tenant;
* on PostgreSQL every transaction starts with ``set_config(..., true)`` so row-level security
  sees the same scope, and a pooled connection never carries one request's scope to the next
  (an empty scope needs no statement: the settings are transaction-local; and a scope the
  transaction already holds is not set again: issue 13, one ``set_config`` per request);
  the settings are signed (``app.scope_sig``, tenancy/scope_key.py) so SQL that merely calls
  ``set_config`` cannot widen them: the policies trust only a setting with a valid signature.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import FromClause, Select, bindparam, event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, with_loader_criteria

from tenant_app.models.base import TenantScoped
from tenant_app.tenancy import scope_key
from tenant_app.tenancy.scope import Scope, current_scope


class TenantViolation(RuntimeError):
    """A write outside the current tenant: a bug, never a user error."""


# The four signed settings, as columns: a statement of their own (SET_SCOPE) or carried by
# another one (scope_with_row). A compiled SELECT, not text(): a transaction that only set its
# scope and read still ends with COMMIT (core/request_transactions.py).
SCOPE_SETTINGS = tuple(
    func.set_config(name, bindparam(param), True).label(f"_scope_{param}")
    for name, param in (
        ("app.tenant_id", "tenant_id"),
        ("app.read_tenants", "read_ids"),
        ("app.user_id", "user_id"),
        ("app.scope_sig", "sig"),
    )
)
SET_SCOPE = select(*SCOPE_SETTINGS)


def backend_pid(connection: Connection) -> int:
    """The server process of this connection, known to libpq without a round trip."""
    dbapi = connection.connection.dbapi_connection
    return int(dbapi.info.backend_pid)  # type: ignore[union-attr]


def _scope_params(connection: Connection, scope: Scope | None = None) -> dict[str, str]:
    params = {**_wanted(scope or current_scope()), "sig": ""}
    if has_app_context():  # without the key nothing is signed, so nothing is visible
        key = scope_key.derive(current_app.config["DB_SCOPE_KEY"])
        params["sig"] = scope_key.sign(
            key, backend_pid(connection), params["tenant_id"], params["read_ids"], params["user_id"]
        )
    return params


# connection.info key: the scope settings this connection's transaction holds now, so a scope
# entered again (a nested use_scope, a request re-binding the same scope) costs no round trip.
_APPLIED = "tenant_app.rls_scope"


def _wanted(scope: Scope) -> dict[str, str]:
    return {
        "tenant_id": "" if scope.tenant_id is None else str(scope.tenant_id),
        "read_ids": ",".join(str(i) for i in scope.read_ids),
        "user_id": "" if scope.user_id is None else str(scope.user_id),
    }


def _apply(connection: Connection, *, transaction_start: bool = False) -> None:
    if connection.dialect.name != "postgresql":
        return
    scope = current_scope()
    wanted = _wanted(scope)
    if transaction_start:
        connection.info.pop(_APPLIED, None)
        if not any(wanted.values()):
            # The settings are transaction-local (set_config(..., true)) and never set for the
            # session, so a transaction starts with none, which RLS reads as "nothing visible"
            # like the empty scope: the first statement of a request (its token or session
            # lookup) needs no set_config. An explicit reapply_scope() still signs it.
            return
    elif connection.info.get(_APPLIED) == wanted:
        return
    connection.execute(SET_SCOPE, _scope_params(connection))
    connection.info[_APPLIED] = wanted


def scope_with_row(session: Session, scope: Scope, stmt: Any, params: dict[str, Any]) -> Any:
    """PostgreSQL only: open the session's transaction and run ``stmt``, a one-row SELECT that
    carries ``SCOPE_SETTINGS``, so that ``scope`` is set and the row read in one round trip. For
    a request whose scope is known before the row that confirms it (a cached token's user,
    auth/api.py): one statement instead of two. The caller then makes ``scope`` the request's
    (``set_request_scope``, which costs nothing now), or another scope if the row says so (which
    is applied then, before anything else is read)."""
    connection = session.connection()
    row = connection.execute(stmt, {**_scope_params(connection, scope), **params}).one()
    connection.info[_APPLIED] = _wanted(scope)
    return row


def reapply_scope(session: Session | None = None) -> None:
    """Called when the scope changes: a transaction already open must see the new one too
    (no round trip when its connection holds that scope already). ``session``: one other than
    the app's (the operator's own session of a tenant transfer, tenants/transfer/operator.py)."""
    from tenant_app.extensions import db

    if session is None:
        try:
            session = db.session()
        except RuntimeError:  # outside an app context: the next transaction picks the scope up
            return
    if session.in_transaction():
        for conn in open_connections(session):
            _apply(conn)


def open_connections(session: Session) -> list[Connection]:
    trans = session.get_transaction()
    if trans is None:
        return []
    return [conn for conn, *_ in trans._connections.values()]  # noqa: SLF001


@event.listens_for(Session, "after_begin")
def _set_rls_scope(
    session: Session, transaction: SessionTransaction, connection: Connection
) -> None:
    _apply(connection, transaction_start=True)


@event.listens_for(Session, "after_transaction_end")
def _forget_applied_scope(session: Session, transaction: SessionTransaction) -> None:
    """A savepoint rolled back undoes the settings made inside it: set them again next time."""
    if transaction.nested:
        for conn in open_connections(session):
            conn.info.pop(_APPLIED, None)


def _read_ids(scope: Scope, options: Mapping[str, Any]) -> list[int]:
    ids = list(scope.read_ids)
    if options.get("with_ancestors"):
        ids += list(scope.ancestor_ids)
    # queries.descendants(): the write tenant's subtree, for the one read that needs it
    # (the parent's filing inbox, issue 5); RLS allows it on that table only.
    ids += list(options.get("with_descendants") or ())
    return ids


# Core SELECTs (no ORM event runs for them): the same criterion, its ids bound at execution.
_SCOPE_READ_IDS = "_scope_read_ids"
_SCOPED_CORE = "tenant_scoped_core"


def scoped_select(table: FromClause, *columns: Any) -> Select[Any]:
    """A Core SELECT of a tenant table carrying the guard's criterion, ``tenant_id IN`` the
    scope's reads, bound when ``execute_in_scope`` runs it. For hot reads whose statement is
    built once per process and reused (issue 13): an ORM statement gets the criterion as a new
    option on every execution, which SQLAlchemy must then key and look up again."""
    criterion = table.c.tenant_id.in_(bindparam(_SCOPE_READ_IDS, expanding=True))
    return select(*columns).where(criterion).execution_options(**{_SCOPED_CORE: True})


def execute_in_scope(session: Session, stmt: Select[Any], params: dict[str, Any]) -> Any:
    """Run a ``scoped_select`` statement in the session's transaction (whose RLS scope is set
    like any ORM read's) with the scope's reads bound; any other statement is refused."""
    options = stmt.get_execution_options()
    if not options.get(_SCOPED_CORE):
        raise TenantViolation("execute_in_scope runs only statements made by scoped_select")
    ids = _read_ids(current_scope(), options)
    return session.connection().execute(stmt, {**params, _SCOPE_READ_IDS: ids})


@event.listens_for(Session, "do_orm_execute")
def _restrict_to_scope(state: ORMExecuteState) -> None:
    if state.execution_options.get("all_tenants"):
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    scope = current_scope()
    if state.is_select:
        ids = _read_ids(scope, state.execution_options)
    else:
        ids = [] if scope.tenant_id is None else [scope.tenant_id]
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.tenant_id.in_(ids),
            include_aliases=True,
            track_closure_variables=True,
        )
    )


@event.listens_for(Session, "before_flush")
def _stamp_and_check(session: Session, flush_context: Any, instances: Any) -> None:
    scope = current_scope()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, TenantScoped):
            continue
        if obj in session.new and obj.tenant_id is None:
            obj.tenant_id = scope.tenant_id  # type: ignore[assignment]
        if obj.tenant_id is None or obj.tenant_id != scope.tenant_id:
            raise TenantViolation(
                f"{type(obj).__name__} of tenant {obj.tenant_id} written in scope {scope.tenant_id}"
            )

"""The tenant scope of the current unit of work: which tenant is written, which are read.

A request sets it once (tenancy.resolve); a job or CLI command sets it with ``use_scope``.
Everything that touches tenant rows reads it from here, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from flask import g, has_app_context


@dataclass(frozen=True)
class Scope:
    tenant_id: int | None = None  # the tenant rows are written to; None = read-only
    read_ids: tuple[int, ...] = ()  # tenants whose rows may be read
    user_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    # Ancestors of the write tenant: readable only through queries that opt in with
    # queries.inherited(), for data a child inherits (its parents' policy versions).
    ancestor_ids: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.read_ids


NOTHING = Scope()
_scope: ContextVar[Scope] = ContextVar("tenant_scope", default=NOTHING)


def current_scope() -> Scope:
    if has_app_context() and "tenant_scope" in g:
        return g.tenant_scope
    return _scope.get()


@contextmanager
def use_scope(scope: Scope) -> Iterator[Scope]:
    """Run a block (a job, a CLI command, a test) as if in that scope."""
    token = _scope.set(scope)
    had_g = has_app_context() and "tenant_scope" in g
    previous = g.tenant_scope if had_g else None
    if has_app_context():
        g.tenant_scope = scope
    from tenant_app.tenancy.guard import reapply_scope

    reapply_scope()
    try:
        yield scope
    finally:
        _scope.reset(token)
        if has_app_context():
            if had_g:
                g.tenant_scope = previous
            else:
                g.pop("tenant_scope", None)
        reapply_scope()


def set_request_scope(scope: Scope) -> None:
    g.tenant_scope = scope
    from tenant_app.tenancy.guard import reapply_scope

    reapply_scope()

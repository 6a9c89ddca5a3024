"""Who acts: the one value pages, the API, operator commands and jobs build and hand to services.

Services are told who acts instead of reading Flask's request state, so the audit log, listing
steps and inspection records name the same person the same way, and a job or an operator
command calls a service exactly as a page does (CKAN's logic layer takes an explicit context
for the same reason).

The tenant *guard* stays ambient (``tenancy.scope``): SQLAlchemy's events and PostgreSQL's
row-level security cannot be handed an argument. The context carries the same scope, so a
service that needs the roles or the write tenant reads them from the value it was given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from tenant_app import clock
from tenant_app.tenancy.scope import Scope

if TYPE_CHECKING:
    from tenant_app.models import Tenant, User


@dataclass(frozen=True)
class Actor:
    """A person (by account) or the system itself."""

    user_id: int | None
    username: str  # the account's login; "system" or "anonymous" when no account acts
    display_name: str = ""

    @property
    def name(self) -> str:
        """How records people read (steps, inspection records) name the actor."""
        return self.display_name or self.username

    @property
    def is_person(self) -> bool:
        return self.user_id is not None


SYSTEM = Actor(None, "system", "系统")
ANONYMOUS = Actor(None, "anonymous", "匿名访问")


def actor_of(user: User | None) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    return Actor(user.id, user.username, user.display_name or "")


@dataclass(frozen=True)
class Context:
    """One unit of work: who acts, for which tenant scope, from which address, at what time."""

    tenant: Tenant | None
    scope: Scope
    actor: Actor = SYSTEM
    address: str = ""
    at: datetime = field(default_factory=clock.now)  # the app's clock, Asia/Shanghai
    # Services check the actor's roles for a web request's context. Operator commands and jobs
    # act as the operator, or on behalf of the user whose request was checked when it was asked.
    checks_roles: bool = True

    @property
    def tenant_id(self) -> int | None:
        return self.scope.tenant_id

    @property
    def user_id(self) -> int | None:
        return self.actor.user_id

    @property
    def roles(self) -> frozenset[str]:
        return self.scope.roles

    @property
    def today(self) -> date:
        """The business date of the act (Asia/Shanghai)."""
        return self.at.date()

    def has_role(self, *roles: str) -> bool:
        return any(str(r) in self.scope.roles for r in roles)


def for_tenant(
    tenant: Tenant,
    *,
    actor: Actor = SYSTEM,
    scope: Scope | None = None,
    address: str = "",
) -> Context:
    """A job or an operator command acting inside one tenant, as its own staff would."""
    from tenant_app.tenancy.resolve import tenant_scope

    return Context(
        tenant=tenant,
        scope=scope or tenant_scope(tenant, actor.user_id),
        actor=actor,
        address=address,
        checks_roles=False,
    )

"""Shared by the listing services: the tenant's policy, the actor, recording a step."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import select

from policies import Policy
from tenant_app.clock import today
from tenant_app.core.errors import Conflict
from tenant_app.extensions import db
from tenant_app.models import Tenant
from tenant_app.models.listing import ListingStep
from tenant_app.policy.service import policy_for
from tenant_app.tenancy.scope import current_scope


def tenant() -> Tenant:
    """The write tenant of the current scope (request or job)."""
    if has_request_context() and "tenant" in g:
        return g.tenant
    return db.session.execute(
        select(Tenant).where(Tenant.id == current_scope().tenant_id)
    ).scalar_one()


def policy(on: date | None = None) -> Policy:
    return policy_for(tenant(), on or today())


def actor() -> tuple[int | None, str]:
    if has_request_context() and current_user.is_authenticated:
        return current_user.id, current_user.display_name or current_user.username
    return current_scope().user_id, "system"


def record_step(
    step: str,
    *,
    entry_id: int | None = None,
    batch_id: int | None = None,
    on_date: date | None = None,
    result: str = "",
    summary: str = "",
    evidence: dict[str, Any] | None = None,
    rule_id: str = "",
    due_date: date | None = None,
) -> ListingStep:
    """Every step is kept with who, when and what evidence (XJ-P)."""
    uid, name = actor()
    on_date = on_date or today()
    row = ListingStep(
        entry_id=entry_id,
        batch_id=batch_id,
        step=step,
        on_date=on_date,
        result=result,
        summary=summary,
        evidence=evidence or {},
        rule_id=rule_id,
        due_date=due_date,
        overdue=bool(due_date and on_date > due_date),
        actor_id=uid,
        actor_name=name[:64],
    )
    db.session.add(row)
    return row


def refuse_state(what: str, state: str, allowed: tuple[str, ...], labels: dict[str, str]) -> None:
    """A step out of order is refused with the state it needs (409)."""
    if state not in allowed:
        need = "、".join(labels.get(s, s) for s in allowed)
        raise Conflict(f"{what}：当前状态为“{labels.get(state, state)}”，须在“{need}”状态下进行")

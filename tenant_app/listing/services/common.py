"""Shared by the listing services: the acting tenant, its policy, recording a step. Everything
comes from the Context the caller hands over (tenant_app/context.py), never from the request."""

from __future__ import annotations

from datetime import date
from typing import Any

from policies import Policy
from tenant_app.context import Context
from tenant_app.core.errors import Conflict
from tenant_app.extensions import db
from tenant_app.models import Tenant
from tenant_app.models.listing import ListingStep
from tenant_app.policy.service import policy_for


def tenant(ctx: Context) -> Tenant:
    """The tenant the positive list is kept for: the context's write tenant."""
    if ctx.tenant is None:
        raise RuntimeError("the positive list is kept inside a tenant: the context has none")
    return ctx.tenant


def policy(ctx: Context, on: date | None = None) -> Policy:
    """The tenant's policy in force on ``on`` (default: the day of the act)."""
    return policy_for(tenant(ctx), on or ctx.today)


def record_step(
    ctx: Context,
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
    on_date = on_date or ctx.today
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
        actor_id=ctx.actor.user_id,
        actor_name=ctx.actor.name[:64],
    )
    db.session.add(row)
    return row


def refuse_state(what: str, state: str, allowed: tuple[str, ...], labels: dict[str, str]) -> None:
    """A step out of order is refused with the state it needs (409)."""
    if state not in allowed:
        need = "、".join(labels.get(s, s) for s in allowed)
        raise Conflict(f"{what}：当前状态为“{labels.get(state, state)}”，须在“{need}”状态下进行")

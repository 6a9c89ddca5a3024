"""Every rule checked at the moment it bites, against the facts of that moment (issue 11).

One mechanism for the compiling procedure (XJ-P), used by every step that moves an entry:

* **Who** (``require_compiler``, ``filing_target``): the pack's ``listing.compiled_by`` level
  compiles the list, ``listing.filed_with`` receives the filing. Never the caller's choice.
* **When** (``not_before``, ``step_date``): each step is dated, not in the future, and not before
  the steps ``procedure.order`` puts before it.
* **Whether** (``hold``, ``sift``): the enterprise is screened again (XJ-C, XJ-D, XJ-X, XJ-R
  bans: ``Policy.screen``) on the date of each step up to publication, under the policy in force
  that day. A record that arrived meanwhile stops the entry: state ``stopped``, the reason with
  its rule ids on the entry, a step row, a ledger line and an audit entry, kept even though the
  step itself is refused (``EntryStopped.keep``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select

from policies.decision import ScreeningResult
from policies.listing import STEP_TITLES
from tenant_app.audit import log as audit
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ServiceError, ValidationFailed
from tenant_app.extensions import db
from tenant_app.listing.services import ledger
from tenant_app.listing.services.common import policy, record_step, tenant
from tenant_app.models import Tenant
from tenant_app.models.listing import ListingEntry, ListingStep
from tenant_app.models.tenant import LEVEL_LABELS, Level
from tenant_app.registry.services.enterprise_facts import facts_for

# ListingStep.step → the name procedure.order uses for it.
RECORDED_AS = {"opinion": "opinions"}


class NotCompiler(ServiceError):
    """This tenant's level is not the one the pack says compiles the list (or files it)."""

    status = 403
    code = "forbidden"


class EntryStopped(Conflict):
    """The entry no longer qualifies on the step's date: stopped, and the stop is kept."""

    keep = True


def _level(level: str) -> str:
    try:
        return LEVEL_LABELS[Level(level)]
    except ValueError:
        return level


def require_compiler(ctx: Context, what: str) -> Tenant:
    """Refuse ``what`` unless this tenant is at the pack's ``listing.compiled_by`` level."""
    t = tenant(ctx)
    need = policy(ctx).compiled_by()
    if t.level != need.answer:
        reason = (
            f"正面清单由{_level(need.answer)}生态环境部门编制（{need.rule_id}），"
            f"本单位为{_level(t.level)}，不能办理“{what}”"
        )
        raise NotCompiler(reason, {"tenant": [reason]})
    return t


def filing_target(ctx: Context, t: Tenant) -> Tenant:
    """The ancestor at the pack's ``listing.filed_with`` level that receives the filing."""
    need = policy(ctx).filed_with()
    ids = t.ancestor_ids
    rows = (
        db.session.execute(select(Tenant).where(Tenant.id.in_(ids))).scalars().all() if ids else []
    )
    found = [r for r in rows if r.level == need.answer]
    if not found:
        raise Conflict(
            f"没有{_level(need.answer)}上级部门可备案（{need.rule_id}）",
            {"tenant": [f"备案对象应为{_level(need.answer)}生态环境部门"]},
        )
    return max(found, key=lambda r: len(r.path))  # the nearest one


def _earlier(order: tuple[str, ...], step: str) -> list[str]:
    if step not in order:
        return []
    before = order[: order.index(step)]
    recorded = {v: k for k, v in RECORDED_AS.items()}
    return [recorded.get(s, s) for s in before]


def not_before(
    ctx: Context,
    step: str,
    on: date,
    field: str,
    *,
    entry_ids: Iterable[int] = (),
    batch_id: int | None = None,
) -> None:
    """Refuse ``on`` when a step ``procedure.order`` puts before ``step`` was dated later."""
    order = policy(ctx).procedure_order()
    names = _earlier(order.answer, step)
    ids = list(entry_ids)
    if not names or (not ids and batch_id is None):
        return
    cond: list[ColumnElement[bool]] = []
    if ids:
        cond.append(ListingStep.entry_id.in_(ids))
    if batch_id is not None:
        cond.append(ListingStep.batch_id == batch_id)
    where = cond[0] if len(cond) == 1 else (cond[0] | cond[1])
    row = db.session.execute(
        select(ListingStep.step, ListingStep.on_date)
        .where(where, ListingStep.step.in_(names))
        .order_by(ListingStep.on_date.desc())
        .limit(1)
    ).first()
    if row is not None and on < row.on_date:
        prior = STEP_TITLES.get(RECORDED_AS.get(row.step, row.step), row.step)
        raise ValidationFailed.field(
            field,
            f"{STEP_TITLES.get(step, step)}日期 {on.isoformat()} 早于此前的"
            f"{prior}（{row.on_date.isoformat()}）：{order.rule_id} 规定的顺序不能颠倒",
        )


def screen_on(ctx: Context, entry: ListingEntry, on: date) -> ScreeningResult:
    """The enterprise's screening on ``on`` under the policy in force that day."""
    return policy(ctx, on).screen(facts_for(entry.enterprise, on), on)


def reason_of(result: ScreeningResult) -> str:
    """The headline and every condition, route, exclusion or ban that refused it."""
    lines = result.explanation.splitlines()
    parts = [lines[0]] if lines else []
    if result.route == "screening":
        parts += [f"{v.rule_id}：{v.reason}" for v in result.conditions if not v.passed]
    return "；".join(parts)


def _stop(ctx: Context, entry: ListingEntry, result: ScreeningResult, on: date, what: str) -> str:
    before = entry.state
    reason = f"{what}（{on.isoformat()}）时重新筛选，不再符合纳入条件：{reason_of(result)}"
    entry.state, entry.closed_reason = "stopped", reason[:500]
    record_step(
        ctx,
        "eligibility",
        entry_id=entry.id,
        batch_id=entry.batch_id,
        on_date=on,
        result="stopped",
        summary=reason,
        evidence={"screening": result.to_dict()},
        rule_id=result.rule_id,
    )
    ledger.add_entry(ctx, entry.enterprise, "stopped", on, reason[:1000], f"entry:{entry.id}")
    audit.record(
        ctx,
        "listing.entry_stopped",
        object_type="listing_entry",
        object_id=entry.id,
        before={"state": before},
        after={
            "state": "stopped",
            "on": on,
            "step": what,
            "rule_id": result.rule_id,
            "rule_ids": list(result.rule_ids),
            "policy_version": str(result.policy_version or ""),
        },
    )
    return reason


def hold(ctx: Context, entry: ListingEntry, on: date, what: str) -> ScreeningResult:
    """Screen ``entry`` on ``on`` before ``what`` is recorded; stop it (kept) when it fails."""
    result = screen_on(ctx, entry, on)
    if not result.answer:
        reason = _stop(ctx, entry, result, on, what)
        db.session.flush()
        raise EntryStopped(reason, {"enterprise": [reason]})
    return result


def sift(
    ctx: Context, rows: Iterable[ListingEntry], on: date, what: str
) -> tuple[list[ListingEntry], list[dict[str, Any]]]:
    """The batch form of ``hold``: (entries still qualifying, the stopped ones with reasons)."""
    live: list[ListingEntry] = []
    stopped: list[dict[str, Any]] = []
    for e in rows:
        result = screen_on(ctx, e, on)
        if result.answer:
            live.append(e)
        else:
            stopped.append({"entry_id": e.id, "reason": _stop(ctx, e, result, on, what)})
    return live, stopped

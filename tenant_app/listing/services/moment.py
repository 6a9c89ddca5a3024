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
from tenant_app.audit import log as audit
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
STEP_TITLES = {
    "screening": "申请/推荐（筛选）",
    "site_verification": "现场核查",
    "opinions": "征求意见",
    "commitment": "守法承诺",
    "notice": "社会公示",
    "publication": "正式发布",
    "filing": "备案登记",
}


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


def require_compiler(what: str) -> Tenant:
    """Refuse ``what`` unless this tenant is at the pack's ``listing.compiled_by`` level."""
    t = tenant()
    pack = policy().pack
    need = pack["listing"]["compiled_by"]
    if t.level != need:
        rule = pack["procedure"]["rule_id"]
        reason = (
            f"正面清单由{_level(need)}生态环境部门编制（{rule}），"
            f"本单位为{_level(t.level)}，不能办理“{what}”"
        )
        raise NotCompiler(reason, {"tenant": [reason]})
    return t


def filing_target(t: Tenant) -> Tenant:
    """The ancestor at the pack's ``listing.filed_with`` level that receives the filing."""
    pack = policy().pack
    need = pack["listing"]["filed_with"]
    ids = t.ancestor_ids
    rows = (
        db.session.execute(select(Tenant).where(Tenant.id.in_(ids))).scalars().all() if ids else []
    )
    found = [r for r in rows if r.level == need]
    if not found:
        raise Conflict(
            f"没有{_level(need)}上级部门可备案（{pack['procedure']['rule_id']}）",
            {"tenant": [f"备案对象应为{_level(need)}生态环境部门"]},
        )
    return max(found, key=lambda r: len(r.path))  # the nearest one


def _earlier(step: str) -> list[str]:
    order: list[str] = list(policy().pack["procedure"]["order"])
    if step not in order:
        return []
    before = order[: order.index(step)]
    recorded = {v: k for k, v in RECORDED_AS.items()}
    return [recorded.get(s, s) for s in before]


def not_before(
    step: str,
    on: date,
    field: str,
    *,
    entry_ids: Iterable[int] = (),
    batch_id: int | None = None,
) -> None:
    """Refuse ``on`` when a step ``procedure.order`` puts before ``step`` was dated later."""
    names = _earlier(step)
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
        rule = policy().pack["procedure"]["rule_id"]
        raise ValidationFailed.field(
            field,
            f"{STEP_TITLES.get(step, step)}日期 {on.isoformat()} 早于此前的"
            f"{prior}（{row.on_date.isoformat()}）：{rule} 规定的顺序不能颠倒",
        )


def screen_on(entry: ListingEntry, on: date) -> ScreeningResult:
    """The enterprise's screening on ``on`` under the policy in force that day."""
    return policy(on).screen(facts_for(entry.enterprise, on), on)


def reason_of(result: ScreeningResult) -> str:
    """The headline and every condition, route, exclusion or ban that refused it."""
    lines = result.explanation.splitlines()
    parts = [lines[0]] if lines else []
    if result.route == "screening":
        parts += [f"{v.rule_id}：{v.reason}" for v in result.conditions if not v.passed]
    return "；".join(parts)


def _stop(entry: ListingEntry, result: ScreeningResult, on: date, what: str) -> str:
    before = entry.state
    reason = f"{what}（{on.isoformat()}）时重新筛选，不再符合纳入条件：{reason_of(result)}"
    entry.state, entry.closed_reason = "stopped", reason[:500]
    record_step(
        "eligibility",
        entry_id=entry.id,
        batch_id=entry.batch_id,
        on_date=on,
        result="stopped",
        summary=reason,
        evidence={"screening": result.to_dict()},
        rule_id=result.rule_id,
    )
    ledger.add_entry(entry.enterprise, "stopped", on, reason[:1000], f"entry:{entry.id}")
    audit.record(
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


def hold(entry: ListingEntry, on: date, what: str) -> ScreeningResult:
    """Screen ``entry`` on ``on`` before ``what`` is recorded; stop it (kept) when it fails."""
    result = screen_on(entry, on)
    if not result.answer:
        reason = _stop(entry, result, on, what)
        db.session.flush()
        raise EntryStopped(reason, {"enterprise": [reason]})
    return result


def sift(
    rows: Iterable[ListingEntry], on: date, what: str
) -> tuple[list[ListingEntry], list[dict[str, Any]]]:
    """The batch form of ``hold``: (entries still qualifying, the stopped ones with reasons)."""
    live: list[ListingEntry] = []
    stopped: list[dict[str, Any]] = []
    for e in rows:
        result = screen_on(e, on)
        if result.answer:
            live.append(e)
        else:
            stopped.append({"entry_id": e.id, "reason": _stop(e, result, on, what)})
    return live, stopped

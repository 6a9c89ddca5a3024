"""The violations of a case (investigation only): a catalogue entry, its facts, the level of
each factor of the benchmark the officer recorded, and the minor-violation list entry that
covers it (SX-12/13, XJ-T). Each save computes the proposal (proposal.py) under the policy in
force that day and keeps it with the violation; the notice computes it again."""

from __future__ import annotations

from typing import Any

from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.cases.services import stages
from tenant_app.cases.services.common import (
    audit_case,
    policy_of,
    record_step,
    text,
    violations_of,
)
from tenant_app.cases.services.proposal import propose
from tenant_app.context import Context
from tenant_app.core.errors import ValidationFailed
from tenant_app.extensions import db
from tenant_app.listing.services.listed_status import listed_on
from tenant_app.models import Case, CaseViolation


def _levels(catalogue: dict[str, Any], raw: Any) -> dict[str, str]:
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise ValidationFailed.field("levels", "裁量情节格式有误")
    factors = catalogue["factors"]
    out: dict[str, str] = {}
    for fid, level in raw.items():
        if level in (None, ""):
            continue
        if fid not in factors:
            raise ValidationFailed.field("levels", f"没有裁量因素“{fid}”")
        if level not in factors[fid]["levels"]:
            raise ValidationFailed.field(
                f"level_{fid}", f"“{factors[fid]['title']}”没有“{level}”这一档"
            )
        out[str(fid)] = str(level)
    return out


def _parse(ctx: Context, data: dict[str, Any], current: CaseViolation | None) -> dict[str, Any]:
    catalogue = policy_of(ctx).case_catalogue().answer
    key = data.get("violation_key", current.violation_key if current else None)
    if key not in catalogue["violations"]:
        raise ValidationFailed.field("violation_key", "请从违法行为目录中选择")
    entry = text(
        data.get("list_entry", current.list_entry if current else ""), "list_entry", limit=500
    )
    if entry and entry not in catalogue["minor_violation_list"]:
        raise ValidationFailed.field("list_entry", "请从本地区轻微违法行为不予处罚事项清单中选择")
    levels = (
        _levels(catalogue, data["levels"])
        if "levels" in data
        else dict(current.levels if current else {})
    )
    facts = text(data.get("facts", current.facts if current else ""), "violation_facts")
    return {
        "key": key,
        "entry": catalogue["violations"][key],
        "list_entry": entry,
        "levels": levels,
        "facts": facts,
    }


def _apply(ctx: Context, case: Case, v: CaseViolation, parsed: dict[str, Any]) -> None:
    entry = parsed["entry"]
    v.violation_key = parsed["key"]
    v.title = entry["title"][:255]
    v.provision = f"{entry['law']}{entry['provision']}"[:255]
    v.penalty_provision = f"{entry['law']}{entry['penalty_provision']}"[:255]
    v.fine_min, v.fine_max = int(entry["fine_min"]), int(entry["fine_max"])
    v.facts = parsed["facts"]
    v.levels = parsed["levels"]
    v.list_entry = parsed["list_entry"]
    v.proposal = propose(
        policy_of(ctx),
        v.violation_key,
        v.levels,
        v.list_entry,
        listed=listed_on(case.enterprise_id, ctx.today).listed,
    )


def _guard(ctx: Context, case: Case) -> None:
    require_action(ctx, Perm.CASES_EDIT)
    stages.check_stage(ctx, case, ("investigation",), "修改违法行为和裁量情节")
    stages.check_limit(ctx, case)


def add_violation(ctx: Context, case: Case, data: dict[str, Any]) -> CaseViolation:
    _guard(ctx, case)
    parsed = _parse(ctx, data, None)
    v = CaseViolation(case_id=case.id, position=len(violations_of(case)))
    _apply(ctx, case, v, parsed)
    db.session.add(v)
    db.session.flush()
    _log(ctx, case, v, "case.violation_saved")
    return v


def update_violation(
    ctx: Context, case: Case, v: CaseViolation, data: dict[str, Any]
) -> CaseViolation:
    _guard(ctx, case)
    _apply(ctx, case, v, _parse(ctx, data, v))
    _log(ctx, case, v, "case.violation_saved")
    return v


def remove_violation(ctx: Context, case: Case, v: CaseViolation) -> None:
    _guard(ctx, case)
    db.session.delete(v)
    audit_case(
        ctx, case, "case.violation_removed", before={"violation_id": v.id, "key": v.violation_key}
    )


def _log(ctx: Context, case: Case, v: CaseViolation, action: str) -> None:
    p = v.proposal
    record_step(
        ctx,
        case,
        "violations",
        rule_ids=p["rule_ids"],
        detail={
            "violation_id": v.id,
            "violation": v.violation_key,
            "levels": v.levels,
            "proposal": {
                k: p[k] for k in ("outcome", "allowed", "fine_low", "fine_high", "grade", "score")
            },
        },
    )
    audit_case(
        ctx,
        case,
        action,
        after={
            "violation_id": v.id,
            "violation": v.violation_key,
            "levels": v.levels,
            "list_entry": v.list_entry,
            "proposal": {k: p[k] for k in ("outcome", "allowed", "fine_low", "fine_high", "grade")},
            "rule_ids": p["rule_ids"],
            "policy_version": p["policy_version"],
        },
    )

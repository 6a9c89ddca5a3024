"""What the case services share: lookups inside the scope, the acting tenant's policy on a day,
refusals that name their rule, the officer pool and the step log."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from policies import Policy
from tenant_app.audit import log as audit
from tenant_app.context import Context
from tenant_app.core.errors import ServiceError, ValidationFailed
from tenant_app.core.row_fields import FieldProblem, a_date
from tenant_app.extensions import db
from tenant_app.models import Case, CaseStatement, CaseStep, CaseViolation, Tenant
from tenant_app.policy.service import policy_for

MAX_ID = 2**63 - 1
TEXT_MAX = 8000


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Refused(ServiceError):
    """The procedure forbids the step now (order, a period, a missing prior step): 409 with the
    reason under ``rules`` and the rule ids under ``rule_ids``."""

    status = 409
    code = "refused_by_rules"


def refuse(rule_id: str, text: str, *more: tuple[str, str]) -> Refused:
    """A refusal citing its rule: ``f"{rule_id}：{text}"`` (bare text when no rule applies)."""
    items = [(rule_id, text), *more]
    reasons = [f"{r}：{t}" if r else t for r, t in items]
    return Refused(
        "依据规定不能办理：" + "；".join(reasons),
        {"rules": reasons, "rule_ids": [r for r, _t in items if r]},
    )


def tenant_of(ctx: Context) -> Tenant:
    if ctx.tenant is None:
        raise ServiceError("没有当前租户")
    return ctx.tenant


def policy_of(ctx: Context, on: date | None = None) -> Policy:
    """The acting tenant's policy in force on ``on`` (the day of the act by default)."""
    return policy_for(tenant_of(ctx), on or ctx.today)


def _id(raw: Any) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= MAX_ID else None


def get_case(case_id: Any) -> Case:
    """Within the scope: another tenant's case and a missing one are the same 404."""
    oid = _id(case_id)
    row = (
        db.session.execute(select(Case).where(Case.id == oid)).scalar_one_or_none() if oid else None
    )
    if row is None:
        raise NotFound("没有找到该案件")
    return row


def get_violation(case: Case, violation_id: Any) -> CaseViolation:
    oid = _id(violation_id)
    row = (
        db.session.execute(
            select(CaseViolation).where(CaseViolation.id == oid, CaseViolation.case_id == case.id)
        ).scalar_one_or_none()
        if oid
        else None
    )
    if row is None:
        raise NotFound("没有找到该违法行为")
    return row


def get_statement(case: Case, statement_id: Any) -> CaseStatement:
    oid = _id(statement_id)
    row = (
        db.session.execute(
            select(CaseStatement).where(CaseStatement.id == oid, CaseStatement.case_id == case.id)
        ).scalar_one_or_none()
        if oid
        else None
    )
    if row is None:
        raise NotFound("没有找到该陈述申辩")
    return row


def violations_of(case: Case) -> list[CaseViolation]:
    return list(
        db.session.execute(
            select(CaseViolation)
            .where(CaseViolation.case_id == case.id)
            .order_by(CaseViolation.position, CaseViolation.id)
        ).scalars()
    )


def statements_of(case: Case) -> list[CaseStatement]:
    return list(
        db.session.execute(
            select(CaseStatement).where(CaseStatement.case_id == case.id).order_by(CaseStatement.id)
        ).scalars()
    )


def steps_of(case: Case) -> list[CaseStep]:
    return list(
        db.session.execute(
            select(CaseStep).where(CaseStep.case_id == case.id).order_by(CaseStep.id)
        ).scalars()
    )


def record_step(
    ctx: Context,
    case: Case,
    step: str,
    *,
    rule_ids: list[str] | tuple[str, ...] = (),
    detail: dict[str, Any] | None = None,
    note: str = "",
) -> CaseStep:
    row = CaseStep(
        case_id=case.id,
        step=step,
        on_date=ctx.today,
        actor_id=ctx.actor.user_id,
        actor_name=ctx.actor.name[:64],
        rule_ids=list(dict.fromkeys(r for r in rule_ids if r)),
        detail=detail or {},
        note=note[:TEXT_MAX],
    )
    db.session.add(row)
    return row


def audit_case(
    ctx: Context, case: Case, action: str, before: Any = None, after: Any = None
) -> None:
    db.session.flush()
    audit.record(ctx, action, object_type="case", object_id=case.id, before=before, after=after)


def text(raw: Any, field: str, *, required: bool = False, limit: int = TEXT_MAX) -> str:
    value = (raw or "").strip() if isinstance(raw, str) else ("" if raw is None else str(raw))
    if required and not value:
        raise ValidationFailed.field(field, "必填")
    if len(value) > limit:
        raise ValidationFailed.field(field, f"不能超过{limit}字")
    return value


def parse_date(raw: Any, field: str, required: bool = True) -> date | None:
    try:
        return a_date(raw, required=required, label="日期")
    except FieldProblem as exc:
        raise ValidationFailed.field(field, str(exc)) from None


def parse_amount(raw: Any, field: str) -> int | None:
    """A fine in whole yuan (0 to 10^9), or None when left empty."""
    if raw in (None, ""):
        return None
    if isinstance(raw, bool):
        raise ValidationFailed.field(field, "应为整数（元）")
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise ValidationFailed.field(field, "应为整数（元）") from None
    if not 0 <= value <= 10**9:
        raise ValidationFailed.field(field, "超出范围")
    return value


def flag(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    return str(raw or "").strip().lower() in ("1", "true", "on", "yes", "y")

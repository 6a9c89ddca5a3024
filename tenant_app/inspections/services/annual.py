"""SX-3 annual inspection plan per tenant: check ratios per category, per-enterprise caps, and
the triggers the cap does not count. Approved by the SX-5 roles of the tenant's level, then
published. While an approved plan exists for a year, its caps replace the pack's
``inspection.caps.per_year`` for that year (docs/inspections.md); exempt triggers may be added,
never removed (the text exempts complaints, assignments, data leads, enterprise requests)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from policies.vocab import TRIGGERS
from tenant_app.audit import log as audit
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ServiceError, ValidationFailed
from tenant_app.extensions import db
from tenant_app.inspections.services.common import cite, get, policy_of, tenant_of
from tenant_app.models import InspectionPlan


def _number(raw: Any, field: str, *, integer: bool, errors: dict[str, list[str]]) -> Any:
    try:
        value = int(raw) if integer else float(raw)
    except (TypeError, ValueError):
        errors[field] = ["应为数字"]
        return None
    if value < 0 or (not integer and value > 1) or (integer and value > 366):
        errors[field] = ["超出范围（比例 0–1，次数 0–366）"]
    return value


def create_plan(ctx: Context, data: dict[str, Any]) -> InspectionPlan:
    policy = policy_of(ctx)
    defaults = policy.inspection_plan_defaults()
    pack = defaults.answer
    rid = defaults.rule_id
    errors: dict[str, list[str]] = {}
    try:
        year = int(data.get("year"))  # type: ignore[arg-type]
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        raise ValidationFailed.field("year", "请填写年度（2000–2100）") from None
    ratios, caps = {}, {}
    for cat, ratio in pack["ratios"].items():
        r = (data.get("ratios") or {}).get(cat, ratio)
        c = (data.get("caps") or {}).get(cat, pack["caps"].get(cat))
        ratios[cat] = _number(r, f"ratios.{cat}", integer=False, errors=errors)
        if c not in (None, ""):
            caps[cat] = _number(c, f"caps.{cat}", integer=True, errors=errors)
    base_exempt = list(pack["exempt_triggers"])
    exempt = list(data.get("exempt_triggers") or base_exempt)
    unknown = [t for t in exempt if t not in TRIGGERS]
    if unknown:
        errors["exempt_triggers"] = [f"未知的检查事由：{unknown}"]
    missing = [TRIGGERS[t] for t in base_exempt if t not in exempt]
    if missing:
        errors["exempt_triggers"] = [
            cite(rid, f"{'、'.join(missing)}依规定不受频次限制，不能计入上限")
        ]
    if errors:
        raise ValidationFailed("年度检查计划有误", errors)
    if db.session.execute(select(InspectionPlan.id).where(InspectionPlan.year == year)).first():
        raise Conflict(f"{year}年度检查计划已存在", {"year": ["已存在"]})
    plan = InspectionPlan(
        year=year,
        title=str(data.get("title") or f"{year}年度涉企执法检查计划")[:200],
        ratios=ratios,
        caps=caps,
        exempt_triggers=exempt,
        created_by=ctx.actor.user_id,
        decision={
            "rule_ids": [rid],
            "policy_version": str(policy.version_id),
            "facts": {"pack_ratios": dict(pack["ratios"]), "pack_caps": dict(pack["caps"])},
        },
    )
    db.session.add(plan)
    db.session.flush()
    audit.record(
        ctx,
        "inspection_plan.created",
        object_type="inspection_plan",
        object_id=plan.id,
        after={"year": year, "ratios": ratios, "caps": caps, "exempt_triggers": exempt},
    )
    return plan


def approve_plan(ctx: Context, plan: InspectionPlan) -> InspectionPlan:
    if plan.status != "draft":
        raise Conflict("该计划已批准", {"status": [plan.status]})
    route = policy_of(ctx).approval_by_level(tenant_of(ctx).level)
    roles = set(route.answer)
    if not roles & ctx.roles:
        raise ServiceError(
            cite(route.rule_id, f"年度检查计划须由{route.details['title'] or '本级负责人'}批准"),
            {"roles": sorted(roles)},
        )
    plan.status, plan.approved_by, plan.approved_at = "approved", ctx.actor.user_id, utcnow()
    plan.decision = {
        **plan.decision,
        "approval": {"rule_id": route.rule_id, "roles": sorted(ctx.roles)},
    }
    audit.record(
        ctx,
        "inspection_plan.approved",
        object_type="inspection_plan",
        object_id=plan.id,
        after={"status": "approved"},
    )
    return plan


def publish_plan(ctx: Context, plan: InspectionPlan) -> InspectionPlan:
    if plan.status != "approved":
        raise Conflict("须先批准再公开", {"status": [plan.status]})
    plan.status, plan.published_at = "published", utcnow()
    audit.record(
        ctx,
        "inspection_plan.published",
        object_type="inspection_plan",
        object_id=plan.id,
        after={"status": "published"},
    )
    return plan


def get_plan(plan_id: Any) -> InspectionPlan:
    return get(InspectionPlan, plan_id, "该年度计划")


def plans() -> list[InspectionPlan]:
    return list(
        db.session.execute(select(InspectionPlan).order_by(InspectionPlan.year.desc())).scalars()
    )

"""SX-4 special campaigns: a bounded scope (a filter over the registry, never everything),
content, dates; approved by the principal head (province/city) or a recorded county-or-higher
government approval; then filed and published on the public pages. Listed enterprises in scope
are reached off-site only (XJ-S, judged by the approval route)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from policies import Policy
from policies.vocab import industry_matches, parse_industry_code

from ...clock import utcnow
from ...extensions import db
from ...models import Campaign, Enterprise
from .. import audit
from ..errors import Conflict, ServiceError, ValidationFailed
from ..policy import policy_for
from .common import current_roles, current_tenant, parse_date, user_id

SCOPE_KEYS = {
    "industry_prefixes": "行业代码（前缀）",
    "categories": "监管类别",
    "county_tenant_ids": "所属区县",
    "enterprise_ids": "指定企业",
    "key_discharger": "重点排污单位",
    "construction_project": "建设项目",
}
CATEGORIES = ("general", "listed", "special")


def clean_scope(raw: dict[str, Any]) -> dict[str, Any]:
    """Normalise a scope filter; unknown keys and bad values are refused by field."""
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in (raw or {}).items():
        if value in (None, "", []):
            continue
        if key not in SCOPE_KEYS:
            errors[f"scope.{key}"] = ["未知的范围条件"]
            continue
        if key in ("key_discharger", "construction_project"):
            out[key] = value in (True, "1", "true", "on", "y")
            continue
        items = (
            value
            if isinstance(value, list)
            else [x.strip() for x in str(value).replace("，", ",").split(",")]
        )
        items = [x for x in items if str(x).strip()]
        if key == "industry_prefixes":
            bad = [x for x in items if parse_industry_code(str(x)) is None]
            if bad:
                errors[f"scope.{key}"] = [
                    f"行业代码不合 GB/T 4754-2017：{'、'.join(map(str, bad))}"
                ]
            out[key] = [str(x).upper() for x in items]
        elif key == "categories":
            bad = [x for x in items if x not in CATEGORIES]
            if bad:
                errors[f"scope.{key}"] = [f"未知的监管类别：{'、'.join(map(str, bad))}"]
            out[key] = items
        else:
            try:
                out[key] = sorted({int(x) for x in items})
            except (TypeError, ValueError):
                errors[f"scope.{key}"] = ["应为编号列表"]
    if errors:
        raise ValidationFailed("专项检查范围有误", errors)
    return out


def matches(scope: dict[str, Any], e: Enterprise) -> bool:
    if scope.get("industry_prefixes") and not any(
        industry_matches(e.industry_code, p) for p in scope["industry_prefixes"]
    ):
        return False
    if scope.get("categories") and e.supervision_category not in scope["categories"]:
        return False
    if scope.get("county_tenant_ids") and e.county_tenant_id not in scope["county_tenant_ids"]:
        return False
    if scope.get("enterprise_ids") and e.id not in scope["enterprise_ids"]:
        return False
    if "key_discharger" in scope and e.key_discharger != scope["key_discharger"]:
        return False
    return not (
        "construction_project" in scope and e.construction_project != scope["construction_project"]
    )


def in_scope_ids(scope: dict[str, Any]) -> list[int]:
    """The enterprises a scope reaches (SQL pre-filter, industry prefixes judged in Python)."""
    stmt = select(Enterprise)
    if scope.get("categories"):
        stmt = stmt.where(Enterprise.supervision_category.in_(scope["categories"]))
    if scope.get("county_tenant_ids"):
        stmt = stmt.where(Enterprise.county_tenant_id.in_(scope["county_tenant_ids"]))
    if scope.get("enterprise_ids"):
        stmt = stmt.where(Enterprise.id.in_(scope["enterprise_ids"]))
    return [e.id for e in db.session.execute(stmt).scalars() if matches(scope, e)]


def blanket_reason(scope: dict[str, Any]) -> str | None:
    """SX-4 forbids blanket, indiscriminate coverage: an empty filter, or one that reaches every
    enterprise of the tenant, is refused."""
    if not scope:
        return (
            "SX-4：专项执法检查须明确检查范围，不得“一刀切”全覆盖、无差别检查（未设任何范围条件）。"
        )
    total = db.session.execute(select(func.count(Enterprise.id))).scalar() or 0
    reached = len(in_scope_ids(scope))
    if total > 1 and reached >= total:
        return f"SX-4：该范围覆盖本辖区全部{total}家企业，属于全覆盖、无差别检查，请缩小范围。"
    return None


def create_campaign(data: dict[str, Any]) -> Campaign:
    tenant = current_tenant()
    rules = policy_for(tenant).special_campaign_rules()
    rid = rules.rule_id or "SX-4"
    title = str(data.get("title") or "").strip()[:200]
    content = str(data.get("content") or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["请填写名称"]
    if not content:
        errors["content"] = [f"{rid}：须明确检查内容"]
    start = parse_date(data.get("start_date"), "start_date")
    end = parse_date(data.get("end_date"), "end_date")
    assert start and end
    if end < start:
        errors["end_date"] = ["结束日期不能早于开始日期"]
    if errors:
        raise ValidationFailed("专项检查方案不完整", errors)
    scope = clean_scope(data.get("scope") or {})
    if rules.answer and rules.answer.get("blanket_scope_forbidden", True):
        reason = blanket_reason(scope)
        if reason:
            raise ValidationFailed("专项检查范围被拒绝", {"scope": [reason]})
    c = Campaign(
        title=title,
        scope=scope,
        content=content,
        start_date=start,
        end_date=end,
        created_by=user_id(),
        decision={
            "rule_ids": [rid],
            "policy_version": str(rules.policy_version),
            "facts": {"scope": scope, "reached": len(in_scope_ids(scope))},
            "explanation": rules.explanation,
        },
    )
    db.session.add(c)
    db.session.flush()
    audit.record(
        "campaign.created",
        object_type="campaign",
        object_id=c.id,
        after={"title": title, "scope": scope, "start": start, "end": end},
    )
    return c


def approve_campaign(c: Campaign, *, government_ref: str = "") -> Campaign:
    """Principal head of a province/city tenant, or a recorded government approval (ref)."""
    if c.status != "draft":
        raise Conflict("该专项行动已批准", {"status": [c.status]})
    tenant = current_tenant()
    rules = policy_for(tenant).special_campaign_rules()
    r = rules.answer or {}
    roles = set(r.get("approving_roles") or ["principal_head"])
    government_ref = government_ref.strip()[:200]
    if government_ref:
        kind = "government"
    elif roles & current_roles() and tenant.level in (
        r.get("approving_levels") or ("province", "city")
    ):
        kind = "principal_head"
    else:
        raise ServiceError(
            f"{rules.rule_id}：专项执法检查须经省、市生态环境部门主要负责人批准，"
            "或录入县级以上人民政府的批准文件",
            {"government_ref": ["请填写政府批准文号"]},
        )
    c.status, c.approval_kind, c.government_approval_ref = "approved", kind, government_ref
    c.approved_by, c.approved_at = user_id(), utcnow()
    c.decision = {
        **c.decision,
        "approval": {
            "kind": kind,
            "government_ref": government_ref,
            "roles": sorted(current_roles()),
            "rule_id": rules.rule_id,
        },
    }
    audit.record(
        "campaign.approved",
        object_type="campaign",
        object_id=c.id,
        after={"kind": kind, "government_ref": government_ref},
    )
    return c


def publish_campaign(c: Campaign) -> Campaign:
    """SX-4: filed and published (the public page lists it from now on)."""
    if c.status != "approved":
        raise Conflict("须先批准再备案公开", {"status": [c.status]})
    c.status, c.filed_at = "published", utcnow()
    audit.record(
        "campaign.published", object_type="campaign", object_id=c.id, after={"filed_at": c.filed_at}
    )
    return c


def campaign_check(c: Campaign | None, e: Enterprise, on: date, policy: Policy) -> Any:
    from .checks import Check

    rid = policy.special_campaign_rules().rule_id or "SX-4"
    if c is None:
        return Check("campaign", [rid], False, True, f"{rid}：专项执法检查须选择已批准的专项行动。")
    facts = {
        "campaign_id": c.id,
        "status": c.status,
        "start": c.start_date.isoformat(),
        "end": c.end_date.isoformat(),
    }
    if c.status not in ("approved", "published"):
        return Check("campaign", [rid], False, True, f"{rid}：专项行动“{c.title}”尚未批准。", facts)
    if not c.start_date <= on <= c.end_date:
        return Check(
            "campaign",
            [rid],
            False,
            True,
            f"{rid}：检查日期不在专项行动期间（{c.start_date}至{c.end_date}）。",
            facts,
        )
    if not matches(c.scope, e):
        return Check(
            "campaign",
            [rid],
            False,
            True,
            f"{rid}：该企业不在专项行动“{c.title}”的检查范围内。",
            facts,
        )
    return Check(
        "campaign", [rid], True, False, f"{rid}：属专项行动“{c.title}”范围，期间内。", facts
    )


def published() -> list[Campaign]:
    return list(
        db.session.execute(
            select(Campaign)
            .where(Campaign.status == "published")
            .order_by(Campaign.start_date.desc())
        ).scalars()
    )


def campaigns() -> list[Campaign]:
    return list(
        db.session.execute(select(Campaign).order_by(Campaign.id.desc()).limit(200)).scalars()
    )

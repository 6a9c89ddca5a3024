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
from tenant_app.audit import log as audit
from tenant_app.clock import SHANGHAI, utcnow
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ServiceError, ValidationFailed
from tenant_app.extensions import db
from tenant_app.inspections.services.common import cite, parse_date, policy_of, tenant_of
from tenant_app.models import Campaign, Enterprise, Tenant
from tenant_app.tenancy.queries import Page, keyset_page

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


def reach(scope: dict[str, Any]) -> dict[str, Any]:
    """How far a scope reaches in the registry now: reached, total, share."""
    total = int(db.session.execute(select(func.count(Enterprise.id))).scalar() or 0)
    reached = len(in_scope_ids(scope)) if scope else total
    return {
        "reached": reached,
        "total": total,
        "share": round(reached / total, 4) if total else 0.0,
    }


def blanket_reason(scope: dict[str, Any], share: float = 1.0, rule_id: str = "") -> str | None:
    """SX-4 forbids blanket, indiscriminate coverage: an empty filter, or one that reaches at
    least ``share`` (the pack's ``blanket_share``) of the tenant's enterprises, is refused, citing
    ``rule_id`` (the pack's special-campaign rule)."""
    if not scope:
        return cite(
            rule_id,
            "专项执法检查须明确检查范围，不得“一刀切”全覆盖、无差别检查（未设任何范围条件）。",
        )
    r = reach(scope)
    if r["total"] > 1 and r["reached"] >= r["total"] * share - 1e-9:
        return cite(
            rule_id,
            f"该范围覆盖本辖区{r['total']}家企业中的{r['reached']}家（{r['share']:.0%}），"
            f"达到政策包规定的{share:.0%}，属于全覆盖、无差别检查，请缩小范围。",
        )
    return None


def _blanket_gate(c_scope: dict[str, Any], rules: Any, moment: str) -> dict[str, Any]:
    """Judge the scope against the registry of this moment (create, approve, file, publish);
    refuse a blanket one, and return the facts to store with the decision."""
    r = rules.answer or {}
    share = float(r.get("blanket_share", 1.0))
    facts = {"moment": moment, "at": utcnow().isoformat(), "blanket_share": share, **reach(c_scope)}
    if r.get("blanket_scope_forbidden", True):
        reason = blanket_reason(c_scope, share, rules.rule_id)
        if reason:
            raise ValidationFailed("专项检查范围被拒绝", {"scope": [reason]})
    return facts


def _with_check(c: Campaign, facts: dict[str, Any]) -> None:
    c.decision = {**c.decision, "scope_checks": [*c.decision.get("scope_checks", []), facts]}


def create_campaign(ctx: Context, data: dict[str, Any]) -> Campaign:
    rules = policy_of(ctx).special_campaign_rules()
    rid = rules.rule_id
    title = str(data.get("title") or "").strip()[:200]
    content = str(data.get("content") or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["请填写名称"]
    if not content:
        errors["content"] = [cite(rid, "须明确检查内容")]
    start = parse_date(data.get("start_date"), "start_date")
    end = parse_date(data.get("end_date"), "end_date")
    assert start and end
    if end < start:
        errors["end_date"] = ["结束日期不能早于开始日期"]
    if errors:
        raise ValidationFailed("专项检查方案不完整", errors)
    scope = clean_scope(data.get("scope") or {})
    gate = _blanket_gate(scope, rules, "created")
    c = Campaign(
        title=title,
        scope=scope,
        content=content,
        start_date=start,
        end_date=end,
        created_by=ctx.actor.user_id,
        decision={
            "rule_ids": [rid] if rid else [],
            "policy_version": str(rules.policy_version),
            "facts": {"scope": scope, "reached": gate["reached"], "total": gate["total"]},
            "explanation": rules.explanation,
            "scope_checks": [gate],
        },
    )
    db.session.add(c)
    db.session.flush()
    audit.record(
        ctx,
        "campaign.created",
        object_type="campaign",
        object_id=c.id,
        after={"title": title, "scope": scope, "start": start, "end": end},
    )
    return c


def approve_campaign(ctx: Context, c: Campaign, *, government_ref: str = "") -> Campaign:
    """Principal head of a province/city tenant, or a recorded government approval (ref)."""
    if c.status != "draft":
        raise Conflict("该专项行动已批准", {"status": [c.status]})
    tenant = tenant_of(ctx)
    rules = policy_of(ctx).special_campaign_rules()
    r = rules.answer or {}
    roles = set(r.get("approving_roles") or ["principal_head"])
    government_ref = government_ref.strip()[:200]
    gate = _blanket_gate(c.scope, rules, "approved")
    if government_ref:
        kind = "government"
    elif roles & ctx.roles and tenant.level in (r.get("approving_levels") or ("province", "city")):
        kind = "principal_head"
    else:
        raise ServiceError(
            cite(
                rules.rule_id,
                "专项执法检查须经省、市生态环境部门主要负责人批准，或录入县级以上人民政府的批准文件",
            ),
            {"government_ref": ["请填写政府批准文号"]},
        )
    c.status, c.approval_kind, c.government_approval_ref = "approved", kind, government_ref
    c.approved_by, c.approved_at = ctx.actor.user_id, utcnow()
    c.decision = {
        **c.decision,
        "approval": {
            "kind": kind,
            "government_ref": government_ref,
            "roles": sorted(ctx.roles),
            "rule_id": rules.rule_id,
        },
    }
    _with_check(c, gate)
    audit.record(
        ctx,
        "campaign.approved",
        object_type="campaign",
        object_id=c.id,
        after={"kind": kind, "government_ref": government_ref},
    )
    return c


def filing_target(tenant: Tenant, rules: dict[str, Any]) -> tuple[str, int | None]:
    """With whom the pack says a campaign is filed: the parent tenant's department, or the own
    level's government (the text: 按照规定备案)."""
    if rules.get("filed_with", "parent") == "parent" and tenant.parent_id:
        parent = db.session.get(Tenant, tenant.parent_id)
        if parent is not None and parent.level != "platform":
            return f"{parent.name}生态环境主管部门", parent.id
    return f"{tenant.name}人民政府", None


def file_campaign(ctx: Context, c: Campaign, data: dict[str, Any]) -> Campaign:
    """SX-4 备案: the filing record (with whom, on which day, its reference, by whom), after
    approval and before publication; the scope is judged again against today's registry."""
    if c.status != "approved":
        raise Conflict("须先批准再备案", {"status": [c.status]})
    rules = policy_of(ctx).special_campaign_rules()
    r = rules.answer or {}
    default_with, default_tenant = filing_target(tenant_of(ctx), r)
    filed_with = str(data.get("filed_with") or default_with).strip()[:200]
    filed_on = parse_date(data.get("filed_on") or ctx.today, "filed_on")
    assert filed_on is not None
    errors: dict[str, list[str]] = {}
    if filed_on > ctx.today:
        errors["filed_on"] = ["备案日期不能晚于今天"]
    approved_on = c.approved_at.astimezone(SHANGHAI).date() if c.approved_at else None
    if approved_on and filed_on < approved_on:
        errors["filed_on"] = [f"备案日期不能早于批准日期（{approved_on}）"]
    if errors:
        raise ValidationFailed("备案信息有误", errors)
    gate = _blanket_gate(c.scope, rules, "filed")
    c.status = "filed"
    c.filed_with = filed_with
    c.filed_with_tenant_id = default_tenant if filed_with == default_with else None
    c.filed_on, c.filing_ref = filed_on, str(data.get("filing_ref") or "").strip()[:200]
    c.filed_by, c.filed_at = ctx.actor.user_id, utcnow()
    c.decision = {
        **c.decision,
        "filing": {
            "rule_id": rules.rule_id,
            "filed_with": filed_with,
            "filed_on": filed_on.isoformat(),
            "filing_ref": c.filing_ref,
            "pack_filed_with": r.get("filed_with", "parent"),
        },
    }
    _with_check(c, gate)
    audit.record(
        ctx,
        "campaign.filed",
        object_type="campaign",
        object_id=c.id,
        after={"filed_with": filed_with, "filed_on": filed_on, "filing_ref": c.filing_ref},
    )
    return c


def publish_campaign(ctx: Context, c: Campaign) -> Campaign:
    """SX-4: published after filing (the public page lists it, with its filing record); the
    scope is judged once more against the registry of this moment."""
    rules = policy_of(ctx).special_campaign_rules()
    needs_filing = bool((rules.answer or {}).get("filed", True))
    if c.status != "filed" and not (c.status == "approved" and not needs_filing):
        raise Conflict(
            cite(rules.rule_id, "专项检查方案须先批准、备案，再向社会公开"),
            {"status": [c.status]},
        )
    gate = _blanket_gate(c.scope, rules, "published")
    c.status, c.published_at = "published", utcnow()
    _with_check(c, gate)
    audit.record(
        ctx,
        "campaign.published",
        object_type="campaign",
        object_id=c.id,
        after={"published_at": c.published_at, "filed_at": c.filed_at},
    )
    return c


def campaign_check(c: Campaign | None, e: Enterprise, on: date, policy: Policy) -> Any:
    from tenant_app.inspections.services.checks import Check

    rid = policy.special_campaign_rules().rule_id
    rule_ids = [rid] if rid else []
    if c is None:
        return Check(
            "campaign", rule_ids, False, True, cite(rid, "专项执法检查须选择已批准的专项行动。")
        )
    facts = {
        "campaign_id": c.id,
        "status": c.status,
        "start": c.start_date.isoformat(),
        "end": c.end_date.isoformat(),
    }
    r = policy.special_campaign_rules().answer or {}
    ready = ("published",) if r.get("published", True) else ("approved", "filed", "published")
    if c.status not in ready:
        return Check(
            "campaign",
            rule_ids,
            False,
            True,
            cite(rid, f"专项行动“{c.title}”尚未完成批准、备案和公开，不能据此检查。"),
            facts,
        )
    if not c.start_date <= on <= c.end_date:
        return Check(
            "campaign",
            rule_ids,
            False,
            True,
            cite(rid, f"检查日期不在专项行动期间（{c.start_date}至{c.end_date}）。"),
            facts,
        )
    if not matches(c.scope, e):
        return Check(
            "campaign",
            rule_ids,
            False,
            True,
            cite(rid, f"该企业不在专项行动“{c.title}”的检查范围内。"),
            facts,
        )
    return Check(
        "campaign", rule_ids, True, False, cite(rid, f"属专项行动“{c.title}”范围，期间内。"), facts
    )


def published() -> list[Campaign]:
    return list(
        db.session.execute(
            select(Campaign)
            .where(Campaign.status == "published")
            .order_by(Campaign.start_date.desc())
        ).scalars()
    )


def campaigns(*, after: int | None = None, limit: int = 50) -> Page:
    """Newest first, keyset-paged, with how many in all."""
    return keyset_page(select(Campaign), Campaign.id, after, limit, descending=True, count=True)


def usable() -> list[Campaign]:
    """The campaigns an inspection can be planned under: approved or further (not drafts),
    newest first. All of them: a campaign left out could not be chosen at all."""
    return list(
        db.session.execute(
            select(Campaign).where(Campaign.status != "draft").order_by(Campaign.id.desc())
        ).scalars()
    )

"""SX-7 enforcement publicity, for the public pages (no login): the enforcement subject, its
officers (name and certificate number), the matters inspected and their basis; published
campaigns (SX-4), plans (SX-3) and draws (seed hash before, seed and result after)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from policies.vocab import TRIGGERS
from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.inspections.services import campaigns
from tenant_app.inspections.services.common import officer_pool, policy_of, tenant_of
from tenant_app.models import Draw, Enterprise, InspectionPlan

MATTERS_BASIS = [
    (
        "涉企生态环境行政检查（现场、非现场）",
        "《中华人民共和国环境保护法》第二十四条；《排污许可管理条例》第二十七条",
    ),
    ("“双随机、一公开”抽查", "《国务院办公厅关于推广随机抽查规范事中事后监管的通知》"),
]
CAMPAIGN_MATTER = ("专项执法检查", "经批准并备案的专项检查方案")


def publicity(ctx: Context) -> dict[str, Any]:
    """What the tenant of ``ctx`` publishes about its enforcement (anyone may read it)."""
    tenant = tenant_of(ctx)
    policy = policy_of(ctx)
    basis = [
        {"rule_id": v.get("rule_id"), "title": v.get("title")}
        for v in (policy.obligations().answer or {}).values()
        if v.get("applies_to") in ("inspection", "publicity")
    ]
    campaign_rule = policy.special_campaign_rules().rule_id
    title, campaign_basis = CAMPAIGN_MATTER
    matters = [
        *MATTERS_BASIS,
        (title, f"{campaign_basis}（{campaign_rule}）" if campaign_rule else campaign_basis),
    ]
    return {
        "subject": {
            "name": f"{tenant.name}生态环境主管部门",
            "level": tenant.level_label,
            "division_code": tenant.division_code,
        },
        "officers": [
            {"name": u.display_name, "certificate_no": u.certificate_no}
            for u in officer_pool(ctx)
            if (u.certificate_no or "").strip()
        ],
        "matters": [{"title": t, "basis": b} for t, b in matters],
        "triggers": TRIGGERS,
        "basis": basis,
        "policy_version": str(policy.version_id),
    }


def published_plans() -> list[InspectionPlan]:
    return list(
        db.session.execute(
            select(InspectionPlan)
            .where(InspectionPlan.status == "published")
            .order_by(InspectionPlan.year.desc())
        ).scalars()
    )


def public_draws() -> list[Draw]:
    return list(db.session.execute(select(Draw).order_by(Draw.id.desc()).limit(100)).scalars())


def draw_names(d: Draw) -> dict[int, str]:
    ids = [r["enterprise_id"] for r in d.result or []]
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids))
        ).all()
    )


published_campaigns = campaigns.published

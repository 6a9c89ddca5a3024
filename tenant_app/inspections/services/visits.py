"""One enterprise, one inspection budget across levels (SX-3, issue 11 item 11).

The register (``models/visit.py``) holds one narrow row per visit: this tenant's inspections
(kept in step by the model's flush listener) and visits by other departments recorded by staff.
Reads go through ``tenancy.queries.lineage``: the write tenant, its ancestors and descendants —
the province, its city and the city's county see each other's visits to the same credit code,
never a sibling's. Everything is keyed by the unified social credit code (统一社会信用代码), the
one identity the enterprise has at every level.

* ``count_on_site``: the visits the SX-3 cap counts, as the enterprise experiences them: on-site,
  by every level and department, not refused or cancelled, not an exempt trigger (complaints,
  assignments, data leads, requests: the text's 不受频次上限限制), a joint visit (综合一次查)
  once — also across levels.
* ``nearby``: the other levels' and departments' visits around a date, for the pre-save check.
* ``budget``: the count against the cap, per year, as the enterprise sees it in its portal.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from tenant_app.audit import log as audit
from tenant_app.context import Context
from tenant_app.core.errors import ValidationFailed
from tenant_app.extensions import db
from tenant_app.inspections.services.common import (
    cite,
    enterprise,
    parse_date,
    policy_of,
    tenant_of,
)
from tenant_app.models import Enterprise, EnterpriseVisit, Tenant
from tenant_app.models.inspection import DEAD_STATUSES, MODES
from tenant_app.registry.services.enterprise_facts import category_of
from tenant_app.tenancy.queries import lineage

EXTERNAL_TRIGGER = "other_department"


def _counted(
    uscc: str, lo: date, hi: date, exempt: list[str], exclude_inspection: int | None = None
) -> Any:
    stmt = select(
        func.count(
            func.distinct(
                func.coalesce(
                    EnterpriseVisit.joint_group_id,
                    EnterpriseVisit.inspection_id,
                    -EnterpriseVisit.id,
                )
            )
        )
    ).where(
        EnterpriseVisit.uscc == uscc,
        EnterpriseVisit.mode == "on_site",
        EnterpriseVisit.visit_date >= lo,
        EnterpriseVisit.visit_date <= hi,
        EnterpriseVisit.status.not_in(DEAD_STATUSES),
        EnterpriseVisit.trigger.not_in(exempt or ["-"]),
    )
    if exclude_inspection is not None:
        stmt = stmt.where(
            (EnterpriseVisit.inspection_id.is_(None))
            | (EnterpriseVisit.inspection_id != exclude_inspection)
        )
    return lineage(stmt)


def count_on_site(
    uscc: str, year: int, exempt: list[str], exclude_inspection: int | None = None
) -> int:
    """On-site visits in ``year`` that count against the cap, every level and department."""
    stmt = _counted(uscc, date(year, 1, 1), date(year, 12, 31), exempt, exclude_inspection)
    return int(db.session.execute(stmt).scalar() or 0)


def _names(tenant_ids: set[int]) -> dict[int, Tenant]:
    if not tenant_ids:
        return {}
    rows = db.session.execute(select(Tenant).where(Tenant.id.in_(tenant_ids))).scalars()
    return {t.id: t for t in rows}


def describe(rows: list[EnterpriseVisit], own_tenant: int | None) -> list[dict[str, Any]]:
    tenants = _names({r.tenant_id for r in rows})
    out = []
    for r in rows:
        t = tenants.get(r.tenant_id)
        out.append(
            {
                "visit_id": r.id,
                "date": r.visit_date.isoformat(),
                "agency": t.name if t else "",
                "level": r.level,
                "department": r.department or "生态环境部门",
                "mode": r.mode,
                "mode_label": MODES.get(r.mode, r.mode),
                "trigger": r.trigger,
                "status": r.status,
                "own_level": r.tenant_id == own_tenant,
                "inspection_id": r.inspection_id if r.tenant_id == own_tenant else None,
                "joint_group_id": r.joint_group_id,
            }
        )
    return out


def nearby_other_levels(ctx: Context, uscc: str, on: date, days: int) -> list[dict[str, Any]]:
    """Visits to the same credit code within ±days by other levels or departments (综合一次查)."""
    own = tenant_of(ctx).id
    rows = list(
        db.session.execute(
            lineage(
                select(EnterpriseVisit)
                .where(
                    EnterpriseVisit.uscc == uscc,
                    EnterpriseVisit.visit_date >= on - timedelta(days=days),
                    EnterpriseVisit.visit_date <= on + timedelta(days=days),
                    EnterpriseVisit.status.not_in(DEAD_STATUSES),
                    (EnterpriseVisit.tenant_id != own) | (EnterpriseVisit.inspection_id.is_(None)),
                )
                .order_by(EnterpriseVisit.visit_date, EnterpriseVisit.id)
                .limit(20)
            )
        ).scalars()
    )
    return describe(rows, own)


def record_external(ctx: Context, data: dict[str, Any]) -> EnterpriseVisit:
    """A visit by another department (市场监管、应急管理…), as the enterprise experienced it:
    it counts against the same budget (SX-3 跨部门)."""
    e = enterprise(data.get("enterprise_id"))
    department = str(data.get("department") or "").strip()[:100]
    visit_date = parse_date(data.get("visit_date"), "visit_date")
    assert visit_date is not None
    mode = str(data.get("mode") or "on_site")
    errors: dict[str, list[str]] = {}
    if not department:
        errors["department"] = ["请填写检查部门"]
    if mode not in MODES:
        errors["mode"] = ["请选择现场检查或非现场检查"]
    if errors:
        raise ValidationFailed("其他部门检查记录不完整", errors)
    tenant = tenant_of(ctx)
    row = EnterpriseVisit(
        uscc=e.uscc,
        enterprise_id=e.id,
        department=department,
        level=tenant.level,
        visit_date=visit_date,
        mode=mode,
        trigger=EXTERNAL_TRIGGER,
        status="done" if visit_date <= ctx.today else "approved",
        note=str(data.get("note") or "").strip()[:500],
        recorded_by=ctx.actor.user_id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        ctx,
        "visit.external_recorded",
        object_type="enterprise_visit",
        object_id=row.id,
        after={
            "enterprise_id": e.id,
            "uscc": e.uscc,
            "department": department,
            "visit_date": visit_date,
            "mode": mode,
        },
    )
    return row


def cap_for(ctx: Context, e: Enterprise, year: int) -> dict[str, Any]:
    """The cap this tenant applies to the enterprise in ``year`` (plan > policy > pack)."""
    from tenant_app.inspections.services.checks import plan_of_year

    policy = policy_of(ctx, date(year, 7, 1))
    category = category_of(e)
    pack_cap = policy.inspection_cap(category)
    cap, source = pack_cap.answer, "政策包/本级政策覆盖"
    plan = plan_of_year(year)
    if plan is not None and category in (plan.caps or {}):
        cap, source = int(plan.caps[category]), f"{year}年度检查计划"
    return {
        "category": category,
        "cap": cap,
        "cap_source": source,
        "exempt_triggers": list(pack_cap.details["exempt_triggers"]),
        "rule_id": pack_cap.rule_id,
        "policy_version": str(policy.version_id),
    }


def budget(ctx: Context, e: Enterprise, year: int) -> dict[str, Any]:
    """The enterprise's on-site count against its cap, every level and department, with the
    visits behind it (each marked counted or not, and why)."""
    c = cap_for(ctx, e, year)
    own = tenant_of(ctx).id
    rows = list(
        db.session.execute(
            lineage(
                select(EnterpriseVisit)
                .where(
                    EnterpriseVisit.uscc == e.uscc,
                    EnterpriseVisit.visit_date >= date(year, 1, 1),
                    EnterpriseVisit.visit_date <= date(year, 12, 31),
                    EnterpriseVisit.status.not_in(DEAD_STATUSES),
                )
                .order_by(EnterpriseVisit.visit_date, EnterpriseVisit.id)
            )
        ).scalars()
    )
    visits = describe(rows, own)
    for v in visits:
        v["counted"] = v["mode"] == "on_site" and v["trigger"] not in c["exempt_triggers"]
    count = count_on_site(e.uscc, year, c["exempt_triggers"])
    cap = c["cap"]
    return {
        **c,
        "year": year,
        "count": count,
        "remaining": None if cap is None else max(0, cap - count),
        "visits": visits,
        "explanation": cite(
            c["rule_id"],
            f"{year}年各层级、各部门计入频次上限的现场检查{count}次"
            + (f"，上限{cap}次（{c['cap_source']}）。" if cap is not None else "，未设上限。"),
        ),
    }


def my_budget(ctx: Context, year: int | None = None) -> dict[str, Any]:
    """The enterprise user's own count against its cap (resolved from the account)."""
    from tenant_app.registry.services.enterprise_accounts import my_enterprise

    return budget(ctx, my_enterprise(ctx), year or ctx.today.year)


def enterprise_budget(ctx: Context, enterprise_id: Any, year: int | None = None) -> dict[str, Any]:
    return budget(ctx, enterprise(enterprise_id), year or ctx.today.year)

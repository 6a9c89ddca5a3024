"""Correction orders as objects (NL-28, SX-14 "谁查处，谁督改", issue 15 item 1).

Every decision of a case (penalty or no penalty: 免罚不免责) makes one, in the decision's own
transaction (``from_decision``, called by cases/services/decision.py); an officer makes one on a
warning whose answer or escalation found a violation (``from_warning``). The deadline is
computed by the working-day calendar from the days the officer sets (working or calendar days as
the pack says, ``Policy.correction_deadline``); the rule ids and the policy version are kept on
the order. Each order is an audit entry, a line of the positive-list ledger when the enterprise
is listed, and an event of the enterprise's timeline (registry.services.records).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from policies import Policy
from policies.decision import Decision
from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ValidationFailed
from tenant_app.extensions import db
from tenant_app.inspections.services.common import get, policy_of, tenant_of
from tenant_app.listing.services import ledger
from tenant_app.listing.services.listed_status import listed_on
from tenant_app.models import Case, CorrectionOrder, Enterprise, EnterpriseWarning
from tenant_app.models.rectification import ORDER_SOURCES, ORDER_STATUSES
from tenant_app.notifications.services.notify import notify
from tenant_app.registry.services.enterprise_accounts import my_enterprise
from tenant_app.registry.services.enterprises import NotFound
from tenant_app.tenancy.queries import Page, keyset_page

MAX_TEXT = 4000
WARNING_FINDINGS = ("answered", "escalated")

__all__ = ["NotFound", "get_order", "my_order", "orders_page", "my_orders"]


def parse_days(raw: Any, field: str = "correction_days") -> int | None:
    """The days the officer set (blank: the pack's default)."""
    if raw in (None, ""):
        return None
    try:
        n = int(str(raw).strip())
    except (TypeError, ValueError):
        raise ValidationFailed.field(field, "改正期限天数应为整数") from None
    if n < 1:
        raise ValidationFailed.field(field, "改正期限天数应大于0")
    return n


def deadline(
    policy: Policy, issued_on: date, days: int | None, field: str = "correction_days"
) -> Decision:
    """The pack's deadline decision; refused (naming the field) when the days are out of range."""
    d = policy.correction_deadline(issued_on, days)
    if d.answer is None:
        raise ValidationFailed.field(field, d.explanation)
    return d


def link_of(ctx: Context, order_id: int, *, staff: bool = True) -> str:
    slug = tenant_of(ctx).slug
    return f"/{slug}/{'rectification' if staff else 'enterprise/rectification'}/{order_id}/"


def _issue(
    ctx: Context,
    *,
    enterprise_id: int,
    source: str,
    content: str,
    days: int | None,
    case: Case | None = None,
    warning: EnterpriseWarning | None = None,
    rule_ids: list[str] | None = None,
    field: str = "correction_days",
) -> CorrectionOrder:
    policy = policy_of(ctx)
    d = deadline(policy, ctx.today, days, field)
    # The deadline's rule first: it is the one the reminders queue cites.
    ids = list(dict.fromkeys(r for r in [*d.rule_ids, *(rule_ids or [])] if r))
    order = CorrectionOrder(
        enterprise_id=enterprise_id,
        source=source,
        case_id=case.id if case else None,
        warning_id=warning.id if warning else None,
        content=content,
        days=d.answer["days"],
        day_unit=d.answer["unit"],
        issued_on=ctx.today,
        due_on=d.answer["due"],
        provisional=bool(d.provisional),
        deadline_text=d.explanation,
        rule_ids=ids,
        policy_version=str(policy.version_id or ""),
        issued_by=ctx.actor.user_id,
        status="issued",
        plan_milestones=[],
        removal={},
    )
    db.session.add(order)
    db.session.flush()
    audit.record(
        ctx,
        "correction_order.issued",
        object_type="correction_order",
        object_id=order.id,
        after={
            "enterprise_id": enterprise_id,
            "source": source,
            "case_id": order.case_id,
            "warning_id": order.warning_id,
            "days": order.days,
            "unit": order.day_unit,
            "due_on": order.due_on,
            "provisional": order.provisional,
            "rule_ids": ids,
            "policy_version": order.policy_version,
        },
    )
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is not None:
        ledger_line(
            ctx,
            order,
            enterprise,
            "correction_order",
            f"责令改正（{ORDER_SOURCES[source]}）：{content[:80]}，限 {order.due_on} 前改正",
        )
    return order


def from_decision(
    ctx: Context, case: Case, content: str, days: int | None, rule_ids: list[str]
) -> CorrectionOrder:
    """The decision's correction order (the decision service checked who decides)."""
    order = _issue(
        ctx,
        enterprise_id=case.enterprise_id,
        source="case",
        content=content,
        days=days,
        case=case,
        rule_ids=rule_ids,
    )
    return order


def tell_party(ctx: Context, order: CorrectionOrder) -> None:
    """The enterprise learns of the order (the decision's service tells it of the decision)."""
    notify(
        ctx,
        kind="correction_order",
        title=f"责令改正：请于 {order.due_on} 前完成整改并在线提交整改方案",
        link=link_of(ctx, order.id, staff=False),
        enterprise_id=order.enterprise_id,
        payload={"order_id": order.id, "due_on": order.due_on.isoformat()},
    )


def from_warning(ctx: Context, w: EnterpriseWarning, data: dict[str, Any]) -> CorrectionOrder:
    """An officer orders correction on a warning whose answer or escalation found a violation."""
    require_action(ctx, Perm.WARNINGS_EDIT)
    if w.status not in WARNING_FINDINGS:
        raise Conflict(
            "只有企业已答复或已升级的预警经核实发现违法的，才能责令改正", {"status": [w.status]}
        )
    exists = db.session.execute(
        select(CorrectionOrder.id).where(CorrectionOrder.warning_id == w.id)
    ).scalar_one_or_none()
    if exists is not None:
        raise Conflict("该预警已责令改正", {"order_id": [str(exists)]})
    content = _text(data.get("content"), "content", "责令改正的内容")
    finding = _text(data.get("finding"), "finding", "核实发现的违法事实")
    days = parse_days(data.get("days"), "days")
    order = _issue(
        ctx,
        enterprise_id=w.enterprise_id,
        source="warning",
        content=f"{content}（核实发现：{finding}）",
        days=days,
        warning=w,
        field="days",
        rule_ids=[w.rule_id, policy_of(ctx).case_rule("correction.order_correction").rule_id],
    )
    tell_party(ctx, order)
    return order


def _text(raw: Any, field: str, what: str, *, required: bool = True, most: int = MAX_TEXT) -> str:
    value = str(raw or "").strip()
    if required and not value:
        raise ValidationFailed.field(field, f"请填写{what}")
    if len(value) > most:
        raise ValidationFailed.field(field, f"{what}不能超过 {most} 字")
    return value


def ledger_line(
    ctx: Context, order: CorrectionOrder, enterprise: Enterprise, kind: str, summary: str
) -> None:
    """A line of the positive-list ledger when the enterprise is listed today."""
    if listed_on(enterprise.id, ctx.today).listed:
        ledger.add_entry(ctx, enterprise, kind, ctx.today, summary, f"correction_order:{order.id}")


def get_order(order_id: Any) -> CorrectionOrder:
    """Within the scope: another tenant's order and a missing one are the same 404."""
    return get(CorrectionOrder, order_id, "该责令改正")


def order_of_case(case_id: int) -> CorrectionOrder | None:
    return db.session.execute(
        select(CorrectionOrder).where(CorrectionOrder.case_id == case_id)
    ).scalar_one_or_none()


def party_sees(stmt: Any) -> Any:
    """The party sees a decision's order once the decision is served (it learns of both then);
    a warning's order at once."""
    served = select(Case.id).where(Case.id == CorrectionOrder.case_id, Case.served_on.is_not(None))
    return stmt.where(CorrectionOrder.case_id.is_(None) | served.exists())


def mine(ctx: Context) -> Enterprise:
    require_action(ctx, Perm.OWN_CASES)
    return my_enterprise(ctx)


def my_order(ctx: Context, order_id: Any) -> CorrectionOrder:
    """The enterprise's own order; another enterprise's and a missing one are the same 404."""
    e = mine(ctx)
    try:
        o = get_order(order_id)
    except NotFound:
        raise NotFound("没有找到该责令改正") from None
    if o.enterprise_id != e.id:
        raise NotFound("没有找到该责令改正")
    if o.case_id is not None:
        case = db.session.get(Case, o.case_id)
        if case is None or case.served_on is None:
            raise NotFound("没有找到该责令改正")
    return o


def orders_page(
    ctx: Context,
    *,
    status: str | None = None,
    source: str | None = None,
    enterprise_id: int | None = None,
    overdue: bool = False,
    after: int | None = None,
    limit: int = 50,
) -> Page:
    """Staff list, newest first, keyset-paged on id; filters: status (or "open"), source,
    enterprise, overdue only."""
    require_action(ctx, Perm.CASES_VIEW)
    stmt = select(CorrectionOrder)
    if status == "open":
        stmt = stmt.where(CorrectionOrder.status.in_(("issued", "planned", "verifying")))
    elif status in ORDER_STATUSES:
        stmt = stmt.where(CorrectionOrder.status == status)
    if source in ORDER_SOURCES:
        stmt = stmt.where(CorrectionOrder.source == source)
    if enterprise_id:
        stmt = stmt.where(CorrectionOrder.enterprise_id == enterprise_id)
    if overdue:
        stmt = stmt.where(CorrectionOrder.overdue_on.is_not(None))
    return keyset_page(stmt, CorrectionOrder.id, after, limit, descending=True, count=True)


def my_orders(ctx: Context) -> list[CorrectionOrder]:
    """The enterprise's own orders, open ones first, then newest first."""
    e = mine(ctx)
    rows = db.session.execute(
        party_sees(select(CorrectionOrder).where(CorrectionOrder.enterprise_id == e.id))
        .order_by(CorrectionOrder.id.desc())
        .limit(500)
    ).scalars()
    return sorted(rows, key=lambda o: (not o.is_open, -o.id))

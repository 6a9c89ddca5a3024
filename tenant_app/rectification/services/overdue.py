"""Overdue correction orders (SX-15, XJ-R; issue 15 item 2), run daily per tenant.

An open order whose deadline has passed is flagged once (``overdue_on``): the officer who made
it and the officers, the enterprise, and oversight (staff who read the audit log) are told. For
an enterprise listed on that day, an overdue order without a good reason recorded
(``rectify.justify``) is the XJ-R removal reason the pack names
(``Policy.rectification_rules``: ``overdue_removal_reason``): the listing's own removal step
starts with the overdue day as the discovery date, as a decision's consequences do
(cases/services/consequences.py). When this tenant cannot start it (not the compiling level,
no such reason), the order records why, so the compiling level sees it. Idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.auth.roles import Perm
from tenant_app.context import SYSTEM, Context
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.inspections.services.common import policy_of
from tenant_app.listing.services import removal
from tenant_app.listing.services.listed_status import listed_on
from tenant_app.models import CorrectionOrder
from tenant_app.models.listing import ListingEntry
from tenant_app.models.rectification import OPEN_ORDER_STATUSES
from tenant_app.notifications.services.notify import notify, staff_with
from tenant_app.policy.service import NoPack
from tenant_app.rectification.services.orders import link_of


@dataclass
class OverdueResult:
    flagged: list[int] = field(default_factory=list)
    removals: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"flagged": len(self.flagged), "removals_started": len(self.removals)}


def flag_overdue(ctx: Context, today: date | None = None) -> OverdueResult:
    today = today or ctx.today
    result = OverdueResult()
    try:
        policy = policy_of(ctx, today)
    except NoPack:
        return result
    rows = list(
        db.session.execute(
            select(CorrectionOrder)
            .where(
                CorrectionOrder.status.in_(OPEN_ORDER_STATUSES),
                CorrectionOrder.due_on < today,
                CorrectionOrder.overdue_on.is_(None),
            )
            .order_by(CorrectionOrder.id)
            .limit(5000)
        ).scalars()
    )
    if not rows:
        return result
    by_system = replace(ctx, actor=SYSTEM)
    officers = set(staff_with(ctx, Perm.CASES_EDIT))
    oversight = set(staff_with(ctx, Perm.AUDIT_VIEW))
    rules = policy.rectification_rules()
    for o in rows:
        o.overdue_on = today
        audit.record(
            by_system,
            "rectification.overdue",
            object_type="correction_order",
            object_id=o.id,
            before={"overdue_on": None},
            after={"overdue_on": today, "due_on": o.due_on, "justified": o.overdue_justified},
        )
        result.flagged.append(o.id)
        users = officers | oversight | ({o.issued_by} if o.issued_by else set())
        notify(
            by_system,
            kind="rectification_overdue",
            title=f"责令改正逾期未完成（#{o.id}，期限 {o.due_on}）",
            link=link_of(ctx, o.id),
            users=sorted(users),
            payload={"order_id": o.id},
        )
        notify(
            by_system,
            kind="rectification_overdue",
            title=f"责令改正已逾期（期限 {o.due_on}），请尽快完成整改并报告",
            link=link_of(ctx, o.id, staff=False),
            enterprise_id=o.enterprise_id,
            payload={"order_id": o.id},
        )
        reason = rules.answer["overdue_removal_reason"]
        status = listed_on(o.enterprise_id, today)
        if not o.overdue_justified and status.listed and status.entry_id is not None:
            o.removal = _start_removal(by_system, o, reason, status.entry_id, today, rules.rule_id)
            if o.removal.get("done"):
                result.removals.append(o.id)
    return result


def _start_removal(
    ctx: Context, o: CorrectionOrder, reason: str | None, entry_id: int, day: date, rule_id: str
) -> dict[str, Any]:
    entry = db.session.get(ListingEntry, entry_id)
    base = {"entry_id": entry_id, "rule_ids": [r for r in [rule_id] if r]}
    if entry is None or reason is None:
        return {
            **base,
            "done": False,
            "note": "正面清单企业逾期未改正：本政策没有对应的移出情形，须由编制单位研判",
        }
    acting = replace(ctx, checks_roles=False)
    try:
        with db.session.begin_nested():
            removal.start(
                acting,
                entry,
                {
                    "reason": reason,
                    "discovered_on": day.isoformat(),
                    "note": f"责令改正 #{o.id} 限 {o.due_on} 前改正，无正当理由逾期未改正",
                },
            )
    except ServiceError as exc:
        return {
            **base,
            "done": False,
            "note": f"正面清单企业逾期未改正：未能启动移出（{exc.message}），须由编制单位启动",
        }
    audit.record(
        ctx,
        "rectification.removal_started",
        object_type="correction_order",
        object_id=o.id,
        after={"entry_id": entry_id, "reason": reason, "discovered_on": day},
    )
    return {
        **base,
        "done": True,
        "reason": reason,
        "discovered_on": day.isoformat(),
        "due": entry.removal_due.isoformat() if entry.removal_due else None,
        "note": f"正面清单企业无正当理由逾期未改正：以 {day} 为发现日期启动移出",
    }

"""Coercive and heavy measures on a case (issue 14 item 6, SX-13: 审慎采取): sealing or seizure,
production limits or suspension, permit suspension or revocation.

Each is proposed by an officer with a written reason why lighter means do not suffice, reviewed
by a legal reviewer (法制审核) and then approved by the principal head; it may be carried out
only once approved. The rule cited is the region's (``Policy.coercive_measures``). Refused, with
the rule: no reason, approval before a passed review, approval by anyone but the principal head
(``cases.decide``), a step on a closed case or on a measure already settled.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.cases.services.common import (
    NotFound,
    _id,
    audit_case,
    flag,
    policy_of,
    record_step,
    refuse,
    text,
)
from tenant_app.context import Context
from tenant_app.core.errors import ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import Case, CaseMeasure
from tenant_app.models.case import COERCIVE_MEASURES

REASON_MIN = 10  # characters: a reason, not a word


def measures_of(case: Case) -> list[CaseMeasure]:
    return list(
        db.session.execute(
            select(CaseMeasure).where(CaseMeasure.case_id == case.id).order_by(CaseMeasure.id)
        ).scalars()
    )


def get_measure(case: Case, measure_id: Any) -> CaseMeasure:
    oid = _id(measure_id)
    row = (
        db.session.execute(
            select(CaseMeasure).where(CaseMeasure.id == oid, CaseMeasure.case_id == case.id)
        ).scalar_one_or_none()
        if oid
        else None
    )
    if row is None:
        raise NotFound("没有找到该措施")
    return row


def _open(case: Case, rule_id: str) -> None:
    if case.stage == "closed":
        raise refuse(rule_id, "案件已结案，不能再采取或者批准措施")


def propose(ctx: Context, case: Case, data: dict[str, Any]) -> CaseMeasure:
    require_action(ctx, Perm.CASES_EDIT)
    rule = policy_of(ctx).coercive_measures()
    _open(case, rule.rule_id)
    kind = data.get("kind")
    if kind not in COERCIVE_MEASURES:
        raise ValidationFailed.field("kind", "请选择措施")
    reason = text(data.get("reason"), "reason")
    if len(reason) < REASON_MIN:
        raise ValidationFailed(
            f"{rule.rule_id}：采取该措施须书面说明采取较轻手段不足以达到目的的理由",
            {
                "reason": [f"请说明为何较轻手段不足以制止违法（至少{REASON_MIN}字）"],
                "rule_ids": [rule.rule_id],
            },
        )
    row = CaseMeasure(
        case_id=case.id,
        kind=kind,
        scope=text(data.get("scope"), "scope"),
        reason=reason,
        status="proposed",
        proposed_on=ctx.today,
        proposed_by=ctx.actor.user_id,
        rule_ids=[rule.rule_id],
    )
    db.session.add(row)
    db.session.flush()
    record_step(
        ctx,
        case,
        "measure_proposed",
        rule_ids=[rule.rule_id],
        detail={"measure_id": row.id, "kind": kind},
        note=reason,
    )
    audit_case(
        ctx,
        case,
        "case.measure_proposed",
        after={"measure_id": row.id, "kind": kind, "reason": reason, "rule_ids": [rule.rule_id]},
    )
    return row


def review(ctx: Context, case: Case, m: CaseMeasure, passed: Any, opinion: Any) -> CaseMeasure:
    """法制审核 of the measure by a legal reviewer (not the officer who proposed it)."""
    require_action(ctx, Perm.CASES_REVIEW)
    rule = policy_of(ctx).coercive_measures()
    _open(case, rule.rule_id)
    if m.status != "proposed":
        raise refuse(rule.rule_id, f"该措施{m.status_label}，不能再审核")
    if ctx.actor.user_id is not None and ctx.actor.user_id == m.proposed_by:
        raise refuse(rule.rule_id, "提请采取措施的人员不能审核该措施")
    ok = flag(passed)
    m.review_opinion = text(opinion, "opinion", required=True)
    m.reviewed_on, m.reviewed_by = ctx.today, ctx.actor.user_id
    m.status = "reviewed" if ok else "rejected"
    record_step(
        ctx,
        case,
        "measure_reviewed",
        rule_ids=[rule.rule_id],
        detail={"measure_id": m.id, "passed": ok},
        note=m.review_opinion,
    )
    audit_case(ctx, case, "case.measure_reviewed", after={"measure_id": m.id, "status": m.status})
    return m


def approve(ctx: Context, case: Case, m: CaseMeasure, approved: Any, note: Any) -> CaseMeasure:
    """The principal head approves (or not) a measure the legal review passed."""
    require_action(ctx, Perm.CASES_DECIDE)
    rule = policy_of(ctx).coercive_measures()
    _open(case, rule.rule_id)
    if m.status == "proposed":
        raise refuse(rule.rule_id, "该措施尚未经法制审核，主要负责人不能批准")
    if m.status != "reviewed":
        raise refuse(rule.rule_id, f"该措施{m.status_label}，不能再批准")
    ok = flag(approved)
    m.approval_note = text(note, "note")
    m.approved_on, m.approved_by = ctx.today, ctx.actor.user_id
    m.status = "approved" if ok else "rejected"
    record_step(
        ctx,
        case,
        "measure_approved" if ok else "measure_rejected",
        rule_ids=[rule.rule_id],
        detail={"measure_id": m.id, "approved": ok},
        note=m.approval_note,
    )
    audit_case(ctx, case, "case.measure_approved", after={"measure_id": m.id, "status": m.status})
    return m

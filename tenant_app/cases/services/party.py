"""The party's side (行政处罚法第四十四、四十五、六十三、六十四条): the enterprise sees its own
cases online, files its statement or defence, asks for a hearing, or waives both — within the
window counted from the notice. The enterprise is always the one the user's verified account
links to; another enterprise's case and a missing one are the same 404. Staff may record what
the party handed in on paper, under the same periods."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.cases.services import stages
from tenant_app.cases.services.common import (
    NotFound,
    audit_case,
    get_case,
    policy_of,
    record_step,
    refuse,
    statements_of,
    text,
)
from tenant_app.context import Context
from tenant_app.core.errors import ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import Case, CaseStatement, Enterprise
from tenant_app.models.case import STATEMENT_KINDS
from tenant_app.registry.services.enterprise_accounts import my_enterprise

AUDIT_ACTION = {
    "statement": "case.statement_filed",
    "hearing_request": "case.hearing_requested",
    "waiver": "case.rights_waived",
}


def _mine(ctx: Context) -> Enterprise:
    require_action(ctx, Perm.OWN_CASES)
    return my_enterprise(ctx)


def my_cases(ctx: Context) -> list[Case]:
    """The enterprise's cases once it has been told of them (立案 is internal until the notice)."""
    e = _mine(ctx)
    return list(
        db.session.execute(
            select(Case)
            .where(Case.enterprise_id == e.id, Case.noticed_on.is_not(None))
            .order_by(Case.id.desc())
        ).scalars()
    )


def my_case(ctx: Context, case_id: Any) -> Case:
    e = _mine(ctx)
    try:
        case = get_case(case_id)
    except NotFound:
        raise NotFound("没有找到该案件") from None
    if case.enterprise_id != e.id or case.noticed_on is None:
        raise NotFound("没有找到该案件")
    return case


def file(
    ctx: Context, case: Case, kind: str, content: str, *, via: str = "portal"
) -> CaseStatement:
    """A statement (陈述、申辩), a hearing request (要求听证) or a waiver, on ``ctx.today``."""
    if via == "staff":
        require_action(ctx, Perm.CASES_EDIT)
    else:
        require_action(ctx, Perm.OWN_CASES)
    if kind not in STATEMENT_KINDS:
        raise ValidationFailed.field("kind", "请选择提交的事项")
    body = text(content, "content", required=kind == "statement")
    policy = policy_of(ctx)
    stages.refresh(ctx, case)
    window = case.deadlines.get("statement") or {}
    if case.noticed_on is None or case.stage not in stages.AFTER_NOTICE:
        rule = policy.case_rule("notice.before_decision")
        raise refuse(rule.rule_id, "本案不在陈述、申辩期间")
    if not stages.window_open(case, ctx.today):
        why = (
            f"当事人已于{case.waived_on}明确放弃"
            if case.waived_on
            else f"期间已于{case.statement_due}届满"
        )
        raise refuse(
            str(window.get("rule_id") or ""),
            f"陈述、申辩和要求听证须在告知后规定期间内提出，{why}"
            f"（{window.get('explanation', '')}）",
        )
    rule_ids = [str(window.get("rule_id") or "")]
    if kind == "hearing_request":
        listed = policy.case_rule("hearing.penalties")
        if not case.hearing_eligible:
            raise refuse(listed.rule_id, "本案拟作出的处罚不属于应当告知听证权利的处罚")
        if case.hearing_requested_on:
            raise ValidationFailed.field("kind", "已经提出过听证要求")
        case.hearing_requested_on = ctx.today
        rule_ids.append(listed.rule_id)
    if kind == "waiver":
        exception = policy.case_rule("notice.no_decision_without_notice")
        case.waived_on = ctx.today
        rule_ids.append(exception.rule_id)
    row = CaseStatement(
        case_id=case.id,
        kind=kind,
        content=body,
        filed_on=ctx.today,
        via="staff" if via == "staff" else "portal",
        filed_by=ctx.actor.user_id,
    )
    db.session.add(row)
    db.session.flush()
    stages.settle(case, ctx.today)
    record_step(ctx, case, kind, rule_ids=rule_ids, detail={"statement_id": row.id, "via": row.via})
    audit_case(
        ctx,
        case,
        AUDIT_ACTION[kind],
        after={"statement_id": row.id, "via": row.via, "filed_on": ctx.today, "stage": case.stage},
    )
    return row


def statements(case: Case) -> list[CaseStatement]:
    return statements_of(case)

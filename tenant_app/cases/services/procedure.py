"""The steps between the notice and the decision: reviewing the party's statements (复核,
第四十五条第一款), the hearing (第六十四条: notified at least its working days before), legal
review (第五十八条: required cases, and every decision outside the proposal), collective
discussion (第五十七条第二款) and the extension of the time limit (第六十条 and the Ministry's
measures). Each checks the order and the clock on the day it is taken."""

from __future__ import annotations

from datetime import date
from typing import Any

from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.cases.services import stages
from tenant_app.cases.services.common import (
    audit_case,
    flag,
    parse_date,
    policy_of,
    record_step,
    refuse,
    statements_of,
    text,
    violations_of,
)
from tenant_app.context import Context
from tenant_app.core.errors import ValidationFailed
from tenant_app.models import Case, CaseStatement
from tenant_app.models.case import REVIEW_VERDICTS


def answer_statement(
    ctx: Context, case: Case, st: CaseStatement, answer: str, adopted: Any
) -> CaseStatement:
    require_action(ctx, Perm.CASES_EDIT)
    stages.check_stage(ctx, case, stages.AFTER_NOTICE, "复核当事人意见")
    stages.check_limit(ctx, case)
    if st.kind != "statement":
        raise ValidationFailed.field("answer", "只有陈述、申辩需要复核答复")
    rule = policy_of(ctx).case_rule("notice.statement_and_defence")
    st.answer = text(answer, "answer", required=True)
    st.adopted = flag(adopted)
    st.answered_by, st.answered_on = ctx.actor.user_id, ctx.today
    record_step(
        ctx,
        case,
        "answered",
        rule_ids=[rule.rule_id],
        detail={"statement_id": st.id, "adopted": st.adopted},
    )
    audit_case(
        ctx,
        case,
        "case.statement_answered",
        after={"statement_id": st.id, "adopted": st.adopted, "rule_ids": [rule.rule_id]},
    )
    return st


def schedule_hearing(ctx: Context, case: Case, hearing_date: Any, place: str) -> Case:
    """第六十四条第二项: the party is notified of time and place at least its working days
    before the hearing; the notice goes out today."""
    require_action(ctx, Perm.CASES_EDIT)
    stages.check_stage(ctx, case, ("hearing",), "安排听证")
    stages.check_limit(ctx, case)
    when = parse_date(hearing_date, "hearing_date")
    assert when is not None
    earliest = stages.deadline(ctx, "hearing.notice_days_before", ctx.today)
    if when < earliest.answer:
        raise refuse(
            earliest.rule_id,
            f"听证应当在通知后至少规定期间届满后举行：今日通知，最早于{earliest.answer}举行"
            f"（{earliest.explanation}）",
        )
    if when > case.limit_due:
        stored = case.deadlines.get("extension") or case.deadlines.get("decision_limit") or {}
        raise refuse(str(stored.get("rule_id") or ""), f"听证日期晚于办案期限{case.limit_due}")
    case.hearing_notified_on, case.hearing_date = ctx.today, when
    case.hearing_place = text(place, "hearing_place", required=True, limit=200)
    stages.set_deadline(case, "hearing_notice", earliest)
    record_step(
        ctx,
        case,
        "hearing_scheduled",
        rule_ids=[earliest.rule_id],
        detail={
            "hearing_date": when.isoformat(),
            "place": case.hearing_place,
            "earliest": earliest.to_dict(),
        },
    )
    audit_case(
        ctx,
        case,
        "case.hearing_scheduled",
        after={"hearing_date": when, "notified_on": ctx.today, "rule_ids": [earliest.rule_id]},
    )
    return case


def record_hearing(ctx: Context, case: Case, record: str) -> Case:
    """The hearing held (on or after its day): the case now needs legal review (第五十八条
    第一款第二项: 经过听证程序的)."""
    require_action(ctx, Perm.CASES_EDIT)
    stages.check_stage(ctx, case, ("hearing",), "记录听证")
    stages.check_limit(ctx, case)
    if case.hearing_date is None or ctx.today < case.hearing_date:
        rule = policy_of(ctx).case_rule("hearing.notice_days_before")
        raise refuse(
            rule.rule_id, f"听证定于{case.hearing_date or '（未安排）'}举行，之前不能记录听证"
        )
    case.hearing_record = text(record, "hearing_record", required=True)
    case.hearing_held_on = ctx.today
    review = policy_of(ctx).case_rule("review.legal_review_cases")
    item = next((str(x) for x in review.answer or [] if "听证" in str(x)), "经过听证程序的")
    reasons = list(case.review_reasons or [])
    if not any(r.get("text") == item for r in reasons):
        reasons.append({"rule_id": review.rule_id, "text": item})
    case.review_reasons, case.review_required = reasons, True
    case.review_verdict = None
    stages.settle(case, ctx.today)
    record_step(
        ctx,
        case,
        "hearing_held",
        rule_ids=[review.rule_id],
        detail={"held_on": ctx.today.isoformat()},
    )
    audit_case(
        ctx,
        case,
        "case.hearing_held",
        after={"held_on": ctx.today, "stage": case.stage, "review_required": True},
    )
    return case


def penalty_snapshot(case: Case) -> dict[str, Any]:
    """What a legal review sees of the penalty: the decision tried (when one was routed to the
    review) or else the penalty told to the party."""
    out = {}
    for v in violations_of(case):
        if v.outcome is not None:
            out[str(v.id)] = {
                "outcome": v.outcome,
                "fine": v.fine,
                "measures": list(v.measures or []),
            }
        else:
            out[str(v.id)] = {
                "outcome": v.intended_outcome,
                "fine": v.intended_fine,
                "measures": list(v.intended_measures or []),
            }
    return out


def _ready_after_notice(ctx: Context, case: Case, what: str) -> None:
    stages.check_window_closed(ctx, case, what)
    stages.check_hearing(ctx, case, what)
    stages.check_answered(ctx, case, statements_of(case), what)
    stages.check_limit(ctx, case)


def legal_review(ctx: Context, case: Case, verdict: str, opinion: str) -> Case:
    """法制审核 by a legal reviewer who is not one of the case's officers. Passed: the case
    goes on; failed: no decision may be made (第五十八条), the case goes back to investigation
    and must be noticed again."""
    require_action(ctx, Perm.CASES_REVIEW)
    stages.check_stage(ctx, case, stages.AFTER_NOTICE, "法制审核")
    _ready_after_notice(ctx, case, "法制审核")
    stages.check_stage(ctx, case, ("review",), "法制审核")
    rule = policy_of(ctx).case_rule("review.legal_review_cases")
    if verdict not in REVIEW_VERDICTS:
        raise ValidationFailed.field("verdict", "请选择审核结论")
    if any(o.get("id") == ctx.actor.user_id for o in case.officers or []):
        raise refuse(rule.rule_id, "承办本案的执法人员不能审核本案")
    case.review_opinion = text(opinion, "opinion", required=True)
    case.review_verdict, case.reviewed_on, case.reviewed_by = verdict, ctx.today, ctx.actor.user_id
    case.reviewed_penalty = penalty_snapshot(case) if verdict == "passed" else {}
    before = case.stage
    if verdict == "failed":
        case.stage = "investigation"
        for v in violations_of(case):
            v.outcome, v.fine, v.measures = None, None, []
    else:
        stages.settle(case, ctx.today)
    record_step(
        ctx,
        case,
        "reviewed",
        rule_ids=[r["rule_id"] for r in case.review_reasons or []] or [rule.rule_id],
        detail={
            "verdict": verdict,
            "reasons": case.review_reasons,
            "penalty": case.reviewed_penalty,
        },
        note=case.review_opinion,
    )
    audit_case(
        ctx,
        case,
        "case.reviewed",
        before={"stage": before},
        after={"verdict": verdict, "stage": case.stage, "penalty": case.reviewed_penalty},
    )
    return case


def collective_discussion(ctx: Context, case: Case, record: str) -> Case:
    """第五十七条第二款: the heads discuss and decide together; the principal head records it."""
    require_action(ctx, Perm.CASES_DECIDE)
    stages.check_stage(ctx, case, stages.AFTER_NOTICE, "集体讨论")
    _ready_after_notice(ctx, case, "集体讨论")
    stages.check_stage(ctx, case, ("discussion",), "集体讨论")
    rule = policy_of(ctx).case_rule("review.collective_discussion_cases")
    case.discussion_record = text(record, "discussion_record", required=True)
    case.discussed_on = ctx.today
    stages.settle(case, ctx.today)
    record_step(
        ctx,
        case,
        "discussed",
        rule_ids=[r["rule_id"] for r in case.discussion_reasons or []] or [rule.rule_id],
        note=case.discussion_record,
    )
    audit_case(ctx, case, "case.discussed", after={"discussed_on": ctx.today, "stage": case.stage})
    return case


def extend(ctx: Context, case: Case, reason: str) -> Case:
    """The time limit extended once, by the principal head, before it has passed."""
    require_action(ctx, Perm.CASES_DECIDE)
    stages.check_stage(ctx, case, stages.BEFORE_DECISION, "延长办案期限")
    stages.check_limit(ctx, case)
    limit = stages.deadline(ctx, "time_limit.decision_days", case.filed_on)
    if case.extended:
        raise refuse(
            str(case.deadlines.get("extension", {}).get("rule_id") or ""), "办案期限已经延长过"
        )
    why = text(reason, "reason", required=True)
    before: date = case.limit_due
    case.extended = True
    stages.refresh(ctx, case)
    ext = case.deadlines["extension"]
    record_step(
        ctx,
        case,
        "extended",
        rule_ids=[limit.rule_id, ext["rule_id"]],
        detail={"extension": ext},
        note=why,
    )
    audit_case(
        ctx,
        case,
        "case.extended",
        before={"limit_due": before},
        after={"limit_due": case.limit_due, "reason": why},
    )
    return case

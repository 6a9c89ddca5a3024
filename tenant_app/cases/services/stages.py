"""The order of a case and its clock: the deadlines (each a Decision with its rule, the facts
counted and the policy version, from the national layer by the working-day calendar), what
comes next, and the checks every step repeats on the day it is taken.

Order (行政处罚法): 立案 → 调查 → 告知 (第四十四条) → 陈述、申辩和要求听证的期间 (第四十五、
六十四条) → 听证, when asked for and the penalty is one 第六十三条 lists → 法制审核 where 第五十
八条 (or a decision outside the proposal) requires it → 集体讨论 where 第五十七条第二款 requires
it → 决定, within 第六十条's limit from filing → 送达 (第六十一条) → 结案.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from policies import Decision
from tenant_app.cases.services.common import policy_of, refuse
from tenant_app.context import Context
from tenant_app.models import Case, CaseStatement

# The stages before a decision, after the notice: the party's window, hearing, review,
# collective discussion, the decision itself.
AFTER_NOTICE = ("notice", "hearing", "review", "discussion", "decision")
BEFORE_DECISION = ("investigation", *AFTER_NOTICE)


def deadline(ctx: Context, key: str, event: date) -> Decision:
    """A national period counted from ``event`` under the policy in force on that day."""
    return policy_of(ctx, event).case_deadline(key, event)


def set_deadline(case: Case, name: str, d: Decision) -> None:
    stored = dict(case.deadlines or {})
    stored[name] = d.to_dict()
    case.deadlines = stored  # reassign: JSON columns track assignment, not mutation


def decision_limit(ctx: Context, case: Case) -> Decision:
    """第六十条: the last day for the decision, counted from filing (and, once extended, the
    extension counted from that day)."""
    limit = deadline(ctx, "time_limit.decision_days", case.filed_on)
    if case.extended:
        return deadline(ctx, "time_limit.extension_days", limit.answer)
    return limit


def refresh(ctx: Context, case: Case) -> None:
    """Recompute every deadline from its event day: a date first computed without a year's
    holiday data (provisional) becomes final once that year is entered."""
    limit = deadline(ctx, "time_limit.decision_days", case.filed_on)
    set_deadline(case, "decision_limit", limit)
    if case.extended:
        ext = deadline(ctx, "time_limit.extension_days", limit.answer)
        set_deadline(case, "extension", ext)
        limit = ext
    case.limit_due = limit.answer
    if case.noticed_on:
        window = deadline(ctx, "hearing.request_days", case.noticed_on)
        set_deadline(case, "statement", window)
        case.statement_due = window.answer
    if case.decided_on:
        service = deadline(ctx, "service.deliver_days", case.decided_on)
        set_deadline(case, "service", service)
        case.service_due = service.answer


def window_open(case: Case, today: date) -> bool:
    """The party's statement and hearing-request window (第四十五、六十四条): open from the
    notice until its last day, unless the party waived it."""
    return bool(
        case.noticed_on
        and case.statement_due
        and not case.waived_on
        and today <= case.statement_due
    )


def expected(case: Case, today: date) -> str:
    """The stage the case is in on ``today``, from the steps taken and the clock."""
    if case.stage in ("investigation", "decided", "served", "closed"):
        return case.stage
    if case.hearing_requested_on and not case.hearing_held_on:
        return "hearing"
    if window_open(case, today):
        return "notice"
    if case.review_required and case.review_verdict != "passed":
        return "review"
    if case.discussion_required and not case.discussed_on:
        return "discussion"
    return "decision"


def settle(case: Case, today: date) -> None:
    case.stage = expected(case, today)


def _rule(d: dict[str, Any] | None) -> str:
    return str((d or {}).get("rule_id") or "")


def check_limit(ctx: Context, case: Case) -> None:
    """第六十条 at every step before the decision: none after the last day (extended once,
    before it passed, by the principal head)."""
    refresh(ctx, case)
    if ctx.today > case.limit_due:
        stored = case.deadlines.get("extension") or case.deadlines.get("decision_limit")
        raise refuse(
            _rule(stored),
            f"办案期限已于{case.limit_due.isoformat()}届满，不能再办理本步骤"
            f"（{(stored or {}).get('explanation', '')}）",
        )


# The national rule that holds a case in each stage (what must happen before it moves on).
_STAGE_RULE = {
    "investigation": "notice.before_decision",
    "notice": "hearing.request_days",
    "hearing": "hearing.penalties",
    "review": "review.legal_review_cases",
    "discussion": "review.collective_discussion_cases",
    "decision": "time_limit.decision_days",
    "decided": "service.deliver_days",
    "served": "service.deliver_days",
    "closed": "review.full_process_record",
}
_STAGE_NEXT = {
    "investigation": "调查终结并告知当事人",
    "notice": "待当事人陈述、申辩和要求听证的期间届满",
    "hearing": "举行听证",
    "review": "经法制审核",
    "discussion": "经负责人集体讨论",
    "decision": "作出决定",
    "decided": "送达决定书",
    "served": "结案",
    "closed": "（已结案）",
}


def check_stage(ctx: Context, case: Case, allowed: tuple[str, ...], what: str) -> None:
    """The step belongs to one of ``allowed`` stages; otherwise refused, naming the stage the
    case is in, what it waits for and the rule that holds it there."""
    from tenant_app.models.case import CASE_STAGES

    now = expected(case, ctx.today)
    if now in allowed:
        return
    rule = policy_of(ctx).case_rule(_STAGE_RULE[now])
    raise refuse(
        rule.rule_id,
        f"案件当前处于“{CASE_STAGES.get(now, now)}”，须{_STAGE_NEXT[now]}，不能{what}",
    )


def check_window_closed(ctx: Context, case: Case, what: str) -> None:
    """第六十二条 (no decision without hearing the party) and 第六十四条 (the hearing window):
    the steps after the notice wait for the window to end, unless the party waived it."""
    if not case.noticed_on:
        rule = policy_of(ctx).case_rule("notice.no_decision_without_notice")
        raise refuse(rule.rule_id, f"尚未告知当事人拟作出的行政处罚，不能{what}")
    if window_open(case, ctx.today):
        stored = case.deadlines.get("statement") or {}
        rule = policy_of(ctx).case_rule("notice.no_decision_without_notice")
        raise refuse(
            rule.rule_id,
            f"当事人陈述、申辩和要求听证的期间至{case.statement_due}届满，期间内不能{what}",
            (_rule(stored), str(stored.get("explanation", ""))),
        )


def check_answered(ctx: Context, case: Case, statements: list[CaseStatement], what: str) -> None:
    """第四十五条第一款: every statement reviewed (复核) before the case moves on."""
    open_ = [s for s in statements if s.kind == "statement" and s.answered_on is None]
    if open_:
        rule = policy_of(ctx).case_rule("notice.statement_and_defence")
        raise refuse(rule.rule_id, f"当事人的陈述、申辩尚有{len(open_)}项未复核，不能{what}")


def check_hearing(ctx: Context, case: Case, what: str) -> None:
    if case.hearing_requested_on and not case.hearing_held_on:
        rule = policy_of(ctx).case_rule("hearing.penalties")
        raise refuse(rule.rule_id, f"当事人已要求听证，听证举行前不能{what}")


def next_steps(case: Case, today: date) -> list[dict[str, Any]]:
    """What the case waits for on ``today``: each with its deadline and rule, for the page."""
    out: list[dict[str, Any]] = []
    stored = case.deadlines or {}
    now = expected(case, today)
    limit = stored.get("extension") or stored.get("decision_limit") or {}

    def add(what: str, due: Any = None, d: dict[str, Any] | None = None, who: str = "") -> None:
        out.append(
            {
                "what": what,
                "due": due,
                "rule_id": _rule(d),
                "explanation": (d or {}).get("explanation", ""),
                "provisional": bool((d or {}).get("provisional")),
                "who": who,
                "overdue": bool(due and isinstance(due, date) and today > due),
            }
        )

    if now == "investigation":
        add("调查取证，记录违法事实和裁量情节后告知当事人", case.limit_due, limit, "执法人员")
    elif now == "notice":
        add("当事人陈述、申辩或者要求听证", case.statement_due, stored.get("statement"), "当事人")
    elif now == "hearing":
        add("通知并举行听证", case.limit_due, limit, "执法人员")
    elif now == "review":
        add("法制审核", case.limit_due, limit, "法制审核人员")
    elif now == "discussion":
        add("负责人集体讨论", case.limit_due, limit, "主要负责人")
    elif now == "decision":
        add("作出行政处罚决定", case.limit_due, limit, "主要负责人")
    elif now == "decided":
        add("送达行政处罚决定书", case.service_due, stored.get("service"), "执法人员")
    elif now == "served":
        add("整改核查后结案", None, None, "执法人员")
    return out

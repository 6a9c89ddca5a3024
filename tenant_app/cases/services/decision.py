"""The decision (决定), its service (送达) and closing (结案).

The principal head decides each violation: no penalty or a fine (and the measures its
provision allows). Checked on the day, in this order, each refusal naming its rule:
the notice and the party's window (第六十二条), every statement reviewed (第四十五条第一款),
the hearing held when asked for (第六十三条), the time limit (第六十条), no heavier penalty than
the one told to the party (第四十五条第二款), a correction order always (第二十八条), an
education record for no penalty (第三十三条第三款), and a written reason for anything outside
the proposal (SX-12) — such a decision always goes to legal review first: when the review has
not seen it, the case is routed there (kept although the decision is refused). Then legal
review (第五十八条) and collective discussion (第五十七条第二款) where required.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.cases import closing
from tenant_app.cases.services import consequences, similar, stages
from tenant_app.cases.services.common import (
    Refused,
    audit_case,
    flag,
    policy_of,
    record_step,
    refuse,
    statements_of,
    tenant_of,
    text,
    violations_of,
)
from tenant_app.cases.services.notice import outside_rule, parse_penalty, penalties_by_violation
from tenant_app.cases.services.procedure import penalty_snapshot
from tenant_app.cases.services.proposal import within
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import Case, CaseViolation, Enterprise
from tenant_app.models.case import SERVICE_METHODS
from tenant_app.rectification.services import orders as correction_orders


class RoutedToReview(Refused):
    """The decision is outside the proposal and the legal review has not seen it: the case now
    waits for the review (that change is kept; the decision is not made)."""

    keep = True
    code = "routed_to_legal_review"


def _heavier(v: CaseViolation, p: dict[str, Any]) -> bool:
    """Heavier than the penalty told to the party (第四十五条第二款)."""
    if v.intended_outcome == "no_penalty" and p["outcome"] == "fine":
        return True
    if (p["fine"] or 0) > (v.intended_fine or 0):
        return True
    return bool(set(p["measures"]) - set(v.intended_measures or []))


def decide(ctx: Context, case: Case, data: dict[str, Any]) -> Case:
    require_action(ctx, Perm.CASES_DECIDE)
    stages.check_stage(ctx, case, stages.AFTER_NOTICE, "作出决定")
    policy = policy_of(ctx)
    stages.check_window_closed(ctx, case, "作出行政处罚决定")
    stages.check_answered(ctx, case, statements_of(case), "作出行政处罚决定")
    stages.check_hearing(ctx, case, "作出行政处罚决定")
    stages.check_limit(ctx, case)

    violations = violations_of(case)
    catalogue = policy.case_catalogue().answer
    by_id = penalties_by_violation(violations, data.get("penalties"))
    chosen = [(v, parse_penalty(v, by_id[v.id], catalogue, f"v{v.id}_")) for v in violations]
    no_heavier = policy.case_rule("notice.no_heavier_for_defence")
    heavier = [v for v, p in chosen if _heavier(v, p)]
    if heavier:
        raise refuse(
            no_heavier.rule_id,
            f"决定不得重于告知当事人的处罚（{'、'.join(v.title for v in heavier)}）；"
            "确需加重的，应当重新告知",
        )
    correction = policy.case_rule("correction.order_correction")
    order = text(data.get("correction_order"), "correction_order")
    if not order:
        raise ValidationFailed(
            f"{correction.rule_id}：实施行政处罚或者不予处罚，均应当责令当事人改正或者限期改正",
            {"correction_order": ["请填写责令改正的内容"], "rule_ids": [correction.rule_id]},
        )
    # The order's deadline is computed by the calendar from the days the officer sets (the
    # pack's unit and default, SX-14/15): the order is an object (rectification/).
    days = correction_orders.parse_days(data.get("correction_days"))
    correction_orders.deadline(policy, ctx.today, days)
    education = text(data.get("education_record"), "education_record")
    if any(p["outcome"] == "no_penalty" for _v, p in chosen) and not education:
        rule = policy.case_rule("no_penalty.education")
        raise ValidationFailed(
            f"{rule.rule_id}：不予行政处罚的，应当对当事人进行教育（免罚不免责）",
            {
                "education_record": ["请填写教育记录（时间、方式、内容）"],
                "rule_ids": [rule.rule_id],
            },
        )

    outside = [(v, p) for v, p in chosen if not within(v.proposal, p["outcome"], p["fine"])]
    for v, p in outside:
        if not p["reason"]:
            raise ValidationFailed(
                f"{outside_rule(v)}：决定偏离裁量建议的，须书面说明理由，并经法制审核",
                {f"v{v.id}_reason": ["偏离裁量建议，请说明理由"], "rule_ids": [outside_rule(v)]},
            )
    tried = {
        str(v.id): {"outcome": p["outcome"], "fine": p["fine"], "measures": p["measures"]}
        for v, p in chosen
    }
    reviewed = case.review_verdict == "passed" and all(
        case.reviewed_penalty.get(str(v.id)) == tried[str(v.id)] for v, _p in outside
    )
    if outside and not reviewed:
        _route(ctx, case, chosen, outside)
        rules = list(dict.fromkeys(outside_rule(v) for v, _p in outside))
        raise RoutedToReview(
            f"{'、'.join(rules)}：决定偏离裁量建议，已转法制审核，审核通过后方可作出决定",
            {"rules": [f"{r}：偏离裁量建议的决定一律经法制审核" for r in rules], "rule_ids": rules},
        )
    if case.review_required and case.review_verdict != "passed":
        rule = policy.case_rule("review.legal_review_cases")
        raise refuse(rule.rule_id, "本案应当经法制审核，未经审核或者审核未通过的，不得作出决定")
    if case.discussion_required and not case.discussed_on:
        rule = policy.case_rule("review.collective_discussion_cases")
        raise refuse(rule.rule_id, "本案应当由行政机关负责人集体讨论决定")

    before = {"stage": case.stage}
    total = 0
    for v, p in chosen:
        v.outcome, v.fine, v.measures = p["outcome"], p["fine"], p["measures"]
        is_out = (v, p) in outside
        v.outside_proposal = is_out
        v.reason = p["reason"] if is_out else v.reason
        total += p["fine"] or 0
    case.total_fine = total
    for v, _p in chosen:
        similar.record_decision(ctx, v)
    case.correction_order = order
    case.education_record = education
    case.decided_on, case.decided_by = ctx.today, ctx.actor.user_id
    transfer = police_transfer(ctx, case, data)
    case.stage = "decided"
    number = _assign_number(ctx, case)
    stages.refresh(ctx, case)
    service = case.deadlines["service"]
    rule_ids = [
        correction.rule_id,
        service["rule_id"],
        *(r for v, _p in chosen for r in v.proposal.get("rule_ids", [])),
    ]
    made = correction_orders.from_decision(ctx, case, order, days, [correction.rule_id])
    case.correction_due = made.due_on
    record_step(
        ctx,
        case,
        "decided",
        rule_ids=rule_ids,
        detail={
            "penalties": tried,
            "outside": [v.id for v, _p in outside],
            "service": service,
            "correction_order_id": made.id,
            "correction_due": made.due_on.isoformat(),
        },
    )
    audit_case(
        ctx,
        case,
        "case.decided",
        before=before,
        after={
            "penalties": tried,
            "total_fine": total,
            "outside_proposal": [v.id for v, _p in outside],
            "service_due": case.service_due,
            "decision_no": number,
            "rule_ids": list(dict.fromkeys(r for r in rule_ids if r)),
            "police_transfer": transfer,
        },
    )
    enterprise = db.session.get(Enterprise, case.enterprise_id)
    if enterprise is not None:
        consequences.apply_serious(ctx, case, enterprise, violations)
        consequences.ledger_line(
            ctx,
            case,
            enterprise,
            "penalty_decision",
            f"行政处罚决定（案件 #{case.id}）：{_summary(chosen)}"
            + ("，移送公安机关" if transfer else ""),
        )
    return case


_SUFFIXES = ("维吾尔自治区", "自治区", "自治州", "省", "市", "县", "区", "州")


def short_name(name: str) -> str:
    """太原市 → 太原; 乌鲁木齐市 → 乌鲁木齐 (the {short} of a numbering pattern)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _assign_number(ctx: Context, case: Case) -> str:
    """The decision's number, in the same transaction as the decision: the next in the tenant's
    year (the scope holds the acting tenant's cases only); the unique index makes a number
    given twice fail the second transaction rather than repeat — a number is never reused."""
    year = ctx.today.year
    last = db.session.execute(
        select(func.max(Case.decision_seq)).where(Case.decision_year == year)
    ).scalar_one()
    n = int(last or 0) + 1
    number = policy_of(ctx).decision_number(short_name(tenant_of(ctx).name), year, n).answer
    case.decision_year, case.decision_seq, case.decision_no = year, n, str(number)[:64]
    return case.decision_no


def _summary(chosen: list[tuple[CaseViolation, dict[str, Any]]]) -> str:
    parts = []
    for v, p in chosen:
        what = f"罚款 {p['fine']} 元" if p["outcome"] == "fine" else "不予行政处罚"
        parts.append(f"{v.title}，{what}")
    return "；".join(parts)


def police_transfer(ctx: Context, case: Case, data: dict[str, Any]) -> bool:
    """A decision option (SX-11): transfer the case to the police (移送公安机关), with its
    reason; recorded on the case and as a step."""
    if not flag(data.get("police_transfer")):
        case.police_transfer, case.police_transfer_reason = False, ""
        return False
    reason = text(data.get("police_transfer_reason"), "police_transfer_reason")
    if not reason:
        raise ValidationFailed.field("police_transfer_reason", "移送公安机关须写明理由")
    case.police_transfer, case.police_transfer_reason = True, reason
    rules = consequences.serious_rules(violations_of(case))
    record_step(ctx, case, "police_transfer", rule_ids=rules, note=reason)
    return True


def _route(
    ctx: Context,
    case: Case,
    chosen: list[tuple[CaseViolation, dict[str, Any]]],
    outside: list[tuple[CaseViolation, dict[str, Any]]],
) -> None:
    for v, p in chosen:
        v.outcome, v.fine, v.measures = p["outcome"], p["fine"], p["measures"]
        if (v, p) in outside:
            v.outside_proposal, v.reason = True, p["reason"]
    reasons = list(case.review_reasons or [])
    for v, _p in outside:
        item = {
            "rule_id": outside_rule(v),
            "text": f"“{v.title}”的决定偏离裁量建议，一律经法制审核",
        }
        if item not in reasons:
            reasons.append(item)
    case.review_reasons, case.review_required = reasons, True
    case.review_verdict, case.reviewed_on = None, None
    case.reviewed_penalty = {}
    stages.settle(case, ctx.today)
    record_step(
        ctx,
        case,
        "review_routed",
        rule_ids=[outside_rule(v) for v, _p in outside],
        detail={"penalty": penalty_snapshot(case)},
    )
    audit_case(
        ctx,
        case,
        "case.review_routed",
        after={"stage": case.stage, "violations": [v.id for v, _p in outside]},
    )


def serve(ctx: Context, case: Case, method: str, consent: Any = False) -> Case:
    """第六十一条: delivered on the spot, else within its working days; electronically only
    with the party's consent and confirmation. A late service is recorded and flagged with its
    rule: the decision must still reach the party."""
    require_action(ctx, Perm.CASES_EDIT)
    stages.check_stage(ctx, case, ("decided",), "送达")
    policy = policy_of(ctx)
    if method not in SERVICE_METHODS:
        raise ValidationFailed.field("method", "请选择送达方式")
    if method == "electronic" and not flag(consent):
        rule = policy.case_rule("service.electronic_with_consent")
        raise refuse(rule.rule_id, "电子送达须经当事人同意并签订确认书")
    stages.refresh(ctx, case)
    service = case.deadlines["service"]
    case.served_on, case.service_method = ctx.today, method
    case.service_late = bool(case.service_due and ctx.today > case.service_due)
    case.stage = "served"
    record_step(
        ctx,
        case,
        "served",
        rule_ids=[service["rule_id"]],
        detail={"method": method, "late": case.service_late, "service": service},
        note=(f"逾期送达：{service['explanation']}" if case.service_late else ""),
    )
    audit_case(
        ctx,
        case,
        "case.served",
        after={"served_on": ctx.today, "method": method, "late": case.service_late},
    )
    made = correction_orders.order_of_case(case.id)
    if made is not None:
        correction_orders.tell_party(ctx, made)
    return case


def close(ctx: Context, case: Case, note: str) -> Case:
    require_action(ctx, Perm.CASES_EDIT)
    stages.check_stage(ctx, case, ("served",), "结案")
    missing = closing.blockers(ctx, case)
    if missing:
        raise Conflict("不能结案：" + "；".join(missing), {"close": missing})
    rule = policy_of(ctx).case_rule("review.full_process_record")
    case.closed_on, case.stage = ctx.today, "closed"
    record_step(ctx, case, "closed", rule_ids=[rule.rule_id], note=text(note, "note"))
    audit_case(ctx, case, "case.closed", after={"closed_on": ctx.today})
    return case


def mark_typical(ctx: Context, case: Case, typical: Any, note: Any) -> Case:
    """以案释法 (SX-2, SX-7): a served decision marked as a typical case is shown on the public
    page with its explanation. Only the principal head marks it; only a served decision."""
    require_action(ctx, Perm.CASES_DECIDE)
    rule = policy_of(ctx).obligations("publicity")
    if case.served_on is None:
        raise refuse(rule.rule_id, "只有已送达的处罚决定可以作为典型案例公开")
    case.typical = flag(typical)
    case.typical_note = text(note, "typical_note") if case.typical else ""
    if case.typical and not case.typical_note:
        raise ValidationFailed.field("typical_note", "请写明以案释法的说明")
    record_step(ctx, case, "typical", rule_ids=[rule.rule_id], note=case.typical_note)
    audit_case(ctx, case, "case.typical", after={"typical": case.typical})
    return case

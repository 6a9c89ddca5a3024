"""告知 (行政处罚法第四十四条): the party is told the proposed penalty with the facts, reasons
and provisions, and its rights to state, defend and (where 第六十三条 lists the penalty) ask
for a hearing within the window 第六十四条 counts in working days.

At the notice the proposal of every violation is computed again under the policy in force that
day; a proposed penalty outside it needs a written reason and puts the case on the legal-review
route (SX-12); what makes legal review (第五十八条) and collective discussion (第五十七条第二款)
required is settled here, each reason with its rule.
"""

from __future__ import annotations

from typing import Any

from policies import Policy
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.cases.services import stages
from tenant_app.cases.services.cases import check_officers
from tenant_app.cases.services.common import (
    audit_case,
    parse_amount,
    policy_of,
    record_step,
    refuse,
    text,
    violations_of,
)
from tenant_app.cases.services.proposal import propose, within
from tenant_app.context import Context
from tenant_app.core.errors import ValidationFailed
from tenant_app.listing.services.listed_status import listed_on
from tenant_app.models import Case, CaseViolation
from tenant_app.models.case import DECISION_OUTCOMES


def parse_penalty(
    v: CaseViolation, raw: dict[str, Any], catalogue: dict[str, Any], prefix: str
) -> dict[str, Any]:
    """One violation's penalty as typed: outcome, fine, measures, reason. The statutory
    maximum is the law's and is never exceeded."""
    outcome = raw.get("outcome") or None
    if outcome not in DECISION_OUTCOMES:
        raise ValidationFailed.field(f"{prefix}outcome", "请选择处理结果")
    fine = parse_amount(raw.get("fine"), f"{prefix}fine")
    if outcome == "fine":
        if not fine:
            raise ValidationFailed.field(f"{prefix}fine", "请填写罚款金额（元）")
        if fine > v.fine_max:
            raise ValidationFailed.field(
                f"{prefix}fine", f"罚款不能超过法定上限{v.fine_max}元（{v.penalty_provision}）"
            )
    else:
        fine = 0
    allowed = (catalogue["violations"].get(v.violation_key) or {}).get("measures") or []
    measures = raw.get("measures") or []
    if isinstance(measures, str):
        measures = [measures]
    bad = [m for m in measures if m not in allowed]
    if bad:
        raise ValidationFailed.field(
            f"{prefix}measures", "所选处罚措施不在该违法行为的处罚依据之内"
        )
    if outcome == "no_penalty" and measures:
        raise ValidationFailed.field(f"{prefix}measures", "不予处罚的，不能同时决定其他处罚措施")
    reason = text(raw.get("reason"), f"{prefix}reason")
    return {
        "outcome": outcome,
        "fine": fine,
        "measures": list(dict.fromkeys(measures)),
        "reason": reason,
    }


def penalties_by_violation(violations: list[CaseViolation], raw: Any) -> dict[int, dict[str, Any]]:
    items = raw if isinstance(raw, list) else []
    by_id: dict[int, dict[str, Any]] = {}
    for item in items:
        if not isinstance(item, dict):
            raise ValidationFailed.field("penalties", "格式有误")
        try:
            by_id[int(item.get("violation_id") or 0)] = item
        except (TypeError, ValueError):
            raise ValidationFailed.field("penalties", "违法行为编号有误") from None
    missing = [v for v in violations if v.id not in by_id]
    if missing:
        raise ValidationFailed.field(
            "penalties", f"请为每一项违法行为填写处理意见（缺{len(missing)}项）"
        )
    return by_id


def outside_rule(v: CaseViolation) -> str:
    """The rule a decision outside the proposal answers to: the benchmark's (SX-12)."""
    return str(((v.proposal.get("decisions") or {}).get("benchmark") or {}).get("rule_id") or "")


def hearing_right(
    policy: Policy, penalties: list[tuple[CaseViolation, dict[str, Any]]], catalogue: dict[str, Any]
) -> list[dict[str, str]]:
    """第六十三条: the penalties that give the party the right to a hearing (较大数额罚款 at
    the national layer's amount for an organisation; the listed measures)."""
    reasons = []
    large = policy.case_rule("hearing.large_fine_organisation_yuan")
    listed = policy.case_rule("hearing.penalties")
    env = policy.case_rule("hearing.penalties_environment")
    items = {str(i): listed.rule_id for i in listed.answer or []}
    items.update({str(i): env.rule_id for i in env.answer or []})
    for v, p in penalties:
        if p["outcome"] == "fine" and large.answer is not None and p["fine"] >= int(large.answer):
            reasons.append(
                {
                    "rule_id": large.rule_id,
                    "text": f"拟对“{v.title}”罚款{p['fine']}元，达到较大数额罚款（{large.answer}元以上）",
                }
            )
        for m in p["measures"]:
            item = str(catalogue["measures"].get(m, {}).get("hearing_item") or "")
            if item in items:
                title = catalogue["measures"][m]["title"]
                reasons.append({"rule_id": items[item], "text": f"拟{title}，属于“{item}”"})
    return reasons


def _item(values: Any, needle: str) -> str:
    return next((str(x) for x in values or [] if needle in str(x)), needle)


def review_reasons(
    policy: Policy, case: Case, outside: list[CaseViolation]
) -> list[dict[str, str]]:
    rule = policy.case_rule("review.legal_review_cases")
    out = []
    if case.public_interest:
        out.append({"rule_id": rule.rule_id, "text": _item(rule.answer, "重大公共利益")})
    if case.complex_case:
        out.append({"rule_id": rule.rule_id, "text": _item(rule.answer, "疑难复杂")})
    for v in outside:
        out.append(
            {
                "rule_id": outside_rule(v),
                "text": f"“{v.title}”的处理意见偏离裁量建议，一律经法制审核",
            }
        )
    return out


def discussion_reasons(
    policy: Policy, case: Case, violations: list[CaseViolation]
) -> list[dict[str, str]]:
    rule = policy.case_rule("review.collective_discussion_cases")
    out = []
    if case.complex_case:
        out.append({"rule_id": rule.rule_id, "text": _item(rule.answer, "情节复杂")})
    if case.major_violation:
        out.append({"rule_id": rule.rule_id, "text": _item(rule.answer, "重大违法")})
    for v in violations:
        if v.proposal.get("treatment") == "heavier":
            out.append(
                {
                    "rule_id": rule.rule_id,
                    "text": f"“{v.title}”属于{v.proposal.get('treatment_rule_id')}所列严重违法行为，"
                    "按重大违法行为由负责人集体讨论（平台默认）",
                }
            )
    return out


def notify(ctx: Context, case: Case, data: dict[str, Any]) -> Case:
    require_action(ctx, Perm.CASES_EDIT)
    stages.check_stage(ctx, case, ("investigation",), "告知")
    stages.check_limit(ctx, case)
    policy = policy_of(ctx)
    notice_rule = policy.case_rule("notice.before_decision")
    check_officers(ctx, [o["id"] for o in case.officers or []])
    if not case.facts.strip():
        raise refuse(notice_rule.rule_id, "告知须载明违法事实：请先填写案件事实")
    violations = violations_of(case)
    if not violations:
        raise refuse(notice_rule.rule_id, "告知须载明拟作出的行政处罚及其依据：请先记录违法行为")
    catalogue = policy.case_catalogue().answer
    by_id = penalties_by_violation(violations, data.get("penalties"))
    chosen: list[tuple[CaseViolation, dict[str, Any]]] = []
    outside: list[CaseViolation] = []
    listed = listed_on(case.enterprise_id, ctx.today).listed
    for v in violations:
        v.proposal = propose(policy, v.violation_key, v.levels, v.list_entry, listed=listed)
        p = parse_penalty(v, by_id[v.id], catalogue, f"v{v.id}_")
        out = not within(v.proposal, p["outcome"], p["fine"])
        if out and not p["reason"]:
            raise ValidationFailed(
                f"{outside_rule(v)}：处理意见偏离裁量建议的，须书面说明理由",
                {f"v{v.id}_reason": ["偏离裁量建议，请说明理由"], "rule_ids": [outside_rule(v)]},
            )
        chosen.append((v, p))
        if out:
            outside.append(v)
    before = {"stage": case.stage}
    for v, p in chosen:
        v.intended_outcome, v.intended_fine = p["outcome"], p["fine"]
        v.intended_measures = p["measures"]
        v.outside_proposal = v in outside
        v.reason = p["reason"] if v in outside else ""
        v.outcome, v.fine, v.measures = None, None, []
    hearing = hearing_right(policy, chosen, catalogue)
    case.noticed_on = ctx.today
    case.hearing_eligible = bool(hearing)
    case.hearing_requested_on = case.waived_on = None
    case.hearing_notified_on = case.hearing_date = case.hearing_held_on = None
    case.review_reasons = review_reasons(policy, case, outside)
    case.review_required = bool(case.review_reasons)
    case.review_verdict, case.reviewed_on, case.reviewed_by = None, None, None
    case.reviewed_penalty = {}
    case.discussion_reasons = discussion_reasons(policy, case, violations)
    case.discussion_required = bool(case.discussion_reasons)
    case.discussed_on = None
    case.stage = "notice"
    stages.refresh(ctx, case)
    stages.settle(case, ctx.today)
    window = case.deadlines["statement"]
    content = policy.case_rule("notice.content")
    rule_ids = [
        notice_rule.rule_id,
        window["rule_id"],
        *(r["rule_id"] for r in hearing),
        *(r["rule_id"] for r in case.review_reasons),
        *(r["rule_id"] for r in case.discussion_reasons),
    ]
    record_step(
        ctx,
        case,
        "noticed",
        rule_ids=rule_ids,
        detail={
            "content": content.answer,
            "facts": case.facts,
            "penalties": [{"violation_id": v.id, **p, "outside": v in outside} for v, p in chosen],
            "hearing": hearing,
            "window": window,
            "review_reasons": case.review_reasons,
            "discussion_reasons": case.discussion_reasons,
        },
    )
    audit_case(
        ctx,
        case,
        "case.noticed",
        before=before,
        after={
            "stage": case.stage,
            "noticed_on": case.noticed_on,
            "statement_due": case.statement_due,
            "hearing_eligible": case.hearing_eligible,
            "penalties": [
                {"violation_id": v.id, "outcome": p["outcome"], "fine": p["fine"]}
                for v, p in chosen
            ],
            "outside_proposal": [v.id for v in outside],
            "review_required": case.review_required,
            "discussion_required": case.discussion_required,
            "rule_ids": list(dict.fromkeys(r for r in rule_ids if r)),
        },
    )
    return case

"""The party's administrative review (行政复议) or suit (行政诉讼) against a fined decision
(行政处罚法第七十三条), recorded by staff (issue 15).

Who records: the staff who keep the fine's payment ledger (``enforcement.edit``: officers and
the agency head). The party tells the bureau, or the review organ or the court serves it a copy;
either lands with the case officer who records payments (docs/decisions.md 2026-11-29).

While a review or suit runs, the surcharge is not counted (第三款, NAT-APL-73.3, read as
``payment.surcharge_paused_during_review``; ``payments.fine_state`` leaves the days out). Its end
records the outcome: 维持 (the surcharge runs again from the next day), 变更 (the changed fine,
never more than the decision's: 行政复议法第六十三条 / 行政诉讼法第七十七条 不得加重, owed within
the statutory period from the end), 撤销 (nothing is owed). No court enforcement is applied for
while one runs.
"""

from __future__ import annotations

from typing import Any

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ValidationFailed
from tenant_app.core.row_fields import FieldProblem, a_date
from tenant_app.enforcement.services.common import (
    fen_of_yuan,
    get,
    parse_yuan,
    policy_of,
    text,
    yuan,
)
from tenant_app.enforcement.services.payments import require_fined, reviews_of
from tenant_app.extensions import db
from tenant_app.models import Case, FineReview
from tenant_app.models.enforcement import REVIEW_KINDS, REVIEW_OUTCOMES
from tenant_app.notifications.services.notify import notify

__all__ = ["record", "end", "get_review", "reviews_of"]


def get_review(review_id: Any) -> FineReview:
    """Within the scope: another tenant's record and a missing one are the same 404."""
    return get(FineReview, review_id, "该复议或诉讼记录")


def _day(raw: Any, field: str, label: str) -> Any:
    try:
        d = a_date(raw, required=True, label=label)
    except FieldProblem as exc:
        raise ValidationFailed.field(field, str(exc)) from None
    if d is None:
        raise ValidationFailed.field(field, f"请填写{label}")
    return d


def _party_link(ctx: Context, case: Case) -> str:
    return f"/{ctx.tenant.slug if ctx.tenant else ''}/enterprise/enforcement/cases/{case.id}"


def record(ctx: Context, case: Case, data: dict[str, Any]) -> FineReview:
    """The party applied for review or filed a suit on ``filed_on``."""
    require_action(ctx, Perm.ENFORCEMENT_EDIT)
    require_fined(case)
    assert case.served_on is not None
    kind = str(data.get("kind") or "")
    if kind not in REVIEW_KINDS:
        raise ValidationFailed.field("kind", "请选择行政复议或行政诉讼")
    filed_on = _day(data.get("filed_on"), "filed_on", "申请复议或起诉日期")
    if filed_on > ctx.today:
        raise ValidationFailed.field("filed_on", "申请复议或起诉日期不能晚于今天")
    if filed_on < case.served_on:
        raise ValidationFailed.field("filed_on", "申请复议或起诉日期不能早于决定书送达日期")
    body = text(data.get("body"), "body", "复议机关或受理法院", required=False, max_len=200)
    note = text(data.get("note"), "note", "说明", required=False)
    for r in reviews_of(case):
        if r.is_open:
            raise Conflict(
                f"该决定的{REVIEW_KINDS[r.kind]}（{r.filed_on} 提出）尚未结束，请先登记其结果",
                {"kind": ["已有尚未结束的复议或诉讼"]},
            )
        if r.outcome == "revoked":
            raise Conflict("该处罚决定已被撤销", {"kind": ["处罚决定已被撤销"]})
        if r.ended_on is not None and filed_on < r.ended_on:
            raise ValidationFailed.field(
                "filed_on", f"日期不能早于上一次复议或诉讼的结束日期 {r.ended_on}"
            )
    policy = policy_of(ctx)
    rule = policy.case_rule("payment.surcharge_paused_during_review")
    row = FineReview(
        case_id=case.id,
        kind=kind,
        filed_on=filed_on,
        body=body,
        note=note,
        end_note="",
        recorded_by=ctx.actor.user_id,
        rule_ids=[rule.rule_id],
        policy_version=str(policy.version_id or ""),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        ctx,
        "payment.review_recorded",
        object_type="case",
        object_id=case.id,
        after={"review_id": row.id, "kind": kind, "filed_on": filed_on, "body": body},
    )
    notify(
        ctx,
        kind="payment_review",
        title=f"已登记您的{REVIEW_KINDS[kind]}：{case.title}，期间不计加处罚款",
        link=_party_link(ctx, case),
        enterprise_id=case.enterprise_id,
    )
    return row


def end(ctx: Context, review: FineReview, data: dict[str, Any]) -> FineReview:
    """The review or suit ended on ``ended_on`` with ``outcome`` (and, when changed, the fine)."""
    require_action(ctx, Perm.ENFORCEMENT_EDIT)
    case = get(Case, review.case_id, "该案件")
    if not review.is_open:
        raise Conflict("该复议或诉讼已登记结果", {"outcome": [review.outcome or ""]})
    ended_on = _day(data.get("ended_on"), "ended_on", "复议决定或裁判生效日期")
    if ended_on > ctx.today:
        raise ValidationFailed.field("ended_on", "结束日期不能晚于今天")
    if ended_on < review.filed_on:
        raise ValidationFailed.field(
            "ended_on", f"结束日期不能早于申请复议或起诉日期 {review.filed_on}"
        )
    outcome = str(data.get("outcome") or "")
    if outcome not in REVIEW_OUTCOMES:
        raise ValidationFailed.field("outcome", "请选择维持、变更或撤销")
    changed: int | None = None
    if outcome == "changed":
        changed = parse_yuan(data.get("changed_fine"), "changed_fine", "变更后的罚款")
        decided = fen_of_yuan(case.total_fine)
        if changed > decided:
            raise ValidationFailed.field(
                "changed_fine",
                f"变更后的罚款不得高于原决定的 {yuan(decided)} 元（复议、诉讼不得加重处罚）",
            )
    review.ended_on, review.outcome, review.changed_fine_fen = ended_on, outcome, changed
    review.end_note = text(data.get("note"), "note", "说明", required=False)
    review.ended_by = ctx.actor.user_id
    audit.record(
        ctx,
        "payment.review_ended",
        object_type="case",
        object_id=case.id,
        before={"review_id": review.id, "ended_on": None},
        after={
            "review_id": review.id,
            "ended_on": ended_on,
            "outcome": outcome,
            "changed_fine_fen": changed,
        },
    )
    notify(
        ctx,
        kind="payment_review",
        title=f"{REVIEW_KINDS[review.kind]}结果已登记（{REVIEW_OUTCOMES[outcome]}）：{case.title}",
        link=_party_link(ctx, case),
        enterprise_id=case.enterprise_id,
    )
    return review

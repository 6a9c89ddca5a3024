"""Paying a fine (SX-13; 行政处罚法第六十六、六十七、七十二条).

* Due date: 十五日 from service of the decision (第六十七条第三款, ``payment.period_days``),
  counted by the calendar (a last day on a rest day moves to the next working day).
* Deferral or instalments (第六十六条第二款): the party applies with its reasons and a proof of
  hardship; the role the pack names (``payment.deferral_approver``, national default the
  principal head) approves or refuses. An approved deferral is one instalment on the new date;
  approved instalments split the fine in equal monthly parts (the first carries the remainder
  in fen), the first due on the statutory date. One approved arrangement per fine.
* Payments (staff, or imported from the payment platform) go to the instalments in order, then
  to the surcharge.
* Surcharge (第七十二条第一款第一项): per day late, 3% of the amount overdue that day, per
  instalment; the total never above the fine (``payment.surcharge_cap``, a share of the fine).
* Enforcement (第七十二条第一款第四项): an application to the court when an amount is overdue,
  recorded on the case as a step.
* Review or suit (第七十三条, ``services/reviews.py``): the days from the filing of an
  administrative review or suit to its end are not counted in the surcharge when the pack says
  so (第三款, ``payment.surcharge_paused_during_review``); a decision revoked owes nothing, a
  decision changed owes the changed fine from the day the change ended the review.

Money is integer fen; the surcharge is summed in Decimal and rounded half-up to the fen once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select

from policies.vocab import ROLES
from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.cases.services.common import record_step
from tenant_app.context import Context
from tenant_app.core.errors import Conflict, ValidationFailed
from tenant_app.core.row_fields import FieldProblem, a_date
from tenant_app.enforcement.services.common import (
    NotFound,
    fen_of_yuan,
    get,
    mine,
    parse_yuan,
    policy_of,
    refuse,
    text,
    yuan,
)
from tenant_app.extensions import db
from tenant_app.models import (
    Case,
    CaseStep,
    FineInstalment,
    FinePayment,
    FineReview,
    PaymentApplication,
)
from tenant_app.models.enforcement import (
    APPLICATION_KINDS,
    PROOF_MAX_BYTES,
    REVIEW_KINDS,
    REVIEW_OUTCOMES,
)
from tenant_app.notifications.services.notify import notify, staff_with

MAX_PARTS = 12  # platform default: the law sets no number (docs/decisions.md 2026-11-29)
MAX_DEFER_MONTHS = 12
PROOF_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
_MAGIC = {"application/pdf": b"%PDF", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG"}


@dataclass
class Part:
    seq: int
    due_on: date
    amount_fen: int
    paid_fen: int = 0
    settled_on: date | None = None
    late_days: int = 0
    paused_days: int = 0  # late days not counted: inside a review or suit (第七十三条第三款)
    surcharge: Decimal = Decimal(0)

    @property
    def amount(self) -> str:
        return yuan(self.amount_fen)


@dataclass
class FineState:
    """Where one fine stands on ``on`` (nothing stored: computed from the case, its approved
    arrangement and its payments)."""

    case_id: int
    on: date
    fine_fen: int
    due_on: date | None
    due_explanation: str
    parts: list[Part]
    arrangement: str  # "" | deferral | instalments
    paid_fen: int
    surcharge_fen: int
    surcharge_raw_fen: int
    cap_fen: int
    capped: bool
    surcharge_paid_fen: int
    state: str
    enforcement_on: date | None
    rule_ids: list[str] = field(default_factory=list)
    surcharge_explanation: str = ""
    review_open: bool = False
    review_explanation: str = ""
    decided_fine_fen: int = 0  # the decision's own fine (``fine_fen`` is what is owed after review)

    @property
    def principal_due_fen(self) -> int:
        return max(self.fine_fen - min(self.paid_fen, self.fine_fen), 0)

    @property
    def outstanding_fen(self) -> int:
        return self.principal_due_fen + max(self.surcharge_fen - self.surcharge_paid_fen, 0)

    @property
    def overdue_fen(self) -> int:
        return sum(p.amount_fen - p.paid_fen for p in self.parts if p.due_on < self.on)

    def money(self) -> dict[str, str]:
        return {
            "fine": yuan(self.fine_fen),
            "paid": yuan(self.paid_fen),
            "surcharge": yuan(self.surcharge_fen),
            "cap": yuan(self.cap_fen),
            "outstanding": yuan(self.outstanding_fen),
        }


def require_fined(case: Case) -> None:
    if not case.total_fine or case.served_on is None:
        raise Conflict("该案件没有已送达的罚款决定", {"case": ["没有已送达的罚款决定"]})


def statutory_due(ctx: Context, case: Case) -> tuple[date, str, str]:
    """第六十七条第三款: the last day to pay, counted from service."""
    assert case.served_on is not None
    d = policy_of(ctx, case.served_on).case_deadline("payment.period_days", case.served_on)
    return d.answer, d.explanation, d.rule_id


def _approved(case: Case) -> PaymentApplication | None:
    return db.session.execute(
        select(PaymentApplication).where(
            PaymentApplication.case_id == case.id, PaymentApplication.status == "approved"
        )
    ).scalar_one_or_none()


def applications_of(case: Case) -> list[PaymentApplication]:
    return list(
        db.session.execute(
            select(PaymentApplication)
            .where(PaymentApplication.case_id == case.id)
            .order_by(PaymentApplication.id)
        ).scalars()
    )


def payments_of(case: Case) -> list[FinePayment]:
    return list(
        db.session.execute(
            select(FinePayment)
            .where(FinePayment.case_id == case.id)
            .order_by(FinePayment.paid_on, FinePayment.id)
        ).scalars()
    )


def _enforcement_on(case: Case) -> date | None:
    return db.session.execute(
        select(func.max(CaseStep.on_date)).where(
            CaseStep.case_id == case.id, CaseStep.step == "enforcement_applied"
        )
    ).scalar_one()


Span = tuple[date, date]


def _merged(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def paused_in(after: date, until: date, paused: list[Span]) -> int:
    """How many days ``x`` with ``after < x <= until`` fall inside a paused span (both ends of a
    span counted: the day the review or suit is filed and the day it ends)."""
    n = 0
    for a, b in paused:
        lo, hi = max(after + timedelta(days=1), a), min(until, b)
        if hi >= lo:
            n += (hi - lo).days + 1
    return n


def surcharge(
    parts: list[Part],
    payments: list[tuple[date, int]],
    on: date,
    rate: Decimal,
    paused: list[Span] | None = None,
) -> Decimal:
    """Allocate ``payments`` (date, fen) to ``parts`` in order and add, for every part, each
    day it was overdue times ``rate`` times what of it was unpaid that day, leaving out the days
    inside a ``paused`` span (第七十三条第三款). Fills each part's ``paid_fen``, ``settled_on``,
    ``late_days``, ``paused_days`` and ``surcharge``; returns the uncapped total."""
    spans = _merged(list(paused or []))
    queue = sorted(payments)
    total = Decimal(0)
    for part in parts:
        events: list[tuple[date, int]] = []
        while part.paid_fen < part.amount_fen and queue:
            d, left = queue[0]
            take = min(left, part.amount_fen - part.paid_fen)
            part.paid_fen += take
            events.append((d, take))
            if left == take:
                queue.pop(0)
            else:
                queue[0] = (d, left - take)
        if part.paid_fen >= part.amount_fen and events:
            part.settled_on = events[-1][0]
        end = part.settled_on or on
        part.late_days = max((end - part.due_on).days, 0)
        part.paused_days = paused_in(part.due_on, end, spans) if end > part.due_on else 0

        def charged(a: date, b: date) -> int:
            return (b - a).days - paused_in(a, b, spans)

        # Unpaid amount over each stretch of days after the due date.
        unpaid = part.amount_fen - sum(f for d, f in events if d <= part.due_on)
        cursor = part.due_on
        for d, f in events:
            if d <= part.due_on:
                continue
            part.surcharge += Decimal(unpaid) * rate * charged(cursor, d)
            unpaid -= f
            cursor = d
        if unpaid > 0 and on > cursor:
            part.surcharge += Decimal(unpaid) * rate * charged(cursor, on)
        total += part.surcharge
    return total


def reviews_of(case: Case) -> list[FineReview]:
    return list(
        db.session.execute(
            select(FineReview).where(FineReview.case_id == case.id).order_by(FineReview.id)
        ).scalars()
    )


def fine_state(ctx: Context, case: Case, on: date | None = None) -> FineState:
    require_fined(case)
    on = on or ctx.today
    policy = policy_of(ctx, case.served_on)
    decided_fen = fen_of_yuan(case.total_fine)
    fine_fen = decided_fen
    due_on, due_text, due_rule = statutory_due(ctx, case)
    reviews = [r for r in reviews_of(case) if r.filed_on <= on]
    pause_rule = policy.case_rule("payment.surcharge_paused_during_review")
    # The last review that ended by revoking or changing the decision settles what is owed.
    final = next(
        (
            r
            for r in reversed(reviews)
            if r.ended_on is not None and r.ended_on <= on and r.outcome in ("revoked", "changed")
        ),
        None,
    )
    approved = _approved(case)
    rows = (
        list(
            db.session.execute(
                select(FineInstalment)
                .where(FineInstalment.application_id == approved.id)
                .order_by(FineInstalment.seq)
            ).scalars()
        )
        if approved and final is None
        else []
    )
    parts = [Part(r.seq, r.due_on, r.amount_fen) for r in rows] or [Part(1, due_on, fine_fen)]
    if final is not None and final.outcome == "revoked":
        fine_fen, parts = 0, []
    elif final is not None:
        assert final.ended_on is not None and final.changed_fine_fen is not None
        fine_fen = final.changed_fine_fen
        d = policy.case_deadline("payment.period_days", final.ended_on)
        due_on, due_text = d.answer, f"变更后的罚款：{d.explanation}"
        parts = [Part(1, due_on, fine_fen)]
    paused: list[Span] = []
    if pause_rule.answer:
        paused = [
            (r.filed_on, min(r.ended_on, on) if r.ended_on is not None else on) for r in reviews
        ]
    pays = payments_of(case)
    rate_rule = policy.case_rule("payment.surcharge_rate_per_day")
    cap_rule = policy.case_rule("payment.surcharge_cap")
    rate = Decimal(str(rate_rule.answer))
    cap_fen = int((Decimal(fine_fen) * Decimal(str(cap_rule.answer))).to_integral_value(ROUND_DOWN))
    raw = surcharge(parts, [(p.paid_on, p.amount_fen) for p in pays], on, rate, paused)
    raw_fen = int(raw.to_integral_value(ROUND_HALF_UP))
    sur_fen = min(raw_fen, cap_fen)
    paid = sum(p.amount_fen for p in pays)
    sur_paid = max(paid - fine_fen, 0)
    enforcement_on = _enforcement_on(case)
    review_open = any(r.ended_on is None or r.ended_on > on for r in reviews)
    if final is not None and final.outcome == "revoked":
        state = "revoked"
    elif paid >= fine_fen + sur_fen:
        state = "paid"
    elif enforcement_on:
        state = "enforcement"
    elif any(p.due_on < on and p.paid_fen < p.amount_fen for p in parts) or sur_fen > sur_paid:
        state = "overdue"
    elif on < parts[0].due_on and paid == 0:
        state = "not_due"
    else:
        state = "due"
    explanation = (
        f"{rate_rule.rule_id}：逾期每日按逾期未缴金额的{rate * 100:.0f}%加处罚款；"
        f"{cap_rule.rule_id}：加处罚款不超过罚款数额（{yuan(cap_fen)} 元）。"
        f"按日累计 {yuan(raw_fen)} 元"
        + (f"，已达上限，按 {yuan(sur_fen)} 元计。" if raw_fen > cap_fen else "。")
    )
    rule_ids = [due_rule, rate_rule.rule_id, cap_rule.rule_id]
    review_text = ""
    if reviews:
        rule_ids.append(pause_rule.rule_id)
        review_text = _review_explanation(
            reviews, on, pause_rule, final, sum(p.paused_days for p in parts)
        )
    return FineState(
        case_id=case.id,
        on=on,
        fine_fen=fine_fen,
        due_on=due_on,
        due_explanation=due_text,
        parts=parts,
        arrangement=approved.kind if approved and final is None else "",
        paid_fen=paid,
        surcharge_fen=sur_fen,
        surcharge_raw_fen=raw_fen,
        cap_fen=cap_fen,
        capped=raw_fen > cap_fen,
        surcharge_paid_fen=min(sur_paid, sur_fen),
        state=state,
        enforcement_on=enforcement_on,
        rule_ids=rule_ids,
        surcharge_explanation=explanation,
        review_open=review_open,
        review_explanation=review_text,
        decided_fine_fen=decided_fen,
    )


def _review_explanation(
    reviews: list[FineReview], on: date, rule: Any, final: FineReview | None, paused_days: int
) -> str:
    """What the party reads about its review or suit: the periods, the article and its effect."""
    spans = "；".join(
        f"{REVIEW_KINDS.get(r.kind, r.kind)}：{r.filed_on} 提出"
        + (
            f"，{r.ended_on} 结束（{REVIEW_OUTCOMES.get(r.outcome or '', '')}）"
            if r.ended_on is not None and r.ended_on <= on
            else "，尚未结束"
        )
        for r in reviews
    )
    if rule.answer:
        effect = f"加处罚款的数额在行政复议或者行政诉讼期间不予计算（已扣除 {paused_days} 日）"
    else:
        effect = "本地政策未规定暂停计算加处罚款"
    out = f"{spans}。{rule.rule_id}（{rule.details.get('source', '')}）：{effect}。"
    if final is not None and final.outcome == "revoked":
        out += "处罚决定已被撤销，罚款和加处罚款均不再缴纳；已缴款项应予退还。"
    elif final is not None:
        out += (
            f"处罚决定已被变更，罚款改为 {yuan(final.changed_fine_fen or 0)} 元，"
            f"自 {final.ended_on} 起按变更后的数额重新计算缴纳期限。"
        )
    return out


def fined_cases(ctx: Context, enterprise_id: int | None = None, limit: int = 200) -> list[Case]:
    """Served decisions with a fine, newest first (the staff list; the party's own)."""
    stmt = select(Case).where(Case.total_fine > 0, Case.served_on.is_not(None))
    if enterprise_id is not None:
        stmt = stmt.where(Case.enterprise_id == enterprise_id)
    return list(db.session.execute(stmt.order_by(Case.id.desc()).limit(limit)).scalars())


def pending_applications(ctx: Context) -> list[PaymentApplication]:
    require_action(ctx, Perm.ENFORCEMENT_VIEW)
    return list(
        db.session.execute(
            select(PaymentApplication)
            .where(PaymentApplication.status == "pending")
            .order_by(PaymentApplication.id)
            .limit(200)
        ).scalars()
    )


def my_case(ctx: Context, case_id: Any) -> Case:
    """The party's own fined case; another enterprise's and a missing one are the same 404."""
    e = mine(ctx)
    try:
        case = get(Case, case_id, "该案件")
    except NotFound:
        raise NotFound("没有找到该案件") from None
    if case.enterprise_id != e.id or not case.total_fine or case.served_on is None:
        raise NotFound("没有找到该案件")
    return case


def get_application(application_id: Any) -> PaymentApplication:
    return get(PaymentApplication, application_id, "该申请")


def check_proof(name: str, content_type: str, data: bytes) -> None:
    if len(data) > PROOF_MAX_BYTES:
        raise ValidationFailed.field(
            "proof", f"困难证明材料不能超过 {PROOF_MAX_BYTES // (1024 * 1024)} MB"
        )
    if content_type not in PROOF_TYPES or not data.startswith(_MAGIC[content_type]):
        raise ValidationFailed.field("proof", "困难证明材料只接受 PDF、JPG 或 PNG 文件")
    if not name.strip():
        raise ValidationFailed.field("proof", "困难证明材料须有文件名")


def apply(
    ctx: Context, case: Case, data: dict[str, Any], proof: tuple[str, str, bytes] | None
) -> PaymentApplication:
    """第六十六条第二款: the party applies for deferral or instalments, with reasons and proof."""
    require_action(ctx, Perm.OWN_ENFORCEMENT)
    require_fined(case)
    policy = policy_of(ctx)
    allowed = policy.case_rule("payment.deferral_or_instalments")
    if not allowed.answer:
        raise refuse(allowed.rule_id, "本地不受理暂缓或分期缴纳罚款的申请")
    state = fine_state(ctx, case)
    if state.state in ("paid", "enforcement", "revoked"):
        raise Conflict(
            "该罚款已缴清、已申请强制执行或决定已撤销，不能再申请", {"case": [state.state]}
        )
    for a in applications_of(case):
        if a.status in ("pending", "approved"):
            raise Conflict("该罚款已有待批准或已批准的申请", {"kind": ["已有待批准或已批准的申请"]})
    kind = str(data.get("kind") or "")
    if kind not in APPLICATION_KINDS:
        raise ValidationFailed.field("kind", "请选择暂缓缴纳或分期缴纳")
    reasons = text(data.get("reasons"), "reasons", "确有经济困难的理由")
    defer_until, parts = None, None
    due = state.due_on
    assert due is not None
    if kind == "deferral":
        try:
            defer_until = a_date(data.get("defer_until"), required=True, label="暂缓至")
        except FieldProblem as exc:
            raise ValidationFailed.field("defer_until", str(exc)) from None
        limit = policy.calendar.shift_months(due, MAX_DEFER_MONTHS)
        if defer_until is None or defer_until <= due:
            raise ValidationFailed.field(
                "defer_until", f"暂缓至的日期应晚于缴纳期限 {due.isoformat()}"
            )
        if defer_until > limit:
            raise ValidationFailed.field(
                "defer_until", f"暂缓期限最长 {MAX_DEFER_MONTHS} 个月（至 {limit.isoformat()}）"
            )
    else:
        raw = str(data.get("parts") or "").strip()
        if not raw.isdigit() or not 2 <= int(raw) <= MAX_PARTS:
            raise ValidationFailed.field("parts", f"分期期数应为 2 至 {MAX_PARTS} 期")
        parts = int(raw)
    if proof is None:
        raise ValidationFailed.field("proof", "请上传确有经济困难的证明材料")
    check_proof(*proof)
    app = PaymentApplication(
        case_id=case.id,
        enterprise_id=case.enterprise_id,
        kind=kind,
        reasons=reasons,
        defer_until=defer_until,
        parts=parts,
        proof_name=proof[0][:255],
        proof_type=proof[1],
        proof=proof[2],
        status="pending",
        filed_on=ctx.today,
        filed_by=ctx.actor.user_id,
        rule_ids=[allowed.rule_id],
        policy_version=str(policy.version_id),
    )
    db.session.add(app)
    db.session.flush()
    audit.record(
        ctx,
        "payment.applied",
        object_type="payment_application",
        object_id=app.id,
        after={"case_id": case.id, "kind": kind, "defer_until": defer_until, "parts": parts},
    )
    approver = policy.case_rule("payment.deferral_approver").answer
    notify(
        ctx,
        kind="payment_application",
        title=f"{APPLICATION_KINDS[kind]}申请待批准：{case.title}",
        link=f"/{ctx.tenant.slug if ctx.tenant else ''}/enforcement/cases/{case.id}/payment",
        users=_with_role(ctx, str(approver)),
    )
    return app


def _with_role(ctx: Context, role: str) -> list[int]:
    from tenant_app.models import RoleGrant, User

    return list(
        db.session.execute(
            select(RoleGrant.user_id)
            .join(User, User.id == RoleGrant.user_id)
            .where(
                RoleGrant.tenant_id == ctx.tenant_id,
                RoleGrant.role == role,
                User.active.is_(True),
            )
            .distinct()
        ).scalars()
    )


def schedule(
    ctx: Context, app: PaymentApplication, due_on: date, fine_fen: int
) -> list[FineInstalment]:
    """The instalments an approved application sets."""
    if app.kind == "deferral":
        assert app.defer_until is not None
        return [
            FineInstalment(
                case_id=app.case_id,
                application_id=app.id,
                seq=1,
                due_on=app.defer_until,
                amount_fen=fine_fen,
            )
        ]
    n = int(app.parts or 2)
    base, rest = divmod(fine_fen, n)
    cal = policy_of(ctx).calendar
    return [
        FineInstalment(
            case_id=app.case_id,
            application_id=app.id,
            seq=k + 1,
            due_on=cal.shift_months(due_on, k),
            amount_fen=base + (rest if k == 0 else 0),
        )
        for k in range(n)
    ]


def decide(ctx: Context, app: PaymentApplication, approve: Any, note: Any) -> PaymentApplication:
    """第六十六条第二款 经行政机关批准: only the role the pack names decides."""
    require_action(ctx, Perm.ENFORCEMENT_VIEW)
    policy = policy_of(ctx)
    rule = policy.case_rule("payment.deferral_approver")
    role = str(rule.answer or "")
    if role not in ctx.roles:
        raise refuse(rule.rule_id, f"暂缓或分期缴纳罚款由{ROLES.get(role, role)}批准")
    if app.status != "pending":
        raise Conflict("该申请已作出决定", {"status": [app.status]})
    approved = str(approve).lower() in ("1", "true", "yes", "on", "approve", "approved")
    note_text = text(note, "note", "批准或不予批准的意见")
    case = get(Case, app.case_id, "该案件")
    app.status = "approved" if approved else "rejected"
    app.decided_on, app.decided_by, app.decided_role = ctx.today, ctx.actor.user_id, role
    app.decision_note = note_text
    app.rule_ids = list(dict.fromkeys([*(app.rule_ids or []), rule.rule_id]))
    parts: list[FineInstalment] = []
    if approved:
        due_on, _t, _r = statutory_due(ctx, case)
        parts = schedule(ctx, app, due_on, fen_of_yuan(case.total_fine))
        db.session.add_all(parts)
    audit.record(
        ctx,
        "payment.decided",
        object_type="payment_application",
        object_id=app.id,
        before={"status": "pending"},
        after={
            "status": app.status,
            "role": role,
            "schedule": [{"due_on": p.due_on, "amount_fen": p.amount_fen} for p in parts],
        },
    )
    notify(
        ctx,
        kind="payment_decided",
        title=f"{APPLICATION_KINDS[app.kind]}申请{'已批准' if approved else '未获批准'}：{case.title}",
        link=f"/{ctx.tenant.slug if ctx.tenant else ''}/enterprise/enforcement/cases/{case.id}",
        enterprise_id=case.enterprise_id,
    )
    return app


def _reference(value: Any, field: str = "reference") -> str:
    ref = text(value, field, "缴款流水号", max_len=64)
    if db.session.execute(select(FinePayment.id).where(FinePayment.reference == ref)).first():
        raise Conflict("该缴款流水号已登记", {field: [f"缴款流水号“{ref}”已登记过"]})
    return ref


def _check_payment(ctx: Context, case: Case, paid_on: date | None, field: str) -> None:
    assert case.served_on is not None
    if paid_on is None:
        raise ValidationFailed.field(field, "请填写缴款日期")
    if paid_on > ctx.today:
        raise ValidationFailed.field(field, "缴款日期不能晚于今天")
    if paid_on < case.served_on:
        raise ValidationFailed.field(field, "缴款日期不能早于决定书送达日期")


def record_payment(ctx: Context, case: Case, data: dict[str, Any]) -> FinePayment:
    """Staff record a payment (bank receipt) against a fined case."""
    require_action(ctx, Perm.ENFORCEMENT_EDIT)
    require_fined(case)
    try:
        paid_on = a_date(data.get("paid_on"), required=True, label="缴款日期")
    except FieldProblem as exc:
        raise ValidationFailed.field("paid_on", str(exc)) from None
    _check_payment(ctx, case, paid_on, "paid_on")
    amount = parse_yuan(data.get("amount"), "amount", "缴款金额")
    ref = _reference(data.get("reference"))
    before = fine_state(ctx, case)
    if amount > before.outstanding_fen:
        raise ValidationFailed.field(
            "amount", f"缴款金额超过尚欠金额 {yuan(before.outstanding_fen)} 元"
        )
    assert paid_on is not None
    row = FinePayment(
        case_id=case.id,
        paid_on=paid_on,
        amount_fen=amount,
        source="staff",
        reference=ref,
        note=text(data.get("note"), "note", "备注", required=False, max_len=500),
        recorded_by=ctx.actor.user_id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        ctx,
        "payment.recorded",
        object_type="case",
        object_id=case.id,
        after={"paid_on": paid_on, "amount_fen": amount, "reference": ref, "source": "staff"},
    )
    return row


def apply_enforcement(ctx: Context, case: Case, note: Any) -> FineState:
    """第七十二条第一款第四项: apply to the court when an amount is overdue and unpaid."""
    require_action(ctx, Perm.ENFORCEMENT_EDIT)
    state = fine_state(ctx, case)
    rule = policy_of(ctx).case_rule("payment.enforcement_application")
    if state.state == "enforcement":
        raise Conflict("已申请强制执行", {"case": ["已申请强制执行"]})
    if state.review_open:
        raise Conflict(
            "当事人申请行政复议或者提起行政诉讼的，在复议或诉讼结束前不申请强制执行",
            {"case": ["复议或诉讼尚未结束"]},
        )
    if state.state != "overdue":
        raise refuse(rule.rule_id, "只有到期不缴纳罚款的，才能申请人民法院强制执行")
    reason = text(note, "note", "申请强制执行的说明")
    record_step(
        ctx,
        case,
        "enforcement_applied",
        rule_ids=[rule.rule_id, *state.rule_ids],
        detail={"outstanding_fen": state.outstanding_fen, "surcharge_fen": state.surcharge_fen},
        note=reason,
    )
    audit.record(
        ctx,
        "payment.enforcement_applied",
        object_type="case",
        object_id=case.id,
        after={"outstanding_fen": state.outstanding_fen, "surcharge_fen": state.surcharge_fen},
    )
    notify(
        ctx,
        kind="payment_enforcement",
        title=f"罚款逾期未缴，已申请人民法院强制执行：{case.title}",
        link=f"/{ctx.tenant.slug if ctx.tenant else ''}/enterprise/enforcement/cases/{case.id}",
        enterprise_id=case.enterprise_id,
        users=staff_with(ctx, Perm.ENFORCEMENT_EDIT),
    )
    return fine_state(ctx, case)


def close_blocker(ctx: Context, case: Case) -> str | None:
    """Before a case is closed (结案, ``Feature.close_checks``): a served fine must be paid in
    full with its surcharge, sent to the court (申请强制执行) or revoked on review or suit."""
    if not case.total_fine or case.served_on is None:
        return None
    s = fine_state(ctx, case)
    if s.state in ("paid", "enforcement", "revoked"):
        return None
    owed_surcharge = max(s.surcharge_fen - s.surcharge_paid_fen, 0)
    return (
        f"罚款尚未缴清（尚欠 {yuan(s.outstanding_fen)} 元，其中加处罚款 {yuan(owed_surcharge)} 元），"
        "也未申请人民法院强制执行：须缴清罚款和加处罚款、申请强制执行，"
        "或处罚决定经复议、诉讼撤销后才能结案"
    )

"""The enforcement API (issue 15): a fine's payment state (due date, schedule, surcharge with its
cap), the party's application for deferral or instalments and the decision by the pack's role,
payments (one, or a batch from the payment platform, all or nothing), the application for
enforcement; an enterprise's ladder with the proposal for a new finding and the step taken; 普法
activities. Same services and errors as the pages: bad input 422 by field, a step the rules
forbid 409 with its rule ids, another tenant's or enterprise's object 404."""

from __future__ import annotations

import base64
import binascii
from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.api.schemas import ErrorSchema
from tenant_app.auth.api import bind_api_tenant
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.core.errors import ValidationFailed
from tenant_app.enforcement.api.schemas import (
    EnfApplicationInSchema,
    EnfApplicationSchema,
    EnfDecisionInSchema,
    EnfEventInSchema,
    EnfEventSchema,
    EnfFineStateSchema,
    EnfImportInSchema,
    EnfImportResultSchema,
    EnfLadderQuerySchema,
    EnfLadderSchema,
    EnfNoteInSchema,
    EnfPaymentInSchema,
    EnfPaymentSchema,
    EnfReviewEndInSchema,
    EnfReviewInSchema,
    EnfReviewSchema,
    EnfStepInSchema,
    EnfStepSchema,
)
from tenant_app.enforcement.services import education, ladder, payment_import, payments, reviews
from tenant_app.enforcement.services.common import get_case, get_enterprise
from tenant_app.extensions import db
from tenant_app.http.bodies import accepts_upload
from tenant_app.models import Enterprise
from tenant_app.tenancy.acting import request_context

blp = Blueprint(
    "api_enforcement",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>",
    description="罚款缴纳（暂缓、分期、加处罚款、强制执行）、渐进式执法阶梯与普法活动",
)
blp.url_value_preprocessor(bind_api_tenant)


def _err(status: int, text: str) -> Any:
    return blp.alt_response(status, schema=ErrorSchema, description=text)


def _state(ctx: Context, case: Any) -> dict[str, Any]:
    s = payments.fine_state(ctx, case)
    out = asdict(s)
    out["outstanding_fen"] = s.outstanding_fen
    return out


def _ladder(
    ctx: Context, e: Enterprise, flags: list[str], *, party: bool = False
) -> dict[str, Any]:
    pos = ladder.position(ctx, e, party=party)
    out: dict[str, Any] = {
        "enterprise_id": e.id,
        "rungs": pos["ladder"].answer,
        "position": pos["position"],
        "since": pos["since"],
        "recent": pos["recent"],
        "history": [asdict(h) for h in pos["history"]],
        "proposal": None,
    }
    if not party:
        p = ladder.proposal(ctx, e, flags)
        out["proposal"] = {
            "rung": (p.answer or {}).get("id"),
            "title": (p.answer or {}).get("title"),
            "rule_id": p.rule_id,
            "explanation": p.explanation,
        }
    return out


@blp.route("/cases/<int:case_id>/payment")
class CasePayment(MethodView):
    @permission(Perm.ENFORCEMENT_VIEW)
    @blp.response(200, EnfFineStateSchema)
    @_err(404, "没有该案件")
    @_err(409, "该案件没有已送达的罚款决定")
    def get(self, case_id: int) -> Any:
        """Where the fine stands today: due date, schedule, paid, surcharge (capped), owed."""
        ctx = request_context()
        return _state(ctx, get_case(case_id))


@blp.route("/cases/<int:case_id>/payments")
class CasePayments(MethodView):
    @permission(Perm.ENFORCEMENT_VIEW)
    @blp.response(200, EnfPaymentSchema(many=True))
    def get(self, case_id: int) -> Any:
        return payments.payments_of(get_case(case_id))

    @permission(Perm.ENFORCEMENT_EDIT)
    @blp.arguments(EnfPaymentInSchema)
    @blp.response(201, EnfPaymentSchema)
    @_err(409, "流水号已登记或案件没有罚款")
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Record a payment (bank receipt)."""
        row = payments.record_payment(request_context(), get_case(case_id), data)
        db.session.commit()
        return row


@blp.route("/cases/<int:case_id>/payment-applications")
class CaseApplications(MethodView):
    @permission(Perm.ENFORCEMENT_VIEW)
    @blp.response(200, EnfApplicationSchema(many=True))
    def get(self, case_id: int) -> Any:
        return payments.applications_of(get_case(case_id))


@blp.route("/payment-applications/<int:application_id>/decision")
class Decide(MethodView):
    @permission(Perm.ENFORCEMENT_VIEW)
    @blp.arguments(EnfDecisionInSchema)
    @blp.response(200, EnfApplicationSchema)
    @_err(409, "不是政策包指定的批准人，或已作出决定")
    def post(self, data: dict[str, Any], application_id: int) -> Any:
        """第六十六条第二款: approve or refuse; only the role the pack names."""
        app = payments.decide(
            request_context(),
            payments.get_application(application_id),
            "1" if data["approve"] else "0",
            data["note"],
        )
        db.session.commit()
        return app


@blp.route("/cases/<int:case_id>/enforcement")
class Enforcement(MethodView):
    @permission(Perm.ENFORCEMENT_EDIT)
    @blp.arguments(EnfNoteInSchema)
    @blp.response(200, EnfFineStateSchema)
    @_err(409, "未逾期，或已申请")
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """第七十二条第一款第四项: apply to the court for enforcement of an overdue fine."""
        ctx = request_context()
        payments.apply_enforcement(ctx, get_case(case_id), data["note"])
        db.session.commit()
        return _state(ctx, get_case(case_id))


@blp.route("/cases/<int:case_id>/reviews")
class CaseReviews(MethodView):
    @permission(Perm.ENFORCEMENT_VIEW)
    @blp.response(200, EnfReviewSchema(many=True))
    def get(self, case_id: int) -> Any:
        """第七十三条: the party's administrative reviews and suits against the decision."""
        return reviews.reviews_of(get_case(case_id))

    @permission(Perm.ENFORCEMENT_EDIT)
    @blp.arguments(EnfReviewInSchema)
    @blp.response(201, EnfReviewSchema)
    @_err(409, "已有尚未结束的复议或诉讼，或决定已撤销")
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Record that the party applied for review or filed a suit: the surcharge pauses
        (第七十三条第三款, NAT-APL-73.3)."""
        row = reviews.record(request_context(), get_case(case_id), data)
        db.session.commit()
        return row


@blp.route("/fine-reviews/<int:review_id>/end")
class EndReview(MethodView):
    @permission(Perm.ENFORCEMENT_EDIT)
    @blp.arguments(EnfReviewEndInSchema)
    @blp.response(200, EnfReviewSchema)
    @_err(409, "已登记结果")
    def post(self, data: dict[str, Any], review_id: int) -> Any:
        """The review or suit ended: 维持 (upheld), 变更 (changed, with the fine), 撤销 (revoked)."""
        row = reviews.end(request_context(), reviews.get_review(review_id), data)
        db.session.commit()
        return row


@blp.route("/payments/import")
class ImportPayments(MethodView):
    @accepts_upload
    @permission(Perm.ENFORCEMENT_EDIT)
    @blp.arguments(EnfImportInSchema)
    @blp.response(201, EnfImportResultSchema)
    @_err(422, "有误的行（errors 以“第 N 行 列名”标明，N 从 2 起），未写入任何一行")
    def post(self, data: dict[str, Any]) -> Any:
        """Payments from the payment platform: all rows or none."""
        rows = [(i + 2, r) for i, r in enumerate(data["rows"])]
        answer = payment_import.take_rows(request_context(), rows)
        db.session.commit()
        return answer


@blp.route("/enterprises/<int:enterprise_id>/ladder")
class EnterpriseLadder(MethodView):
    @permission(Perm.ENFORCEMENT_VIEW)
    @blp.arguments(EnfLadderQuerySchema, location="query")
    @blp.response(200, EnfLadderSchema)
    def get(self, query: dict[str, Any], enterprise_id: int) -> Any:
        """SX-0: the enterprise's history as the ladder, its position, and the rung proposed for
        a new finding with these violation facts (``flags``)."""
        ctx = request_context()
        return _ladder(ctx, get_enterprise(enterprise_id), query["flags"])

    @permission(Perm.ENFORCEMENT_EDIT)
    @blp.arguments(EnfStepInSchema)
    @blp.response(201, EnfStepSchema)
    @_err(422, "缺少事实、文书，或另选措施未写理由")
    def post(self, data: dict[str, Any], enterprise_id: int) -> Any:
        """Record what the bureau does on a new finding."""
        step = ladder.record(request_context(), get_enterprise(enterprise_id), data)
        db.session.commit()
        return step


@blp.route("/education-events")
class Events(MethodView):
    @permission(Perm.ENFORCEMENT_VIEW)
    @blp.response(200, EnfEventSchema(many=True))
    def get(self) -> Any:
        return [
            {
                **{k: getattr(ev, k) for k in ("id", "kind", "topic", "held_on", "materials")},
                "invited": n,
                "present": p,
            }
            for ev, n, p in education.events(request_context())
        ]

    @permission(Perm.ENFORCEMENT_EDIT)
    @blp.arguments(EnfEventInSchema)
    @blp.response(201, EnfEventSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """SX-2: record a 普法 activity with the enterprises invited and present."""
        ev = education.create(request_context(), data)
        db.session.commit()
        rows = education.attendance(ev)
        return {
            **{k: getattr(ev, k) for k in ("id", "kind", "topic", "held_on", "materials")},
            "invited": len(rows),
            "present": sum(1 for _e, p in rows if p),
        }


@blp.route("/my-enterprise/fines")
class MyFines(MethodView):
    @permission(Perm.OWN_ENFORCEMENT)
    @blp.response(200, EnfFineStateSchema(many=True))
    def get(self) -> Any:
        """The enterprise's own fines and where each stands (the surcharge shown to the party)."""
        ctx = request_context()
        e = payments.mine(ctx)
        return [_state(ctx, c) for c in payments.fined_cases(ctx, e.id)]


@blp.route("/my-enterprise/fines/<int:case_id>/applications")
class MyApplications(MethodView):
    @permission(Perm.OWN_ENFORCEMENT)
    @blp.response(200, EnfApplicationSchema(many=True))
    def get(self, case_id: int) -> Any:
        ctx = request_context()
        return payments.applications_of(payments.my_case(ctx, case_id))

    @accepts_upload
    @permission(Perm.OWN_ENFORCEMENT)
    @blp.arguments(EnfApplicationInSchema)
    @blp.response(201, EnfApplicationSchema)
    @_err(409, "已有待批准或已批准的申请，或已缴清")
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """第六十六条第二款: apply for deferral or instalments, with the proof of hardship."""
        ctx = request_context()
        try:
            proof = base64.b64decode(data.pop("proof_base64"), validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed.field("proof", "证明材料应为 Base64 编码") from None
        case = payments.my_case(ctx, case_id)
        app = payments.apply(ctx, case, data, (data["proof_name"], data["proof_type"], proof))
        db.session.commit()
        return app


@blp.route("/my-enterprise/ladder")
class MyLadder(MethodView):
    @permission(Perm.OWN_ENFORCEMENT)
    @blp.response(200, EnfLadderSchema)
    def get(self) -> Any:
        """The enterprise's own ladder and history."""
        ctx = request_context()
        return _ladder(ctx, payments.mine(ctx), [], party=True)

"""The cases API: the catalogue, opening and listing cases, violations and their proposal, the
notice, statements (staff and the party), hearing, legal review, collective discussion,
extension, decision, service and closing. Same services, rules and errors as the pages: a step
out of order or out of time answers 409 with ``errors.rules`` and ``errors.rule_ids``; bad input
422; another tenant's or enterprise's case 404."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.api.schemas import ErrorSchema
from tenant_app.auth.api import bind_api_tenant
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.cases.api.schemas import (
    AnswerInSchema,
    CaseEvidenceFormSchema,
    CaseEvidenceSchema,
    CaseEvidenceUploadSchema,
    CaseInSchema,
    CasePageSchema,
    CaseQuerySchema,
    CaseSchema,
    CaseUpdateSchema,
    CatalogueSchema,
    CloseInSchema,
    DecisionInSchema,
    DiscussionInSchema,
    DocumentSchema,
    FarDecisionSchema,
    HearingInSchema,
    HearingRecordInSchema,
    MeasureApprovalInSchema,
    MeasureInSchema,
    MeasureReviewInSchema,
    MeasureSchema,
    NoticeInSchema,
    PartyCaseSchema,
    ReasonInSchema,
    ReviewInSchema,
    ServiceInSchema,
    StatementInSchema,
    StatementSchema,
    TypicalInSchema,
    ViolationInSchema,
    ViolationSchema,
)
from tenant_app.cases.services import (
    cases,
    consequences,
    decision,
    documents,
    evidence,
    measures,
    notice,
    party,
    procedure,
    similar,
    stages,
    violations,
)
from tenant_app.cases.services.common import (
    get_case,
    get_statement,
    get_violation,
    policy_of,
    statements_of,
    steps_of,
    violations_of,
)
from tenant_app.extensions import db
from tenant_app.http.bodies import accepts_upload
from tenant_app.models import Case
from tenant_app.tenancy.acting import request_context

blp = Blueprint(
    "api_cases",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>",
    description="行政处罚案件：立案、违法行为与裁量建议、告知、陈述申辩与听证、法制审核、集体讨论、决定、送达、结案",
)
blp.url_value_preprocessor(bind_api_tenant)

_COLUMNS = (
    "id",
    "enterprise_id",
    "inspection_id",
    "warning_id",
    "origin",
    "title",
    "facts",
    "officers",
    "stage",
    "complex_case",
    "public_interest",
    "major_violation",
    "filed_on",
    "limit_due",
    "extended",
    "noticed_on",
    "statement_due",
    "hearing_eligible",
    "hearing_requested_on",
    "waived_on",
    "hearing_notified_on",
    "hearing_date",
    "hearing_place",
    "hearing_held_on",
    "review_required",
    "review_reasons",
    "review_verdict",
    "review_opinion",
    "reviewed_on",
    "discussion_required",
    "discussion_reasons",
    "discussed_on",
    "decided_on",
    "total_fine",
    "correction_order",
    "correction_due",
    "education_record",
    "service_due",
    "served_on",
    "service_method",
    "service_late",
    "closed_on",
    "deadlines",
    "policy_version",
    "typical",
    "typical_note",
    "decision_no",
    "police_transfer",
    "police_transfer_reason",
)


def _err(status: int, text: str) -> Any:
    return blp.alt_response(status, schema=ErrorSchema, description=text)


def full(case: Case) -> dict[str, Any]:
    today = request_context().today
    out = {name: getattr(case, name) for name in _COLUMNS}
    out.update(
        stage_now=stages.expected(case, today),
        next_steps=stages.next_steps(case, today),
        violations=violations_of(case),
        statements=statements_of(case),
        steps=steps_of(case),
        statement_deadline=(case.deadlines or {}).get("statement"),
    )
    out["consequences"] = consequences.consequences_of(out["steps"])
    out["similar_cases"] = {
        str(k): v for k, v in similar.for_case(request_context(), out["violations"]).items()
    }
    return out


def _done(case: Case) -> dict[str, Any]:
    db.session.commit()
    return full(case)


@blp.route("/cases/catalogue")
class Catalogue(MethodView):
    @permission(Perm.CASES_VIEW)
    @blp.response(200, CatalogueSchema)
    def get(self) -> dict[str, Any]:
        """The violation catalogue, measures, the benchmark's factors and grades (SX-12) and the
        minor-violation list, under the policy in force today."""
        d = policy_of(request_context()).case_catalogue()
        return {
            "rule_id": d.rule_id,
            "policy_version": str(d.policy_version or ""),
            "explanation": d.explanation,
            "catalogue": d.answer,
        }


@blp.route("/cases/far-from-similar")
class FarFromSimilar(MethodView):
    @permission(Perm.AUDIT_VIEW)
    @blp.response(200, FarDecisionSchema(many=True))
    def get(self) -> Any:
        """类案同罚 for oversight: decided fines far from their similar cases (outside the
        policy's percentiles), newest first, within the reader's scope (an oversight role reads
        its subtree)."""
        return similar.far_decisions()


@blp.route("/cases")
class CaseList(MethodView):
    @permission(Perm.CASES_VIEW)
    @blp.arguments(CaseQuerySchema, location="query")
    @blp.response(200, CasePageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Newest first, keyset-paged (pass ``next_after`` back as ``after``), with the count."""
        page, total = cases.cases(
            stage=query["stage"],
            enterprise_id=query["enterprise_id"],
            after=query["after"],
            limit=query["limit"],
        )
        return {"items": page.items, "next_after": page.next_after, "total": total}

    @permission(Perm.CASES_EDIT)
    @blp.arguments(CaseInSchema)
    @blp.response(201, CaseSchema)
    @_err(404, "没有该企业或检查")
    @_err(409, "执法人员不足（errors.rules、errors.rule_ids）")
    @_err(422, "字段有误")
    def post(self, data: dict[str, Any]) -> Any:
        """立案: by hand or from an inspection; the 90-day limit counted from today."""
        return _done(cases.open_case(request_context(), data))


@blp.route("/cases/<int:case_id>")
class CaseItem(MethodView):
    @permission(Perm.CASES_VIEW)
    @blp.response(200, CaseSchema)
    @_err(404, "没有该案件")
    def get(self, case_id: int) -> Any:
        """The case with its deadlines (each with rule and explanation), next steps,
        violations and their proposals, statements and history."""
        return full(get_case(case_id))

    @permission(Perm.CASES_EDIT)
    @blp.arguments(CaseUpdateSchema)
    @blp.response(200, CaseSchema)
    @_err(409, "不在调查阶段")
    def patch(self, data: dict[str, Any], case_id: int) -> Any:
        """The facts and the review/discussion flags, while investigating."""
        return _done(cases.update_case(request_context(), get_case(case_id), data))


@blp.route("/cases/<int:case_id>/violations")
class Violations(MethodView):
    @permission(Perm.CASES_EDIT)
    @blp.arguments(ViolationInSchema)
    @blp.response(201, ViolationSchema)
    @_err(409, "不在调查阶段")
    @_err(422, "字段有误")
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Record a violation and its factor levels; the proposal comes back with it."""
        v = violations.add_violation(request_context(), get_case(case_id), data)
        db.session.commit()
        return v


@blp.route("/cases/<int:case_id>/violations/<int:violation_id>")
class ViolationItem(MethodView):
    @permission(Perm.CASES_EDIT)
    @blp.arguments(ViolationInSchema)
    @blp.response(200, ViolationSchema)
    @_err(409, "不在调查阶段")
    def put(self, data: dict[str, Any], case_id: int, violation_id: int) -> Any:
        case = get_case(case_id)
        v = violations.update_violation(
            request_context(), case, get_violation(case, violation_id), data
        )
        db.session.commit()
        return v

    @permission(Perm.CASES_EDIT)
    @blp.response(204)
    @_err(409, "不在调查阶段")
    def delete(self, case_id: int, violation_id: int) -> None:
        case = get_case(case_id)
        violations.remove_violation(request_context(), case, get_violation(case, violation_id))
        db.session.commit()


def _step(path: str, perm: Perm, schema: type | None, doc: str, run: Any, name: str) -> None:
    """One POST step on a case: ``run(ctx, case, data)``; answers the case."""

    def post(self: Any, *args: Any, **kwargs: Any) -> Any:
        data = args[0] if args else {}
        case = get_case(kwargs["case_id"])
        run(request_context(), case, data)
        return _done(case)

    post.__doc__ = doc
    view: Any = post
    if schema is not None:
        view = blp.arguments(schema)(view)
    view = blp.response(200, CaseSchema)(view)
    view = _err(409, "顺序或期限不允许（errors.rules、errors.rule_ids）")(view)
    view = _err(422, "字段有误")(view)
    view = permission(perm)(view)  # outermost, as on every other route: 403 before parsing
    blp.route(path)(type(name, (MethodView,), {"post": view}))


_step(
    "/cases/<int:case_id>/notice",
    Perm.CASES_EDIT,
    NoticeInSchema,
    "告知 (第四十四条): the proposed penalty of every violation; outside the proposal needs a reason.",
    lambda ctx, case, d: notice.notify(ctx, case, d),
    "Notice",
)
_step(
    "/cases/<int:case_id>/hearing",
    Perm.CASES_EDIT,
    HearingInSchema,
    "Notify the hearing's day and place (第六十四条: at least its working days ahead).",
    lambda ctx, case, d: procedure.schedule_hearing(
        ctx, case, d["hearing_date"], d["hearing_place"]
    ),
    "Hearing",
)
_step(
    "/cases/<int:case_id>/hearing/record",
    Perm.CASES_EDIT,
    HearingRecordInSchema,
    "The hearing held; the case then needs legal review (第五十八条).",
    lambda ctx, case, d: procedure.record_hearing(ctx, case, d["hearing_record"]),
    "HearingRecord",
)
_step(
    "/cases/<int:case_id>/review",
    Perm.CASES_REVIEW,
    ReviewInSchema,
    "法制审核 (第五十八条): passed or failed, with the opinion.",
    lambda ctx, case, d: procedure.legal_review(ctx, case, d["verdict"], d["opinion"]),
    "Review",
)
_step(
    "/cases/<int:case_id>/discussion",
    Perm.CASES_DECIDE,
    DiscussionInSchema,
    "负责人集体讨论 (第五十七条第二款).",
    lambda ctx, case, d: procedure.collective_discussion(ctx, case, d["discussion_record"]),
    "Discussion",
)
_step(
    "/cases/<int:case_id>/extension",
    Perm.CASES_DECIDE,
    ReasonInSchema,
    "Extend the time limit once, before it has passed.",
    lambda ctx, case, d: procedure.extend(ctx, case, d["reason"]),
    "Extension",
)
_step(
    "/cases/<int:case_id>/decision",
    Perm.CASES_DECIDE,
    DecisionInSchema,
    "决定: every check of the decision; outside the proposal without a review is routed to "
    "legal review (409, code routed_to_legal_review).",
    lambda ctx, case, d: decision.decide(ctx, case, d),
    "Decision",
)
_step(
    "/cases/<int:case_id>/service",
    Perm.CASES_EDIT,
    ServiceInSchema,
    "送达 (第六十一条); a late service is recorded and flagged.",
    lambda ctx, case, d: decision.serve(ctx, case, d["method"], d["consent"]),
    "Service",
)
_step(
    "/cases/<int:case_id>/close",
    Perm.CASES_EDIT,
    CloseInSchema,
    "结案 after service.",
    lambda ctx, case, d: decision.close(ctx, case, d["note"]),
    "Close",
)


_step(
    "/cases/<int:case_id>/typical",
    Perm.CASES_DECIDE,
    TypicalInSchema,
    "以案释法: mark a served decision as a typical case for the public page (or unmark it).",
    lambda ctx, case, d: decision.mark_typical(ctx, case, d["typical"], d["typical_note"]),
    "Typical",
)


@blp.route("/cases/<int:case_id>/documents/<any(notice, decision):kind>")
class Documents(MethodView):
    @permission(Perm.CASES_VIEW)
    @blp.response(200, DocumentSchema)
    @_err(404, "没有该案件")
    @_err(409, "尚未告知或者尚未决定（errors.rules、errors.rule_ids）")
    def get(self, case_id: int, kind: str) -> Any:
        """说理式文书 (SX-2): the notice or the decision generated from the case — facts,
        evidence, provisions, factors and their effect, reasons, the party's statements and the
        answers, rights and deadlines; the print view and DOCX are on the case page."""
        return documents.build(request_context(), get_case(case_id), kind).to_dict()


@blp.route("/cases/<int:case_id>/evidence")
class CaseEvidenceList(MethodView):
    @permission(Perm.CASES_VIEW)
    @blp.response(200, CaseEvidenceSchema(many=True))
    @_err(404, "没有该案件")
    def get(self, case_id: int) -> Any:
        """The case's evidence: the linked inspection's (reused, ``source`` = inspection) and the
        files collected for the case, each with its SHA-256."""
        case = get_case(case_id)
        reused = [
            {
                "id": ev.id,
                "source": "inspection",
                "filename": ev.filename,
                "content_type": ev.content_type,
                "size": ev.size,
                "sha256": ev.sha256,
                "reference": ev.reference,
                "note": ev.note,
                "collected_on": None,
            }
            for ev in evidence.inspection_evidence(case)
        ]
        own = [
            {
                "id": ev.id,
                "source": "case",
                "filename": ev.filename,
                "content_type": ev.content_type,
                "size": ev.size,
                "sha256": ev.sha256,
                "reference": "",
                "note": ev.note,
                "collected_on": ev.collected_on,
            }
            for ev in evidence.evidence_of(case)
        ]
        return reused + own

    @accepts_upload
    @permission(Perm.CASES_EDIT)
    @blp.arguments(CaseEvidenceFormSchema, location="form")
    @blp.arguments(CaseEvidenceUploadSchema, location="files")
    @blp.response(201, CaseEvidenceSchema)
    @_err(404, "没有该案件")
    @_err(409, "已作出决定，不能再补充证据（errors.rules）")
    @_err(422, "类型或大小不符（jpg/png/pdf/mp4，20 MB）")
    def post(self, form: dict[str, Any], files: dict[str, Any], case_id: int) -> Any:
        """Upload one file for the case; stored outside the web root, the SHA-256 recorded."""
        up = files["file"]
        ev = evidence.add_evidence(
            request_context(), get_case(case_id), up.stream, up.filename or "", form["note"]
        )
        db.session.commit()
        return {
            "id": ev.id,
            "source": "case",
            "filename": ev.filename,
            "content_type": ev.content_type,
            "size": ev.size,
            "sha256": ev.sha256,
            "reference": "",
            "note": ev.note,
            "collected_on": ev.collected_on,
        }


@blp.route("/cases/<int:case_id>/measures")
class Measures(MethodView):
    @permission(Perm.CASES_VIEW)
    @blp.response(200, MeasureSchema(many=True))
    @_err(404, "没有该案件")
    def get(self, case_id: int) -> Any:
        """The case's coercive and heavy measures (SX-13) with their review and approval."""
        return measures.measures_of(get_case(case_id))

    @permission(Perm.CASES_EDIT)
    @blp.arguments(MeasureInSchema)
    @blp.response(201, MeasureSchema)
    @_err(409, "案件已结案（errors.rules、errors.rule_ids）")
    @_err(422, "没有说明较轻手段为何不足（errors.rule_ids）")
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Propose a measure with the reason why lighter means do not suffice (SX-13)."""
        row = measures.propose(request_context(), get_case(case_id), data)
        db.session.commit()
        return row


@blp.route("/cases/<int:case_id>/measures/<int:measure_id>/review")
class MeasureReview(MethodView):
    @permission(Perm.CASES_REVIEW)
    @blp.arguments(MeasureReviewInSchema)
    @blp.response(200, MeasureSchema)
    @_err(409, "不在待审核状态（errors.rules、errors.rule_ids）")
    def post(self, data: dict[str, Any], case_id: int, measure_id: int) -> Any:
        """法制审核 of a measure."""
        case = get_case(case_id)
        m = measures.get_measure(case, measure_id)
        measures.review(request_context(), case, m, data["passed"], data["opinion"])
        db.session.commit()
        return m


@blp.route("/cases/<int:case_id>/measures/<int:measure_id>/approval")
class MeasureApproval(MethodView):
    @permission(Perm.CASES_DECIDE)
    @blp.arguments(MeasureApprovalInSchema)
    @blp.response(200, MeasureSchema)
    @_err(409, "未经法制审核（errors.rules、errors.rule_ids）")
    def post(self, data: dict[str, Any], case_id: int, measure_id: int) -> Any:
        """The principal head's approval, only after the legal review passed."""
        case = get_case(case_id)
        m = measures.get_measure(case, measure_id)
        measures.approve(request_context(), case, m, data["approved"], data["note"])
        db.session.commit()
        return m


@blp.route("/cases/<int:case_id>/statements")
class Statements(MethodView):
    @permission(Perm.CASES_EDIT)
    @blp.arguments(StatementInSchema)
    @blp.response(201, StatementSchema)
    @_err(409, "不在陈述、申辩期间")
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Record what the party handed in on paper, under the same periods."""
        row = party.file(
            request_context(), get_case(case_id), data["kind"], data["content"], via="staff"
        )
        db.session.commit()
        return row


@blp.route("/cases/<int:case_id>/statements/<int:statement_id>/answer")
class StatementAnswer(MethodView):
    @permission(Perm.CASES_EDIT)
    @blp.arguments(AnswerInSchema)
    @blp.response(200, StatementSchema)
    def post(self, data: dict[str, Any], case_id: int, statement_id: int) -> Any:
        """复核 (第四十五条第一款): the answer to a statement, adopted or not."""
        case = get_case(case_id)
        row = procedure.answer_statement(
            request_context(),
            case,
            get_statement(case, statement_id),
            data["answer"],
            data["adopted"],
        )
        db.session.commit()
        return row


def party_view(case: Case) -> dict[str, Any]:
    out = {name: getattr(case, name) for name in _COLUMNS}
    out.update(
        violations=violations_of(case),
        statements=statements_of(case),
        statement_deadline=(case.deadlines or {}).get("statement"),
    )
    return out


@blp.route("/my-enterprise/cases")
class MyCases(MethodView):
    @permission(Perm.OWN_CASES)
    @blp.response(200, PartyCaseSchema(many=True))
    def get(self) -> Any:
        """The enterprise user's own cases, once noticed."""
        return [party_view(c) for c in party.my_cases(request_context())]


@blp.route("/my-enterprise/cases/<int:case_id>")
class MyCase(MethodView):
    @permission(Perm.OWN_CASES)
    @blp.response(200, PartyCaseSchema)
    @_err(404, "没有该案件")
    def get(self, case_id: int) -> Any:
        return party_view(party.my_case(request_context(), case_id))


@blp.route("/my-enterprise/cases/<int:case_id>/statements")
class MyStatements(MethodView):
    @permission(Perm.OWN_CASES)
    @blp.arguments(StatementInSchema)
    @blp.response(201, StatementSchema)
    @_err(404, "没有该案件")
    @_err(409, "不在陈述、申辩期间（errors.rules、errors.rule_ids）")
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """The party's statement, hearing request or waiver, within the window."""
        ctx = request_context()
        row = party.file(ctx, party.my_case(ctx, case_id), data["kind"], data["content"])
        db.session.commit()
        return row

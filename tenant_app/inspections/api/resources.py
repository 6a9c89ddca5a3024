"""The inspections API: pre-save checks (preview), inspections, approvals inbox, conduct
(findings, record, evidence, finish, feedback), annual plans, special campaigns, random draws,
conflicts of interest, self-inspection reports, enterprise requests, and the enterprise user's
own inspections. Same services, rules and errors as the pages."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.api.schemas import ErrorSchema, ListQuerySchema, page_headers
from tenant_app.auth.api import bind_api_tenant
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.extensions import db
from tenant_app.inspections.api.schemas import (
    AbandonSchema,
    ApprovalSchema,
    BodycamInSchema,
    BudgetQuerySchema,
    BudgetSchema,
    CampaignApproveSchema,
    CampaignFileSchema,
    CampaignInSchema,
    CampaignSchema,
    CheckReportSchema,
    CommentSchema,
    CommitmentSchema,
    ConflictInSchema,
    DrawInSchema,
    DrawSchema,
    EnterpriseInspectionSchema,
    EvidenceFormSchema,
    EvidenceSchema,
    EvidenceUploadSchema,
    ExternalVisitInSchema,
    FeedbackInSchema,
    FindingSchema,
    FindingsInSchema,
    FinishInSchema,
    InspectionInSchema,
    InspectionPageSchema,
    InspectionQuerySchema,
    InspectionRecordInSchema,
    InspectionSchema,
    PlanInSchema,
    PlanSchema,
    PriorNoticeInSchema,
    ReplanInSchema,
    ReportInSchema,
    ReportReviewSchema,
    ReportSchema,
    RequestAcceptSchema,
    RequestDeclineSchema,
    RequestInSchema,
    RequestSchema,
    RevealSchema,
)
from tenant_app.inspections.services import (
    annual,
    approvals,
    campaigns,
    checks,
    conduct,
    draws,
    feedback,
    moments,
    plans,
    reports,
    requests,
    visits,
)
from tenant_app.inspections.services.common import get
from tenant_app.tenancy.acting import request_context

blp = Blueprint(
    "api_inspections",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>",
    description="涉企执法检查：检查前核验、审批、检查实施、年度计划、专项行动、双随机抽查、企业自查与申请",
)
blp.url_value_preprocessor(bind_api_tenant)


def _err(status: int, text: str) -> Any:
    return blp.alt_response(status, schema=ErrorSchema, description=text)


def _commit(obj: Any) -> Any:
    db.session.commit()
    return obj


@blp.route("/inspections/preview")
class Preview(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(InspectionInSchema)
    @blp.response(200, CheckReportSchema)
    @_err(404, "没有该企业、专项行动或要合并的检查")
    @_err(422, "字段有误")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """The pre-save checks, nothing saved: caps (SX-3), quiet period (SX-10), listed rules
        (XJ-S), campaign (SX-4), nearby inspections (综合一次查), approval route (SX-5)."""
        return checks.preview(request_context(), data).to_dict()


@blp.route("/inspections")
class InspectionList(MethodView):
    @permission(Perm.INSPECTIONS_VIEW)
    @blp.arguments(InspectionQuerySchema, location="query")
    @blp.response(200, InspectionPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Newest first, keyset-paged: pass ``next_after`` back as ``after``."""
        page = plans.inspections(
            status=query["status"],
            enterprise_id=query["enterprise_id"],
            after=query["after"],
            limit=query["limit"],
        )
        return {"items": page.items, "next_after": page.next_after}

    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(InspectionInSchema)
    @blp.response(201, InspectionSchema)
    @_err(404, "没有该企业、专项行动或要合并的检查")
    @_err(422, "依据规定不能安排（errors.rules 列出理由，errors.rule_ids 列出规则），或字段有误")
    def post(self, data: dict[str, Any]) -> Any:
        """Create after the pre-save checks; the decision is stored with rule ids and policy version."""
        return _commit(plans.create_inspection(request_context(), data))


@blp.route("/inspections/inbox")
class Inbox(MethodView):
    @permission(Perm.INSPECTIONS_APPROVE)
    @blp.response(200, InspectionSchema(many=True))
    def get(self) -> Any:
        """Pending inspections with an open requirement one of the caller's roles meets."""
        return approvals.inbox(request_context())


@blp.route("/inspections/<int:inspection_id>")
class InspectionItem(MethodView):
    @permission(Perm.INSPECTIONS_VIEW)
    @blp.response(200, InspectionSchema)
    @_err(404, "没有该检查（或属于其他租户）")
    def get(self, inspection_id: int) -> Any:
        return plans.get_inspection(inspection_id)


@blp.route("/inspections/<int:inspection_id>/approvals")
class Approvals(MethodView):
    @permission(Perm.INSPECTIONS_VIEW)
    @blp.response(200, ApprovalSchema(many=True))
    @_err(404, "没有该检查")
    def get(self, inspection_id: int) -> Any:
        return approvals.history(plans.get_inspection(inspection_id))


@blp.route("/inspections/<int:inspection_id>/approve")
class Approve(MethodView):
    @permission(Perm.INSPECTIONS_APPROVE)
    @blp.arguments(CommentSchema)
    @blp.response(200, InspectionSchema)
    @_err(403, "不具备所需审批角色")
    @_err(404, "没有该检查")
    @_err(409, "不在待审批状态")
    @_err(422, "依据计划日期重新核验不能批准（规则及理由）")
    def post(self, data: dict[str, Any], inspection_id: int) -> Any:
        insp = plans.get_inspection(inspection_id)
        approvals.approve(request_context(), insp, data["comment"])
        return _commit(insp)


@blp.route("/inspections/<int:inspection_id>/reject")
class Reject(MethodView):
    @permission(Perm.INSPECTIONS_APPROVE)
    @blp.arguments(CommentSchema)
    @blp.response(200, InspectionSchema)
    @_err(403, "不具备所需审批角色")
    @_err(404, "没有该检查")
    @_err(409, "不在待审批状态")
    @_err(422, "须说明驳回理由")
    def post(self, data: dict[str, Any], inspection_id: int) -> Any:
        insp = plans.get_inspection(inspection_id)
        approvals.reject(request_context(), insp, data["comment"])
        return _commit(insp)


@blp.route("/inspections/<int:inspection_id>/start")
class Start(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.response(200, InspectionSchema)
    @_err(404, "没有该检查")
    @_err(409, "未经批准，或今天开始须另经审批（先改期报批）")
    @_err(422, "依据今天的情况不能开始（规则及理由）")
    def post(self, inspection_id: int) -> Any:
        """Starts today: the checks run again for today; today's approvals must all be given."""
        return _commit(conduct.start(request_context(), plans.get_inspection(inspection_id)))


@blp.route("/inspections/<int:inspection_id>/replan")
class Replan(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(ReplanInSchema)
    @blp.response(200, InspectionSchema)
    @_err(404, "没有该检查")
    @_err(409, "已开始、结束或撤销")
    @_err(422, "依据新日期不能安排（规则及理由）")
    def post(self, data: dict[str, Any], inspection_id: int) -> Any:
        """Move to another day: judged again for that day; what it adds needs approval."""
        insp = plans.get_inspection(inspection_id)
        return _commit(
            moments.replan(request_context(), insp, data["planned_date"], data["reason"])
        )


@blp.route("/inspections/<int:inspection_id>/prior-notice")
class PriorNotice(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(PriorNoticeInSchema)
    @blp.response(200, InspectionSchema)
    @_err(404, "没有该检查")
    @_err(409, "检查已开始或结束")
    def post(self, data: dict[str, Any], inspection_id: int) -> Any:
        """XJ-S: record that a listed enterprise was told of a joint visit beforehand."""
        return _commit(
            conduct.note_prior_notice(
                request_context(), plans.get_inspection(inspection_id), data["prior_notice"]
            )
        )


@blp.route("/inspections/<int:inspection_id>/findings")
class Findings(MethodView):
    @permission(Perm.INSPECTIONS_VIEW)
    @blp.response(200, FindingSchema(many=True))
    @_err(404, "没有该检查")
    def get(self, inspection_id: int) -> Any:
        return conduct.findings(plans.get_inspection(inspection_id))

    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(FindingsInSchema)
    @blp.response(200, FindingSchema(many=True))
    @_err(404, "没有该检查")
    @_err(409, "检查未在进行中")
    @_err(422, "不是检查表中的项目")
    def put(self, data: dict[str, Any], inspection_id: int) -> Any:
        insp = plans.get_inspection(inspection_id)
        conduct.save_findings(request_context(), insp, {f["item_key"]: f for f in data["findings"]})
        db.session.commit()
        return conduct.findings(insp)


@blp.route("/inspections/<int:inspection_id>/record")
class Record(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(InspectionRecordInSchema)
    @blp.response(200, InspectionSchema)
    @_err(404, "没有该检查")
    @_err(409, "检查未在进行中")
    def put(self, data: dict[str, Any], inspection_id: int) -> Any:
        """现场检查笔录 fields; the printable record is the page /<tenant>/inspections/<id>/print."""
        return _commit(
            conduct.save_record(request_context(), plans.get_inspection(inspection_id), data)
        )


@blp.route("/inspections/<int:inspection_id>/evidence")
class Evidence(MethodView):
    @permission(Perm.INSPECTIONS_VIEW)
    @blp.response(200, EvidenceSchema(many=True))
    @_err(404, "没有该检查")
    def get(self, inspection_id: int) -> Any:
        return conduct.evidence(plans.get_inspection(inspection_id))

    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(EvidenceFormSchema, location="form")
    @blp.arguments(EvidenceUploadSchema, location="files")
    @blp.response(201, EvidenceSchema)
    @_err(404, "没有该检查")
    @_err(409, "检查开始后才能上传")
    @_err(422, "类型或大小不符（jpg/png/pdf/mp4，20 MB）")
    def post(self, form: dict[str, Any], files: dict[str, Any], inspection_id: int) -> Any:
        """Stored outside the web root; the response carries the SHA-256. With an idempotency
        key (``upload_key`` or the ``Idempotency-Key`` header) a retry of an upload already
        stored answers with that same evidence (same id) and stores nothing."""
        up = files["file"]
        key = form["upload_key"] or request.headers.get("Idempotency-Key") or None
        return _commit(
            conduct.add_evidence(
                request_context(),
                plans.get_inspection(inspection_id),
                up.stream,
                up.filename or "",
                form["kind"],
                form["note"],
                upload_key=key[:100] if key else None,
            )
        )


@blp.route("/inspections/<int:inspection_id>/bodycam")
class Bodycam(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(BodycamInSchema)
    @blp.response(201, EvidenceSchema)
    @_err(404, "没有该检查")
    @_err(409, "检查开始后才能登记")
    def post(self, data: dict[str, Any], inspection_id: int) -> Any:
        return _commit(
            conduct.add_bodycam(
                request_context(),
                plans.get_inspection(inspection_id),
                data["reference"],
                data["note"],
            )
        )


@blp.route("/inspections/<int:inspection_id>/finish")
class Finish(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(FinishInSchema)
    @blp.response(200, InspectionSchema)
    @_err(404, "没有该检查")
    @_err(409, "检查未在进行中")
    @_err(422, "缺少结论、数据来源（非现场）或检查项结果")
    def post(self, data: dict[str, Any], inspection_id: int) -> Any:
        return _commit(
            conduct.finish(
                request_context(),
                plans.get_inspection(inspection_id),
                conclusion=data["conclusion"],
                data_source=data["data_source"],
            )
        )


@blp.route("/inspections/<int:inspection_id>/feedback")
class Feedback(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(FeedbackInSchema)
    @blp.response(200, InspectionSchema)
    @_err(404, "没有该检查")
    @_err(409, "检查尚未完成")
    def post(self, data: dict[str, Any], inspection_id: int) -> Any:
        return _commit(
            feedback.give_feedback(
                request_context(), plans.get_inspection(inspection_id), data["feedback_text"]
            )
        )


@blp.route("/inspection-plans")
class PlanList(MethodView):
    @permission(Perm.INSPECTIONS_VIEW)
    @blp.response(200, PlanSchema(many=True))
    def get(self) -> Any:
        return annual.plans()

    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(PlanInSchema)
    @blp.response(201, PlanSchema)
    @_err(409, "该年度计划已存在")
    @_err(422, "比例、上限或不计上限的事由有误")
    def post(self, data: dict[str, Any]) -> Any:
        """Omitted ratios/caps take the tenant's effective policy values."""
        return _commit(annual.create_plan(request_context(), data))


@blp.route("/inspection-plans/<int:plan_id>/approve")
class PlanApprove(MethodView):
    @permission(Perm.INSPECTIONS_APPROVE)
    @blp.response(200, PlanSchema)
    @_err(404, "没有该计划")
    @_err(409, "已批准")
    @_err(422, "不具备本级审批角色")
    def post(self, plan_id: int) -> Any:
        return _commit(annual.approve_plan(request_context(), annual.get_plan(plan_id)))


@blp.route("/inspection-plans/<int:plan_id>/publish")
class PlanPublish(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.response(200, PlanSchema)
    @_err(404, "没有该计划")
    @_err(409, "须先批准")
    def post(self, plan_id: int) -> Any:
        return _commit(annual.publish_plan(request_context(), annual.get_plan(plan_id)))


@blp.route("/campaigns")
class CampaignList(MethodView):
    @permission(Perm.INSPECTIONS_VIEW)
    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, CampaignSchema(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """Newest first, keyset-paged: ``X-Total-Count`` says how many in all, ``X-Next-After``
        (absent on the last page) goes back as ``after``."""
        page = campaigns.campaigns(after=query["after"], limit=query["limit"])
        return page.items, 200, page_headers(page)

    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(CampaignInSchema)
    @blp.response(201, CampaignSchema)
    @_err(422, "范围为全覆盖、无差别检查，或方案不完整")
    def post(self, data: dict[str, Any]) -> Any:
        return _commit(campaigns.create_campaign(request_context(), data))


def _campaign(campaign_id: int) -> Any:
    from tenant_app.models import Campaign

    return get(Campaign, campaign_id, "该专项行动")


@blp.route("/campaigns/<int:campaign_id>/approve")
class CampaignApprove(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(CampaignApproveSchema)
    @blp.response(200, CampaignSchema)
    @_err(404, "没有该专项行动")
    @_err(409, "已批准")
    @_err(422, "须主要负责人批准或录入政府批准文号")
    def post(self, data: dict[str, Any], campaign_id: int) -> Any:
        return _commit(
            campaigns.approve_campaign(
                request_context(), _campaign(campaign_id), government_ref=data["government_ref"]
            )
        )


@blp.route("/campaigns/<int:campaign_id>/file")
class CampaignFile(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(CampaignFileSchema)
    @blp.response(200, CampaignSchema)
    @_err(404, "没有该专项行动")
    @_err(409, "须先批准")
    @_err(422, "备案信息有误，或范围已成全覆盖、无差别检查")
    def post(self, data: dict[str, Any], campaign_id: int) -> Any:
        """SX-4 备案: with whom, when, reference; the scope is judged again now."""
        return _commit(campaigns.file_campaign(request_context(), _campaign(campaign_id), data))


@blp.route("/campaigns/<int:campaign_id>/publish")
class CampaignPublish(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.response(200, CampaignSchema)
    @_err(404, "没有该专项行动")
    @_err(409, "须先批准并备案")
    def post(self, campaign_id: int) -> Any:
        return _commit(campaigns.publish_campaign(request_context(), _campaign(campaign_id)))


@blp.route("/enterprises/<int:enterprise_id>/inspection-budget")
class EnterpriseBudget(MethodView):
    @permission(Perm.INSPECTIONS_VIEW)
    @blp.arguments(BudgetQuerySchema, location="query")
    @blp.response(200, BudgetSchema)
    @_err(404, "没有该企业")
    def get(self, args: dict[str, Any], enterprise_id: int) -> Any:
        """On-site visits of the year by every level (same credit code) and department (SX-3)."""
        return visits.enterprise_budget(request_context(), enterprise_id, args.get("year"))


@blp.route("/external-visits")
class ExternalVisits(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(ExternalVisitInSchema)
    @blp.response(201, description="{id}")
    @_err(404, "没有该企业")
    @_err(422, "记录不完整")
    def post(self, data: dict[str, Any]) -> Any:
        """Record another department's visit to an enterprise: it counts against its budget."""
        row = visits.record_external(request_context(), data)
        db.session.commit()
        return {"id": row.id}


@blp.route("/draws")
class DrawList(MethodView):
    @permission(Perm.INSPECTIONS_VIEW)
    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, DrawSchema(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """Newest first, keyset-paged: ``X-Total-Count`` says how many in all, ``X-Next-After``
        (absent on the last page) goes back as ``after``."""
        page = draws.draws(after=query["after"], limit=query["limit"])
        return page.items, 200, page_headers(page)

    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(DrawInSchema)
    @blp.response(201, DrawSchema)
    @_err(422, "筛选条件下没有企业，或持证执法人员不足两名")
    def post(self, data: dict[str, Any]) -> Any:
        """Freeze the pool, publish its hash and the officer's commitment (docs/draws.md)."""
        return _commit(draws.commit_draw(request_context(), data))


@blp.route("/draws/<int:draw_id>")
class DrawItem(MethodView):
    @permission(Perm.INSPECTIONS_VIEW)
    @blp.response(200, DrawSchema)
    @_err(404, "没有该抽查")
    def get(self, draw_id: int) -> Any:
        return draws.get_draw(draw_id)


@blp.route("/draws/<int:draw_id>/witness")
class DrawWitness(MethodView):
    @permission(Perm.INSPECTIONS_VIEW)
    @blp.arguments(CommitmentSchema)
    @blp.response(200, DrawSchema)
    @_err(404, "没有该抽查")
    @_err(409, "不在等待见证人承诺的状态")
    def post(self, data: dict[str, Any], draw_id: int) -> Any:
        """A witness (legal reviewer or auditor, not an officer of the pool) commits."""
        return _commit(draws.commit_witness(request_context(), draws.get_draw(draw_id), data))


@blp.route("/draws/<int:draw_id>/reveal")
class DrawReveal(MethodView):
    @permission(Perm.INSPECTIONS_VIEW)
    @blp.arguments(RevealSchema)
    @blp.response(200, DrawSchema)
    @_err(404, "没有该抽查")
    @_err(409, "承诺未齐或已结束")
    @_err(422, "随机数与承诺值不符")
    def post(self, data: dict[str, Any], draw_id: int) -> Any:
        """A party reveals its secret; the last reveal draws and publishes."""
        return _commit(draws.reveal(request_context(), draws.get_draw(draw_id), data["secret"]))


@blp.route("/draws/<int:draw_id>/abandon")
class DrawAbandon(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(AbandonSchema)
    @blp.response(200, DrawSchema)
    @_err(404, "没有该抽查")
    @_err(409, "已抽取")
    def post(self, data: dict[str, Any], draw_id: int) -> Any:
        return _commit(
            draws.abandon_draw(request_context(), draws.get_draw(draw_id), data["reason"])
        )


@blp.route("/draws/<int:draw_id>/execute")
class DrawExecute(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.response(200, DrawSchema)
    @_err(404, "没有该抽查")
    @_err(409, "已执行")
    def post(self, draw_id: int) -> Any:
        """Protocol 1 draws only (committed before two-party draws): draw with the stored seed."""
        return _commit(draws.execute_draw(request_context(), draws.get_draw(draw_id)))


@blp.route("/draws/<int:draw_id>/inspections")
class DrawInspections(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.response(200, description="{created: [id], refused: [{enterprise_id, reasons}]}")
    @_err(404, "没有该抽查")
    @_err(409, "尚未抽取")
    def post(self, draw_id: int) -> Any:
        return _commit(draws.create_inspections(request_context(), draws.get_draw(draw_id)))


@blp.route("/officer-conflicts")
class Conflicts(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(ConflictInSchema)
    @blp.response(201, description="已登记回避关系")
    @_err(404, "没有该企业")
    @_err(409, "已申报")
    def post(self, data: dict[str, Any]) -> Any:
        row = draws.declare_conflict(
            request_context(), data["user_id"], data["enterprise_id"], data["reason"]
        )
        db.session.commit()
        return {"id": row.id}


@blp.route("/self-inspection-reports")
class ReportList(MethodView):
    @permission(Perm.INSPECTIONS_VIEW)
    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, ReportSchema(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """Newest first, keyset-paged: ``X-Total-Count`` says how many in all, ``X-Next-After``
        (absent on the last page) goes back as ``after``."""
        page = reports.reports(after=query["after"], limit=query["limit"])
        return page.items, 200, page_headers(page)


@blp.route("/self-inspection-reports/<int:report_id>/review")
class ReportReview(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(ReportReviewSchema)
    @blp.response(200, ReportSchema)
    @_err(404, "没有该报告")
    @_err(409, "已审核")
    @_err(422, "未指明线索或退回未说明理由")
    def post(self, data: dict[str, Any], report_id: int) -> Any:
        """XJ-S 审核: visit_needed unlocks one on-site visit for the lead the report answers;
        resolved closes the lead; returned asks for more."""
        return _commit(
            reports.review(
                request_context(),
                reports.get_report(report_id),
                data["outcome"],
                data["comment"],
                data.get("anomaly_record_id"),
            )
        )


@blp.route("/inspection-requests")
class RequestList(MethodView):
    @permission(Perm.INSPECTIONS_VIEW)
    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, RequestSchema(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """Newest first, keyset-paged: ``X-Total-Count`` says how many in all, ``X-Next-After``
        (absent on the last page) goes back as ``after``."""
        page = requests.open_requests(after=query["after"], limit=query["limit"])
        return page.items, 200, page_headers(page)


@blp.route("/inspection-requests/<int:request_id>/accept")
class RequestAccept(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(RequestAcceptSchema)
    @blp.response(201, InspectionSchema)
    @_err(404, "没有该申请")
    @_err(409, "已处理")
    @_err(422, "依据规定不能安排或字段有误")
    def post(self, data: dict[str, Any], request_id: int) -> Any:
        return _commit(requests.accept(request_context(), requests.get_request(request_id), data))


@blp.route("/inspection-requests/<int:request_id>/decline")
class RequestDecline(MethodView):
    @permission(Perm.INSPECTIONS_EDIT)
    @blp.arguments(RequestDeclineSchema)
    @blp.response(200, RequestSchema)
    @_err(404, "没有该申请")
    @_err(409, "已处理")
    def post(self, data: dict[str, Any], request_id: int) -> Any:
        return _commit(
            requests.decline(request_context(), requests.get_request(request_id), data["answer"])
        )


@blp.route("/my-enterprise/inspections")
class MyInspections(MethodView):
    @permission(Perm.OWN_INSPECTIONS)
    @blp.response(200, EnterpriseInspectionSchema(many=True))
    @_err(404, "账号尚未关联企业")
    def get(self) -> Any:
        """The enterprise user's own enterprise's inspections with their feedback."""
        return requests.my_inspections(request_context())


@blp.route("/my-enterprise/inspection-budget")
class MyBudget(MethodView):
    @permission(Perm.OWN_INSPECTIONS)
    @blp.arguments(BudgetQuerySchema, location="query")
    @blp.response(200, BudgetSchema)
    @_err(404, "账号尚未关联企业")
    def get(self, args: dict[str, Any]) -> Any:
        """The enterprise's on-site visits of the year, every level and department, against
        its cap (SX-3)."""
        return visits.my_budget(request_context(), args.get("year"))


@blp.route("/my-enterprise/inspections/<int:inspection_id>")
class MyInspection(MethodView):
    @permission(Perm.OWN_INSPECTIONS)
    @blp.response(200, EnterpriseInspectionSchema)
    @_err(404, "没有该检查（或不属于本企业）")
    def get(self, inspection_id: int) -> Any:
        """Reading it marks the feedback read."""
        return _commit(requests.my_inspection(request_context(), inspection_id))


@blp.route("/my-enterprise/self-inspection-reports")
class MyReports(MethodView):
    @permission(Perm.OWN_INSPECTIONS)
    @blp.arguments(ReportInSchema)
    @blp.response(201, ReportSchema)
    @_err(404, "账号尚未关联企业")
    @_err(422, "自查情况过短")
    def post(self, data: dict[str, Any]) -> Any:
        """Text report (the page also takes a PDF/image attachment)."""
        return _commit(
            reports.submit(
                request_context(), data["summary"], anomaly_record_id=data.get("anomaly_record_id")
            )
        )


@blp.route("/my-enterprise/inspection-requests")
class MyRequests(MethodView):
    @permission(Perm.OWN_INSPECTIONS)
    @blp.response(200, RequestSchema(many=True))
    @_err(404, "账号尚未关联企业")
    def get(self) -> Any:
        return requests.my_requests(request_context())

    @permission(Perm.OWN_INSPECTIONS)
    @blp.arguments(RequestInSchema)
    @blp.response(201, RequestSchema)
    @_err(404, "账号尚未关联企业")
    @_err(422, "申请事项过短")
    def post(self, data: dict[str, Any]) -> Any:
        return _commit(
            requests.submit(request_context(), data["reason"], data.get("preferred_date"))
        )

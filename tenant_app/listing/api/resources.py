"""The positive-list API (issue 5): every XJ-P step, over the same services as the pages."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.api.schemas import ErrorSchema, ListQuerySchema, page_headers
from tenant_app.auth.api import bind_api_tenant
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.extensions import db
from tenant_app.listing.api.schemas import (
    ApplyIn,
    BatchIn,
    BatchOut,
    DecisionOut,
    EntryOut,
    FilingOut,
    LedgerOut,
    NominateIn,
    ObjectionOut,
    ResultPage,
    ResultQuery,
    RunIn,
    RunOut,
    StepIn,
)
from tenant_app.listing.services import (
    batches,
    entries,
    filings,
    ledger,
    listed,
    objections,
    removal,
    screening,
)
from tenant_app.registry.services import enterprises as enterprise_service
from tenant_app.registry.services.enterprise_accounts import my_enterprise
from tenant_app.tenancy.acting import request_context

blp = Blueprint(
    "api_listing",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/listing",
    description="正面清单：筛选、申请与推荐、编制程序、公示异议、发布、备案、帮扶、移出、台账",
)
blp.url_value_preprocessor(bind_api_tenant)


def _err(status: int, text: str) -> Any:
    return blp.alt_response(status, schema=ErrorSchema, description=text)


@blp.route("/screening-runs")
class Runs(MethodView):
    @permission(Perm.LISTING_VIEW)
    @blp.response(200, RunOut(many=True))
    def get(self) -> Any:
        return screening.runs(request_context())

    @permission(Perm.LISTING_SCREEN)
    @blp.arguments(RunIn)
    @blp.response(202, RunOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Screen every enterprise of the tenant (a job; poll the run or the job for progress)."""
        ctx = request_context()
        run = screening.start_run(ctx, data.get("on"))
        db.session.commit()
        return screening.get_run(ctx, run.id)


@blp.route("/screening-runs/<int:run_id>/results")
class RunResults(MethodView):
    @permission(Perm.LISTING_VIEW)
    @blp.arguments(ResultQuery, location="query")
    @blp.response(200, ResultPage)
    @_err(404, "没有该筛选批次")
    def get(self, query: dict[str, Any], run_id: int) -> Any:
        ctx = request_context()
        page = screening.results(
            ctx,
            screening.get_run(ctx, run_id),
            verdict=query["verdict"],
            failed=query["failed"],
            q=query["q"],
            after=query["after"],
            limit=query["limit"],
        )
        return {"items": page.items, "next_after": page.next_after}


@blp.route("/enterprises/<int:enterprise_id>/screening")
class OneScreening(MethodView):
    @permission(Perm.LISTING_VIEW)
    @blp.response(200, DecisionOut)
    @_err(404, "没有该企业")
    def get(self, enterprise_id: int) -> Any:
        """The full Decision: verdict, each condition with its deciding records and rule id,
        direct routes, exclusions, bans, policy version (the same as the screening page)."""
        return screening.decision(
            request_context(), enterprise_service.get_enterprise(enterprise_id)
        )


@blp.route("/enterprises/<int:enterprise_id>/ledger")
class Ledger(MethodView):
    @permission(Perm.LISTING_VIEW)
    @blp.response(200, LedgerOut(many=True))
    @_err(404, "没有该企业")
    def get(self, enterprise_id: int) -> Any:
        return ledger.entries_of(
            request_context(), enterprise_service.get_enterprise(enterprise_id)
        )


@blp.route("/entries")
class Entries(MethodView):
    @permission(Perm.LISTING_VIEW)
    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, EntryOut(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """Newest first, keyset-paged: ``X-Total-Count`` says how many in all, ``X-Next-After``
        (absent on the last page) goes back as ``after``."""
        page = entries.entries_page(request_context(), after=query["after"], limit=query["limit"])
        return page.items, 200, page_headers(page)

    @permission(Perm.LISTING_MANAGE)
    @blp.arguments(NominateIn)
    @blp.response(201, EntryOut)
    @_err(409, "已有进行中的事项，或不得纳入（所属行业排除或禁止再次纳入），附原因")
    def post(self, data: dict[str, Any]) -> Any:
        """A bureau's nomination (部门推荐)."""
        e = enterprise_service.get_enterprise(data["enterprise_id"])
        entry = entries.create(request_context(), e, origin="nomination")
        db.session.commit()
        return entry


@blp.route("/entries/<int:entry_id>")
class EntryItem(MethodView):
    @permission(Perm.LISTING_VIEW)
    @blp.response(200, EntryOut)
    @_err(404, "没有该事项")
    def get(self, entry_id: int) -> Any:
        return entries.get_entry(request_context(), entry_id)


STEPS = {
    "site-verification": entries.site_verification,
    "opinions": entries.add_opinion,
    "removal": removal.start,
    "visits": listed.add_visit,
}


@blp.route("/entries/<int:entry_id>/<any('site-verification','opinions','removal','visits'):step>")
class EntryStep(MethodView):
    @permission(Perm.LISTING_MANAGE)
    @blp.arguments(StepIn)
    @blp.response(200, EntryOut)
    @_err(404, "没有该事项")
    @_err(409, "步骤顺序不符（附当前状态）")
    def post(self, data: dict[str, Any], entry_id: int, step: str) -> Any:
        """现场核查 (on_date, officers, record, passed) · 征求意见 (party_type, party, on_date,
        opinion, agrees) · 移出 (reason, discovered_on, note) · 体检式帮扶 (visit_date, officers,
        findings, advice)."""
        ctx = request_context()
        entry = entries.get_entry(ctx, entry_id)
        STEPS[step](ctx, entry, data)
        db.session.commit()
        return entry


@blp.route("/entries/<int:entry_id>/renewal")
class Renewal(MethodView):
    @permission(Perm.LISTING_MANAGE)
    @blp.response(201, EntryOut)
    @_err(409, "不在续展期内")
    def post(self, entry_id: int) -> Any:
        ctx = request_context()
        new = listed.renew(ctx, entries.get_entry(ctx, entry_id))
        db.session.commit()
        return new


@blp.route("/my-applications")
class MyApplications(MethodView):
    @permission(Perm.LISTING_APPLY)
    @blp.response(200, EntryOut(many=True))
    def get(self) -> Any:
        """The enterprise user's own entries only."""
        return entries.entries(request_context(), enterprise_id=my_enterprise(request_context()).id)

    @permission(Perm.LISTING_APPLY)
    @blp.arguments(ApplyIn)
    @blp.response(201, EntryOut)
    @_err(409, "重复申请或不得纳入，附原因")
    def post(self, data: dict[str, Any]) -> Any:
        """Apply online with a self-check per condition (attachments: the web form)."""
        entry = entries.create(
            request_context(),
            my_enterprise(request_context()),
            origin="application",
            self_check=data["self_check"],
        )
        db.session.commit()
        return entry


@blp.route("/my-applications/<int:entry_id>/commitment")
class Commitment(MethodView):
    @permission(Perm.LISTING_APPLY)
    @blp.arguments(StepIn)
    @blp.response(200, EntryOut)
    @_err(404, "没有该事项")
    @_err(409, "步骤顺序不符，或不再符合纳入条件（事项终止，附原因）")
    def post(self, data: dict[str, Any], entry_id: int) -> Any:
        """Sign the compliance commitment (text from the pack) as the enterprise; ``on_date``
        (default today) is the date the enterprise puts on it."""
        ctx = request_context()
        entry = entries.sign_commitment(
            ctx, entries.get_entry(ctx, entry_id), my_enterprise(request_context()), data
        )
        db.session.commit()
        return entry


@blp.route("/batches")
class Batches(MethodView):
    @permission(Perm.LISTING_VIEW)
    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, BatchOut(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """Newest first, keyset-paged: ``X-Total-Count`` says how many in all, ``X-Next-After``
        (absent on the last page) goes back as ``after``."""
        page = batches.batches(request_context(), after=query["after"], limit=query["limit"])
        return page.items, 200, page_headers(page)

    @permission(Perm.LISTING_MANAGE)
    @blp.arguments(BatchIn)
    @blp.response(201, BatchOut)
    @_err(409, "事项不可编入")
    def post(self, data: dict[str, Any]) -> Any:
        b = batches.create(request_context(), data)
        db.session.commit()
        return b


BATCH_STEPS = {
    "notice": batches.start_notice,
    "publication": batches.publish,
    "filing": batches.file_with_parent,
}


@blp.route("/batches/<int:batch_id>/<any('notice','publication','filing'):step>")
class BatchStep(MethodView):
    @permission(Perm.LISTING_MANAGE)
    @blp.arguments(StepIn)
    @blp.response(200, BatchOut)
    @_err(404, "没有该批次")
    @_err(409, "步骤顺序不符、公示未满或有未处理异议")
    def post(self, data: dict[str, Any], batch_id: int, step: str) -> Any:
        """公示 (notice_start, notice_end) · 正式发布 (on_date) · 报备案 (on_date)."""
        ctx = request_context()
        b = batches.get_batch(ctx, batch_id)
        BATCH_STEPS[step](ctx, b, data)
        db.session.commit()
        return b


@blp.route("/batches/<int:batch_id>/objections")
class BatchObjections(MethodView):
    @permission(Perm.LISTING_VIEW)
    @blp.response(200, ObjectionOut(many=True))
    @_err(404, "没有该批次")
    def get(self, batch_id: int) -> Any:
        """Filing an objection is the public notice page (no login, rate-limited)."""
        ctx = request_context()
        return objections.objections(ctx, batches.get_batch(ctx, batch_id))


@blp.route("/objections/<int:objection_id>/decision")
class ObjectionDecision(MethodView):
    @permission(Perm.LISTING_MANAGE)
    @blp.arguments(StepIn)
    @blp.response(200, ObjectionOut)
    @_err(404, "没有该异议")
    @_err(409, "已处理")
    def post(self, data: dict[str, Any], objection_id: int) -> Any:
        """outcome = uphold (entry_id; the entry leaves the batch) | dismiss; reason required."""
        ctx = request_context()
        o = objections.decide(ctx, objections.get_objection(ctx, objection_id), data)
        db.session.commit()
        return o


@blp.route("/filings")
class FilingInbox(MethodView):
    @permission(Perm.FILINGS_RECEIVE)
    @blp.response(200, FilingOut(many=True))
    def get(self) -> Any:
        """Filings addressed to this tenant by its descendants."""
        return filings.inbox(request_context())


@blp.route("/filings/<int:filing_id>/acknowledgement")
class FilingAck(MethodView):
    @permission(Perm.FILINGS_RECEIVE)
    @blp.arguments(StepIn)
    @blp.response(200, FilingOut)
    @_err(404, "没有该备案")
    @_err(409, "已签收")
    def post(self, data: dict[str, Any], filing_id: int) -> Any:
        ctx = request_context()
        f = filings.acknowledge(ctx, filings.get_filing(ctx, filing_id), data)
        db.session.commit()
        return f

"""The enterprise registry API: search, enterprises, records, ratings, account review, and the
enterprise user's own enterprise. Same services and errors as the pages."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import jsonify, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.api.fast_dump import dump_many
from tenant_app.api.schemas import ErrorSchema, JobSchema
from tenant_app.auth.api import bind_api_tenant
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.extensions import db
from tenant_app.imports.downloads import XLSX_MIME, export_job, send_export
from tenant_app.models import ComplianceRecord, Enterprise, EnterpriseAccount, EnterpriseRating
from tenant_app.registry.api.schemas import (
    AccountPageSchema,
    AccountQuerySchema,
    AccountSchema,
    EnterpriseInSchema,
    EnterprisePageSchema,
    EnterprisePatchSchema,
    EnterpriseQuerySchema,
    EnterpriseSchema,
    RatingInSchema,
    RatingSchema,
    RecordInSchema,
    RecordPatchSchema,
    RecordQuerySchema,
    RecordSchema,
    RejectSchema,
)
from tenant_app.registry.services import enterprise_accounts as accounts
from tenant_app.registry.services import enterprise_search, records
from tenant_app.registry.services import enterprises as service
from tenant_app.tenancy.acting import request_context

blp = Blueprint(
    "api_enterprises",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>",
    description="企业名录、合规记录、企业账号审核",
)
blp.url_value_preprocessor(bind_api_tenant)


def _err(status: int, text: str) -> Any:
    return blp.alt_response(status, schema=ErrorSchema, description=text)


def _found_first(view: Any) -> Any:
    """Look the URL's enterprise (and record/account) up before the body is parsed, so that a
    missing or foreign object is a 404 whatever the body holds (never a 422 about it)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if "enterprise_id" in kwargs:
            e = service.get_enterprise(kwargs["enterprise_id"])
            if "record_id" in kwargs:
                records.get_record(e, kwargs["record_id"])
        if "account_id" in kwargs:
            accounts.get_account(kwargs["account_id"])
        return view(*args, **kwargs)

    return wrapper


@blp.route("/enterprises")
class EnterpriseList(MethodView):
    @permission(Perm.ENTERPRISES_VIEW)
    @blp.arguments(EnterpriseQuerySchema, location="query")
    @blp.response(200, EnterprisePageSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """Search (name substring, credit-code prefix, industry prefix, category, county, permit
        expiry window), keyset-paged: pass ``next_after`` back as ``after``."""
        flt = enterprise_search.parse_filters(query)
        page = enterprise_search.search_rows(flt, query["after"], query["limit"])
        # the schema's output, compiled (api/fast_dump.py): half the request's time otherwise
        return jsonify(items=dump_many(EnterpriseSchema, page.items), next_after=page.next_after)

    @permission(Perm.ENTERPRISES_EDIT)
    @blp.arguments(EnterpriseInSchema)
    @blp.response(201, EnterpriseSchema)
    @_err(409, "本租户已有相同统一社会信用代码的企业")
    def post(self, data: dict[str, Any]) -> Enterprise:
        e = service.create_enterprise(request_context(), data)
        db.session.commit()
        return e


@blp.route("/enterprises/<int:enterprise_id>")
class EnterpriseItem(MethodView):
    @permission(Perm.ENTERPRISES_VIEW)
    @blp.response(200, EnterpriseSchema)
    @_err(404, "没有该企业（或属于其他租户）")
    def get(self, enterprise_id: int) -> Enterprise:
        return service.get_enterprise(enterprise_id)

    @permission(Perm.ENTERPRISES_EDIT)
    @_found_first
    @blp.arguments(EnterprisePatchSchema(partial=True))
    @blp.response(200, EnterpriseSchema)
    @_err(404, "没有该企业（或属于其他租户）")
    @_err(409, "本租户已有相同统一社会信用代码的企业")
    def patch(self, data: dict[str, Any], enterprise_id: int) -> Enterprise:
        """Change any subset of fields; the whole resulting row is validated again."""
        e = service.update_enterprise(
            request_context(), service.get_enterprise(enterprise_id), data
        )
        db.session.commit()
        return e


@blp.route("/enterprises/<int:enterprise_id>/records")
class RecordList(MethodView):
    @permission(Perm.ENTERPRISES_VIEW)
    @_found_first
    @blp.arguments(RecordQuerySchema, location="query")
    @blp.response(200, RecordSchema(many=True))
    @_err(404, "没有该企业（或属于其他租户）")
    def get(self, query: dict[str, Any], enterprise_id: int) -> list[ComplianceRecord]:
        """Newest first."""
        e = service.get_enterprise(enterprise_id)
        return records.records_of(e, [query["kind"]] if query.get("kind") else None)

    @permission(Perm.RECORDS_EDIT)
    @_found_first
    @blp.arguments(RecordInSchema)
    @blp.response(201, RecordSchema)
    @_err(404, "没有该企业（或属于其他租户）")
    def post(self, data: dict[str, Any], enterprise_id: int) -> ComplianceRecord:
        """Fields another kind uses are ignored (see docs/registry.md for each kind's fields)."""
        e = service.get_enterprise(enterprise_id)
        kind = data.pop("kind")
        rec = records.add_record(request_context(), e, kind, data)
        db.session.commit()
        return rec


@blp.route("/enterprises/<int:enterprise_id>/records/<int:record_id>")
class RecordItem(MethodView):
    @permission(Perm.RECORDS_EDIT)
    @_found_first
    @blp.arguments(RecordPatchSchema(partial=True))
    @blp.response(200, RecordSchema)
    @_err(404, "没有该企业或记录")
    def patch(self, data: dict[str, Any], enterprise_id: int, record_id: int) -> ComplianceRecord:
        """E.g. a rectification's outcome and closing date, or a credit listing's exit date."""
        e = service.get_enterprise(enterprise_id)
        rec = records.update_record(request_context(), records.get_record(e, record_id), data)
        db.session.commit()
        return rec


@blp.route("/enterprises/<int:enterprise_id>/ratings")
class RatingList(MethodView):
    @permission(Perm.ENTERPRISES_VIEW)
    @blp.response(200, RatingSchema(many=True))
    @_err(404, "没有该企业（或属于其他租户）")
    def get(self, enterprise_id: int) -> list[EnterpriseRating]:
        return service.ratings(service.get_enterprise(enterprise_id))

    @permission(Perm.RECORDS_EDIT)
    @_found_first
    @blp.arguments(RatingInSchema)
    @blp.response(200, RatingSchema)
    @_err(404, "没有该企业（或属于其他租户）")
    def put(self, data: dict[str, Any], enterprise_id: int) -> EnterpriseRating:
        """One rating per kind and year: a second one for the same year replaces it."""
        rating = service.set_rating(request_context(), service.get_enterprise(enterprise_id), data)
        db.session.commit()
        return rating


@blp.route("/enterprise-accounts")
class AccountList(MethodView):
    @permission(Perm.ENTERPRISE_ACCOUNTS_VERIFY)
    @blp.arguments(AccountQuerySchema, location="query")
    @blp.response(200, AccountPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Registrations by status (pending first). Registration itself is the public page
        /<tenant>/enterprise/register (CSRF-protected and rate-limited)."""
        page = accounts.accounts(request_context(), query["status"], query["after"], query["limit"])
        return {"items": page.items, "next_after": page.next_after}


@blp.route("/enterprise-accounts/<int:account_id>/verify")
class AccountVerify(MethodView):
    @permission(Perm.ENTERPRISE_ACCOUNTS_VERIFY)
    @blp.response(200, AccountSchema)
    @_err(404, "没有该注册申请")
    @_err(409, "该申请已处理")
    def post(self, account_id: int) -> EnterpriseAccount:
        """Link to the enterprise with the applicant's credit code and grant the enterprise role."""
        acc = accounts.verify(request_context(), accounts.get_account(account_id))
        db.session.commit()
        return acc


@blp.route("/enterprise-accounts/<int:account_id>/reject")
class AccountReject(MethodView):
    @permission(Perm.ENTERPRISE_ACCOUNTS_VERIFY)
    @_found_first
    @blp.arguments(RejectSchema)
    @blp.response(200, AccountSchema)
    @_err(404, "没有该注册申请")
    @_err(409, "该申请已处理")
    def post(self, data: dict[str, Any], account_id: int) -> EnterpriseAccount:
        acc = accounts.reject(request_context(), accounts.get_account(account_id), data["reason"])
        db.session.commit()
        return acc


@blp.route("/my-enterprise")
class MyEnterprise(MethodView):
    @permission(Perm.OWN_ENTERPRISE_VIEW)
    @blp.response(200, EnterpriseSchema)
    @_err(404, "账号尚未关联企业")
    def get(self) -> Enterprise:
        """The enterprise user's own enterprise, from their verified account (no id to pass)."""
        return accounts.my_enterprise(request_context())


@blp.route("/my-enterprise/records")
class MyRecords(MethodView):
    @permission(Perm.OWN_ENTERPRISE_VIEW)
    @blp.response(200, RecordSchema(many=True))
    @_err(404, "账号尚未关联企业")
    def get(self) -> list[ComplianceRecord]:
        return records.records_of(accounts.my_enterprise(request_context()))


@blp.route("/enterprises/export")
class EnterpriseExport(MethodView):
    @permission(Perm.ENTERPRISES_VIEW)
    @blp.arguments(EnterpriseQuerySchema, location="query")
    @blp.doc(
        responses={
            "200": {
                "description": "按查询条件导出的企业名录（XLSX）",
                "content": {XLSX_MIME: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    )
    @blp.alt_response(
        202,
        schema=JobSchema,
        description="超过 EXPORT_INLINE_MAX_ROWS 家：在后台生成，返回任务；完成后任务的"
        " download_url 即文件（仅发起人可下载）",
    )
    @_err(422, "查询条件有误")
    @_err(429, "本单位同时进行的导出已达上限")
    def get(self, query: dict[str, Any]) -> Any:
        """Same filters as the enterprise search (after/limit are ignored: every match). A
        large set answers 202 with the export job (Location: the job); the same request again
        while it runs answers the same job."""
        flt = enterprise_search.parse_filters(query)
        job = export_job(flt)
        if job is None:
            return send_export(flt)
        location = url_for("api_jobs.JobItem", job_id=job.id)
        return JobSchema().dump(job), 202, {"Location": location}

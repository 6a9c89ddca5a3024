"""A tenant's policy and the working-day calendar, over the same services as the pages."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tenant_app.auth.api import bind_api_tenant
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.calendar import years as calendar_service
from tenant_app.core.errors import ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import CalendarYear, PolicyVersion
from tenant_app.policy import service as policy_service
from tenant_app.tenancy.acting import request_context

blp = Blueprint(
    "api_policy",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/policy",
    description="租户政策（政策包、继承与覆盖、版本）",
)
blp.url_value_preprocessor(bind_api_tenant)
cal = Blueprint(
    "api_calendar",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/calendar",
    description="工作日日历与法定期间",
)
cal.url_value_preprocessor(bind_api_tenant)


class OnQuery(Schema):
    on = fields.Date(load_default=None, metadata={"description": "默认今天（Asia/Shanghai）"})


class EffectivePolicySchema(Schema):
    tenant = fields.String()
    on = fields.Date()
    pack = fields.String()
    policy_version = fields.String()
    effective = fields.Dict()
    sources = fields.Dict(keys=fields.String(), values=fields.String())


class VersionSchema(Schema):
    id = fields.Integer(dump_only=True)
    number = fields.Integer(dump_only=True)
    effective_from = fields.Date(required=True)
    pack = fields.String(allow_none=True, validate=validate.Length(max=64))
    overrides = fields.Dict(load_default=dict)
    diff = fields.List(fields.Dict(), dump_only=True)
    comment = fields.String(load_default="", validate=validate.Length(max=255))
    created_at = fields.DateTime(dump_only=True)


class AnswerQuery(Schema):
    op = fields.String(
        required=True, validate=validate.OneOf(["add-workdays", "add-months", "is-workday"])
    )
    date = fields.Date(required=True)
    n = fields.Integer(load_default=0, validate=validate.Range(min=-3650, max=3650))


class AnswerSchema(Schema):
    value = fields.Raw(metadata={"description": "ISO 日期或 true/false"})
    provisional = fields.Boolean(metadata={"description": "该年度无放假数据，仅按周末计算"})


class YearSchema(Schema):
    year = fields.Integer(dump_only=True)
    source = fields.String()
    entered_at = fields.DateTime(dump_only=True)


class YearInput(Schema):
    arrangement = fields.String(
        required=True,
        validate=validate.Length(min=1, max=20000),
        metadata={"description": "每行：日期 休|班 [名称]"},
    )
    source = fields.String(load_default="", validate=validate.Length(max=255))


@blp.route("")
class EffectivePolicy(MethodView):
    @permission(Perm.POLICY_VIEW)
    @blp.arguments(OnQuery, location="query")
    @blp.response(200, EffectivePolicySchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        eff = policy_service.effective_policy(g.tenant, query["on"])
        return {
            "tenant": g.tenant.slug,
            "on": eff.on,
            "pack": eff.pack_name,
            "policy_version": eff.version_label,
            "effective": policy_service._plain(eff.effective),
            "sources": eff.sources,
        }


@blp.route("/versions")
class Versions(MethodView):
    @permission(Perm.POLICY_VIEW)
    @blp.response(200, VersionSchema(many=True))
    def get(self) -> list[PolicyVersion]:
        return policy_service.history(g.tenant)

    @permission(Perm.POLICY_EDIT)
    @blp.arguments(VersionSchema)
    @blp.response(201, VersionSchema)
    def post(self, data: dict[str, Any]) -> PolicyVersion:
        kwargs: dict[str, Any] = {}
        if "pack" in data:
            kwargs["pack"] = data["pack"]
        version = policy_service.save_version(
            request_context(),
            overrides=data["overrides"],
            effective_from=data["effective_from"],
            comment=data["comment"],
            **kwargs,
        )
        db.session.commit()
        return version


@cal.route("/answer")
class Answer(MethodView):
    @permission(Perm.POLICY_VIEW)
    @cal.arguments(AnswerQuery, location="query")
    @cal.response(200, AnswerSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        try:
            result = calendar_service.answer(query["op"], query["date"], query["n"])
        except (ValueError, OverflowError):  # the result falls outside years 1–9999
            raise ValidationFailed.field("n", "计算结果超出可表示的日期范围") from None
        value = result.value if isinstance(result.value, bool) else result.value.isoformat()
        return {"value": value, "provisional": result.provisional}


@cal.route("/years")
class Years(MethodView):
    @permission(Perm.POLICY_VIEW)
    @cal.response(200, YearSchema(many=True))
    def get(self) -> list[CalendarYear]:
        return calendar_service.entered_years()


@cal.route("/years/<int:year>")
class YearItem(MethodView):
    @permission(Perm.CALENDAR_EDIT)
    @cal.arguments(YearInput)
    @cal.response(200, YearSchema)
    def put(self, data: dict[str, Any], year: int) -> CalendarYear:
        row = calendar_service.enter_year(
            request_context(), year, data["arrangement"], data["source"]
        )
        db.session.commit()
        return row

"""A tenant's policy and the working-day calendar, over the same services as the pages."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tenant_app.api.schemas import ErrorSchema
from tenant_app.auth.api import bind_api_tenant
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.calendar import years as calendar_service
from tenant_app.core.errors import ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import CalendarYear, PolicyVersion
from tenant_app.policy import service as policy_service
from tenant_app.policy.service import UNCHANGED
from tenant_app.policy.services import diff as diff_service
from tenant_app.policy.services import filings as filing_service
from tenant_app.policy.services import preview as preview_service
from tenant_app.policy.services import rules as rules_service
from tenant_app.tenancy import filings as child_filings
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


class PolicyFilingSchema(Schema):
    id = fields.Integer()
    tenant_id = fields.Integer(metadata={"description": "报备的下级单位"})
    tenant_name = fields.String()
    version_number = fields.Integer()
    effective_from = fields.Date()
    rule_id = fields.String()
    explanation = fields.String(metadata={"description": "为何须报备（规则与本次修改的项）"})
    changes = fields.List(
        fields.Dict(), metadata={"description": "须报备项的修改：path/before/after"}
    )
    filed_on = fields.Date()
    filed_by_name = fields.String()
    acknowledged_at = fields.DateTime(allow_none=True)
    acknowledged_by_name = fields.String()
    ack_note = fields.String()


class FilingAckSchema(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=500))


class VersionSchema(Schema):
    filed = fields.Nested(
        PolicyFilingSchema,
        dump_only=True,
        allow_none=True,
        metadata={"description": "该版本报上级备案的情况（无须报备时为空）"},
    )
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


_VERSION_FIELDS = (
    "id",
    "number",
    "effective_from",
    "pack",
    "overrides",
    "diff",
    "comment",
    "created_at",
)
_FILING_FIELDS = tuple(k for k in PolicyFilingSchema._declared_fields if k != "tenant_name")


def _filing(f: Any, names: dict[int, str] | None = None) -> dict[str, Any] | None:
    """A filing as the schema dumps it (the response decorator does), with its tenant's name."""
    if f is None:
        return None
    return {
        **{k: getattr(f, k) for k in _FILING_FIELDS},
        "tenant_name": (names or {}).get(f.tenant_id, ""),
    }


@blp.route("/filings")
class Filings(MethodView):
    @permission(Perm.FILINGS_RECEIVE)
    @blp.response(200, PolicyFilingSchema(many=True))
    @blp.alt_response(403, schema=ErrorSchema, description="无权签收下级备案")
    def get(self) -> list[dict[str, Any]]:
        """Policy versions of subordinate tenants filed with this one (SX-12 in Shanxi's pack:
        the minor-violation list and the discretion factors), newest first."""
        rows = filing_service.inbox(request_context())
        names = child_filings.tenant_names({f.tenant_id for f in rows})
        return [_filing(f, names) or {} for f in rows]


@blp.route("/filings/<int:filing_id>/ack")
class FilingAck(MethodView):
    @permission(Perm.FILINGS_RECEIVE)
    @blp.arguments(FilingAckSchema)
    @blp.response(200, PolicyFilingSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="没有该政策备案")
    @blp.alt_response(409, schema=ErrorSchema, description="已签收")
    def post(self, data: dict[str, Any], filing_id: int) -> dict[str, Any]:
        """Acknowledge a subordinate tenant's policy filing (备案签收, not an approval)."""
        ctx = request_context()
        filing = filing_service.acknowledge(
            ctx, filing_service.get_filing(ctx, filing_id), data["note"]
        )
        db.session.commit()
        names = child_filings.tenant_names({filing.tenant_id})
        return _filing(filing, names) or {}


@blp.route("/versions")
class Versions(MethodView):
    @permission(Perm.POLICY_VIEW)
    @blp.response(200, VersionSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        history = policy_service.history(g.tenant)
        filed = filing_service.of_versions(history)
        return [
            {
                **{k: getattr(v, k) for k in _VERSION_FIELDS},
                "filed": _filing(filed.get(v.id), {g.tenant.id: g.tenant.name}),
            }
            for v in history
        ]

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


class RulesQuery(Schema):
    on = fields.Date(load_default=None, metadata={"description": "默认今天（Asia/Shanghai）"})
    q = fields.String(
        load_default="",
        validate=validate.Length(max=100),
        metadata={"description": "规则编号、条文中的词或键名"},
    )


class RuleValueSchema(Schema):
    path = fields.String()
    value = fields.Raw()
    unit = fields.String(metadata={"description": "workdays/days/months/years/yuan/share/…"})
    origin = fields.String(metadata={"description": "national / pack / parent / own"})
    origin_name = fields.String(metadata={"description": "上级单位名称（origin = parent）"})
    overridable = fields.Boolean()
    national_value = fields.Raw(allow_none=True)


class RuleEntrySchema(Schema):
    path = fields.String()
    title = fields.String()
    quote = fields.String(metadata={"description": "国家法律层：条文原句"})
    note = fields.String()
    article = fields.String(metadata={"description": "国家法律层：条款"})
    basis = fields.String()
    values = fields.List(fields.Nested(RuleValueSchema))


class RuleCardSchema(Schema):
    rule_id = fields.String(metadata={"description": "空：该组表格未标规则编号"})
    section = fields.String()
    sentence = fields.String()
    entries = fields.List(fields.Nested(RuleEntrySchema))


class DiffQuery(Schema):
    to = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=diff_service.MAX_VERSION),
        metadata={"description": "默认最新版本"},
    )
    from_ = fields.Integer(
        data_key="from",
        load_default=None,
        validate=validate.Range(min=0, max=diff_service.MAX_VERSION),
        metadata={"description": "默认 to 的上一版；0 为第一版之前"},
    )


class ChangeSchema(Schema):
    path = fields.String()
    change = fields.String(metadata={"description": "added / changed / removed"})
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    rule_id = fields.String()
    title = fields.String()


class DiffSchema(Schema):
    from_ = fields.Integer(data_key="from")
    to = fields.Integer()
    pack_before = fields.String(allow_none=True)
    pack_after = fields.String(allow_none=True)
    changes = fields.List(fields.Nested(ChangeSchema))


class PreviewInput(Schema):
    effective_from = fields.Date(required=True)
    overrides = fields.Dict(load_default=dict, metadata={"description": "本级全部覆盖项"})
    pack = fields.String(validate=validate.Length(max=64))


class JudgmentSchema(Schema):
    allowed = fields.Boolean()
    in_quiet = fields.Boolean()
    requirements = fields.List(fields.Dict())
    refusals = fields.List(fields.String())


class VerdictChangeSchema(Schema):
    enterprise_id = fields.Integer()
    name = fields.String()
    uscc = fields.String()
    before = fields.String()
    after = fields.String()
    rule_before = fields.String()
    rule_after = fields.String()


class InspectionChangeSchema(Schema):
    inspection_id = fields.Integer()
    enterprise_name = fields.String()
    planned_date = fields.Date()
    mode = fields.String()
    trigger = fields.String()
    status = fields.String()
    route_changed = fields.Boolean()
    enters_quiet = fields.Boolean()
    leaves_quiet = fields.Boolean()
    before = fields.Nested(JudgmentSchema)
    after = fields.Nested(JudgmentSchema)


class PreviewEnterprisesSchema(Schema):
    screened = fields.Integer()
    changed = fields.Integer()
    items = fields.List(fields.Nested(VerdictChangeSchema))


class PreviewInspectionsSchema(Schema):
    planned = fields.Integer()
    examined = fields.Integer()
    changed = fields.Integer()
    items = fields.List(fields.Nested(InspectionChangeSchema))


class PreviewSchema(Schema):
    effective_from = fields.Date()
    policy_version_before = fields.String()
    policy_version_after = fields.String()
    changes = fields.List(fields.Nested(ChangeSchema))
    enterprises = fields.Nested(PreviewEnterprisesSchema)
    inspections = fields.Nested(PreviewInspectionsSchema)
    limit = fields.Integer(metadata={"description": "每类最多列出的条数"})
    saved = fields.Boolean(metadata={"description": "总是 false：预览不保存"})


@blp.route("/rules")
class Rules(MethodView):
    @permission(Perm.POLICY_VIEW)
    @blp.arguments(RulesQuery, location="query")
    @blp.response(200, RuleCardSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """生效政策按规则编号分组：每条规则的原文、每个值及其来源（与政策配置页相同）。"""
        eff = policy_service.effective_policy(g.tenant, query["on"])
        cards = rules_service.matching(rules_service.rule_cards(eff), query["q"])
        return [
            {
                "rule_id": c.rule_id,
                "section": c.section,
                "sentence": c.sentence,
                "entries": policy_service._plain([asdict(e) for e in c.entries]),
            }
            for c in cards
        ]


@blp.route("/diff")
class Diff(MethodView):
    @permission(Perm.POLICY_VIEW)
    @blp.arguments(DiffQuery, location="query")
    @blp.response(200, DiffSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """两个版本之间本级覆盖项的新增、修改与删除（默认最新版本与其上一版）。"""
        d = diff_service.version_diff(request_context(), query["to"], query["from_"])
        return {
            "from_": d.older_number,
            "to": d.newer.number,
            "pack_before": d.pack_before,
            "pack_after": d.pack_after,
            "changes": policy_service._plain([asdict(c) for c in d.changes]),
        }


@blp.route("/preview")
class Preview(MethodView):
    @permission(Perm.POLICY_EDIT)
    @blp.arguments(PreviewInput)
    @blp.response(200, PreviewSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """保存前预览：拟议的本级覆盖项对现有数据的影响（筛选结论改变的企业、审批路径或安静期
        改变的已计划检查），与保存时相同的校验；不保存任何内容。"""
        result = preview_service.preview(
            request_context(),
            overrides=data["overrides"],
            effective_from=data["effective_from"],
            pack=data.get("pack", UNCHANGED),
        )
        db.session.rollback()
        return {
            "effective_from": result.effective_from,
            "policy_version_before": result.version_before,
            "policy_version_after": result.version_after,
            "changes": policy_service._plain([asdict(c) for c in result.changes]),
            "enterprises": {
                "screened": result.enterprises_screened,
                "changed": result.verdicts_total,
                "items": [asdict(v) for v in result.verdicts],
            },
            "inspections": {
                "planned": result.inspections_planned,
                "examined": result.inspections_examined,
                "changed": result.inspections_total,
                "items": [
                    {
                        **asdict(i),
                        "route_changed": i.route_changed,
                        "enters_quiet": i.enters_quiet,
                        "leaves_quiet": i.leaves_quiet,
                    }
                    for i in result.inspections
                ],
            },
            "limit": result.limit,
            "saved": False,
        }


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

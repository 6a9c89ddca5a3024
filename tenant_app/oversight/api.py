"""The oversight statistics over the JSON API (issue 17 item 2): each chart's figures and the rows
behind one figure, for the same roles and with the same filters as the page (one service)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from tenant_app.api.schemas import ErrorSchema
from tenant_app.auth.api import bind_api_tenant
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.oversight.services import stats
from tenant_app.tenancy.acting import request_context

blp = Blueprint(
    "api_oversight",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/oversight",
    description="层级监督统计：本地区及下级地区的图表数据与明细（稽查人员）",
)
blp.url_value_preprocessor(bind_api_tenant)


class OversightFilterSchema(Schema):
    start = fields.String(load_default=None, metadata={"description": "开始日期 YYYY-MM-DD"})
    end = fields.String(load_default=None, metadata={"description": "结束日期 YYYY-MM-DD"})
    region = fields.String(load_default=None, metadata={"description": "地区（本单位或下级）编号"})
    category = fields.String(load_default=None, metadata={"description": "监管类别"})
    industry = fields.String(load_default=None, metadata={"description": "行业代码前缀"})


class OversightDrillQuerySchema(OversightFilterSchema):
    measure = fields.String(required=True)
    bucket = fields.String(required=True, metadata={"description": "月份 YYYY-MM 或地区编号"})


class OversightBucketSchema(Schema):
    key = fields.String()
    label = fields.String()


class OversightMeasureSchema(Schema):
    key = fields.String()
    label = fields.String()
    values = fields.List(fields.Integer())
    total = fields.Integer()


class OversightChartSchema(Schema):
    key = fields.String()
    title = fields.String()
    group = fields.String(metadata={"description": "month | region"})
    start = fields.Date()
    end = fields.Date()
    region = fields.Integer()
    buckets = fields.List(fields.Nested(OversightBucketSchema))
    measures = fields.List(fields.Nested(OversightMeasureSchema))
    snapshot_at = fields.DateTime(
        allow_none=True,
        metadata={
            "description": "整月数据所取统计快照的更新时间（最早的一个）；逾期事项图为各地每日"
            "期限提醒运行的最早时间；为空表示全部实时统计"
        },
    )


class OversightDrillRowSchema(Schema):
    kind = fields.String()
    object_id = fields.Integer()
    tenant_id = fields.Integer()
    region = fields.String()
    name = fields.String()
    on = fields.Date(allow_none=True)
    approvers = fields.String()
    assignee = fields.String(metadata={"description": "逾期事项的承办人"})
    link = fields.String(metadata={"description": "对象页面的路径（有则给出）"})


class OversightDrillSchema(Schema):
    total = fields.Integer()
    rows = fields.List(fields.Nested(OversightDrillRowSchema))


@blp.route("/charts/<key>")
class ChartData(MethodView):
    @permission(Perm.OVERSIGHT_VIEW)
    @blp.arguments(OversightFilterSchema, location="query")
    @blp.response(200, OversightChartSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="无权查看监督统计")
    @blp.alt_response(422, schema=ErrorSchema, description="统计条件有误（指明字段）")
    def get(self, query: dict[str, Any], key: str) -> dict[str, Any]:
        """One chart's figures per month or child region (the page's table)."""
        ctx = request_context()
        f = stats.parse_filters(ctx, query)
        c = stats.chart(ctx, f, key)
        return {
            "key": c.key,
            "title": c.title,
            "group": c.group,
            "start": f.start,
            "end": f.end,
            "region": f.region.id,
            "buckets": [{"key": str(b), "label": label} for b, label in c.buckets],
            "measures": [
                {"key": k, "label": label, "values": c.values[k], "total": c.totals[k]}
                for k, label in c.measures
            ],
            "snapshot_at": c.snapshot_at,
        }


@blp.route("/charts/<key>/rows")
class ChartRows(MethodView):
    @permission(Perm.OVERSIGHT_VIEW)
    @blp.arguments(OversightDrillQuerySchema, location="query")
    @blp.response(200, OversightDrillSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="无权查看监督统计")
    @blp.alt_response(422, schema=ErrorSchema, description="统计条件有误（指明字段）")
    def get(self, query: dict[str, Any], key: str) -> dict[str, Any]:
        """The rows behind one figure (at most 500; ``total`` counts all)."""
        ctx = request_context()
        f = stats.parse_filters(ctx, query)
        d = stats.drill(ctx, f, key, query["measure"], query["bucket"])
        return {
            "total": d.total,
            "rows": [
                {
                    "kind": r.kind,
                    "object_id": r.obj_id,
                    "tenant_id": r.tenant_id,
                    "region": r.region,
                    "name": r.name,
                    "on": r.on,
                    "approvers": r.approvers,
                    "assignee": r.assignee,
                    "link": r.link,
                }
                for r in d.rows
            ],
        }

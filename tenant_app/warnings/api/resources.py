"""The warnings API (SX-1): a monitoring platform pushes anomaly batches (idempotent batch ids,
per-row errors, all or nothing); staff list, read, escalate and end warnings; the enterprise
reads, acknowledges and answers its own. Same services and errors as the pages: bad input 422
with errors by field (``rows.<index>.<field>`` for a batch), a step out of order 409, another
tenant's or enterprise's warning 404."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.api.schemas import ErrorSchema
from tenant_app.auth.api import bind_api_tenant
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.extensions import db
from tenant_app.http.bodies import accepts_upload
from tenant_app.tenancy.acting import request_context
from tenant_app.warnings.api.schemas import (
    MonitoringBatchInSchema,
    MonitoringBatchSchema,
    WarningAnswerInSchema,
    WarningFinishInSchema,
    WarningPageSchema,
    WarningQuerySchema,
    WarningReasonInSchema,
    WarningSchema,
)
from tenant_app.warnings.services import intake, lifecycle
from tenant_app.warnings.services.common import get_warning, my_warning

blp = Blueprint(
    "api_warnings",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>",
    description="预警：在线监测异常数据接收、预警的发出、确认、答复、升级与办结",
)
blp.url_value_preprocessor(bind_api_tenant)


def _err(status: int, text: str) -> Any:
    return blp.alt_response(status, schema=ErrorSchema, description=text)


@blp.route("/monitoring/batches")
class Batches(MethodView):
    @accepts_upload
    @permission(Perm.MONITORING_INTAKE)
    @blp.arguments(MonitoringBatchInSchema)
    @blp.response(201, MonitoringBatchSchema)
    @blp.alt_response(
        200, schema=MonitoringBatchSchema, description="该批次号已受理过：返回首次结果，未写入"
    )
    @_err(422, "有误的行（errors 以 rows.<序号>.<字段> 标明，序号从 0 起），未写入任何一行")
    def post(self, data: dict[str, Any]) -> Any:
        """Take a batch of online-monitoring anomalies/exceedances, tied to enterprises by
        统一社会信用代码 (and permit number when given). All or nothing."""
        answer, created = intake.take_batch(request_context(), data["batch_id"], data["rows"])
        db.session.commit()
        return {**answer, "replayed": not created}, (201 if created else 200)


@blp.route("/warnings")
class Warnings(MethodView):
    @permission(Perm.WARNINGS_VIEW)
    @blp.arguments(WarningQuerySchema, location="query")
    @blp.response(200, WarningPageSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """Newest first, keyset-paged (pass ``next_after`` back as ``after``), with the count."""
        page = lifecycle.warnings_page(request_context(), **query)
        return {
            "items": [lifecycle.as_dict(w) for w in page.items],
            "next_after": page.next_after,
            "total": page.total or 0,
        }


@blp.route("/warnings/<int:warning_id>")
class WarningItem(MethodView):
    @permission(Perm.WARNINGS_VIEW)
    @blp.response(200, WarningSchema)
    @_err(404, "没有该预警")
    def get(self, warning_id: int) -> Any:
        return lifecycle.as_dict(get_warning(warning_id))


@blp.route("/warnings/<int:warning_id>/escalate")
class Escalate(MethodView):
    @permission(Perm.WARNINGS_EDIT)
    @blp.arguments(WarningReasonInSchema)
    @blp.response(200, WarningSchema)
    @_err(404, "没有该预警")
    @_err(409, "预警已办结或已升级")
    def post(self, data: dict[str, Any], warning_id: int) -> Any:
        """Escalate by hand: the next rung of the pack's ladder is proposed, with the reason."""
        w = lifecycle.escalate(request_context(), get_warning(warning_id), data["reason"])
        db.session.commit()
        return lifecycle.as_dict(w)


@blp.route("/warnings/<int:warning_id>/finish")
class Finish(MethodView):
    @permission(Perm.WARNINGS_EDIT)
    @blp.arguments(WarningFinishInSchema)
    @blp.response(200, WarningSchema)
    @_err(404, "没有该预警")
    @_err(409, "预警已办结")
    def post(self, data: dict[str, Any], warning_id: int) -> Any:
        w = lifecycle.finish(
            request_context(), get_warning(warning_id), data["outcome"], data["note"]
        )
        db.session.commit()
        return lifecycle.as_dict(w)


@blp.route("/my-enterprise/warnings")
class MyWarnings(MethodView):
    @permission(Perm.OWN_WARNINGS)
    @blp.response(200, WarningSchema(many=True))
    def get(self) -> Any:
        """The enterprise user's own warnings, open ones first."""
        return [lifecycle.as_dict(w) for w in lifecycle.my_warnings(request_context())]


@blp.route("/my-enterprise/warnings/<int:warning_id>/acknowledge")
class MyAcknowledge(MethodView):
    @permission(Perm.OWN_WARNINGS)
    @blp.response(200, WarningSchema)
    @_err(404, "没有该预警")
    @_err(409, "预警已办结")
    def post(self, warning_id: int) -> Any:
        ctx = request_context()
        w = lifecycle.acknowledge(ctx, my_warning(ctx, warning_id))
        db.session.commit()
        return lifecycle.as_dict(w)


@blp.route("/my-enterprise/warnings/<int:warning_id>/answer")
class MyAnswer(MethodView):
    @permission(Perm.OWN_WARNINGS)
    @blp.arguments(WarningAnswerInSchema)
    @blp.response(200, WarningSchema)
    @_err(404, "没有该预警")
    @_err(409, "预警已答复或已办结")
    def post(self, data: dict[str, Any], warning_id: int) -> Any:
        """The answer: what happened and the measure taken (evidence files on the page)."""
        ctx = request_context()
        w = lifecycle.answer(ctx, my_warning(ctx, warning_id), data["explanation"], data["measure"])
        db.session.commit()
        return lifecycle.as_dict(w)

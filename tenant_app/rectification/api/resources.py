"""The rectification API (NL-28, SX-14/15, XJ-R): staff list, read and work correction orders
(comment, help, follow-up visit, verification, a good reason for lateness) and order correction
on a warning; the enterprise reads its own, submits its plan and reports progress (multipart,
one evidence file). Same services and errors as the pages: bad input 422 by field, a step out
of order 409, another tenant's or enterprise's order 404."""

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
from tenant_app.rectification.api.schemas import (
    RectEntrySchema,
    RectExtensionDecisionInSchema,
    RectExtensionFormSchema,
    RectExtensionSchema,
    RectOrderPageSchema,
    RectOrderQuerySchema,
    RectOrderSchema,
    RectPlanInSchema,
    RectProgressFormSchema,
    RectProgressUploadSchema,
    RectReasonInSchema,
    RectTextInSchema,
    RectVerifyInSchema,
    RectVisitInSchema,
    RectWarningOrderInSchema,
)
from tenant_app.rectification.services import extensions, orders, rectify
from tenant_app.rectification.services.views import entry_dict, extension_dict, order_dict
from tenant_app.tenancy.acting import request_context
from tenant_app.warnings.services.common import get_warning

blp = Blueprint(
    "api_rectification",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>",
    description="责令改正与整改：整改方案、进展报告、意见与帮扶、整改核查、逾期",
)
blp.url_value_preprocessor(bind_api_tenant)


def _err(status: int, text: str) -> Any:
    return blp.alt_response(status, schema=ErrorSchema, description=text)


def _full(o: Any) -> dict[str, Any]:
    return order_dict(o, rectify.entries(o), extensions.extensions_of(o))


@blp.route("/correction-orders")
class Orders(MethodView):
    @permission(Perm.CASES_VIEW)
    @blp.arguments(RectOrderQuerySchema, location="query")
    @blp.response(200, RectOrderPageSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """Newest first, keyset-paged (pass ``next_after`` back as ``after``), with the count."""
        page = orders.orders_page(request_context(), **query)
        return {
            "items": [order_dict(o) for o in page.items],
            "next_after": page.next_after,
            "total": page.total or 0,
        }


@blp.route("/correction-orders/<int:order_id>")
class OrderItem(MethodView):
    @permission(Perm.CASES_VIEW)
    @blp.response(200, RectOrderSchema)
    @_err(404, "没有该责令改正")
    def get(self, order_id: int) -> Any:
        """The order with its plan, progress, comments, help and verification."""
        return _full(orders.get_order(order_id))


@blp.route("/warnings/<int:warning_id>/correction-order")
class WarningOrder(MethodView):
    @permission(Perm.WARNINGS_EDIT)
    @blp.arguments(RectWarningOrderInSchema)
    @blp.response(201, RectOrderSchema)
    @_err(404, "没有该预警")
    @_err(409, "预警未答复或未升级，或已责令改正")
    def post(self, data: dict[str, Any], warning_id: int) -> Any:
        """Order correction on a warning whose answer or escalation found a violation."""
        o = orders.from_warning(request_context(), get_warning(warning_id), data)
        db.session.commit()
        return _full(o)


def _staff_text(kind: str) -> type[MethodView]:
    class StaffText(MethodView):
        @permission(Perm.CASES_EDIT)
        @blp.arguments(RectTextInSchema)
        @blp.response(201, RectEntrySchema)
        @_err(404, "没有该责令改正")
        @_err(409, "已办结")
        def post(self, data: dict[str, Any], order_id: int) -> Any:
            fn = rectify.comment if kind == "comment" else rectify.record_help
            row = fn(request_context(), orders.get_order(order_id), data["text"])
            db.session.commit()
            return entry_dict(row)

    StaffText.__name__ = f"Staff{kind.title()}"
    StaffText.post.__doc__ = (
        "The bureau's comment on the plan or progress."
        if kind == "comment"
        else "Help given to the enterprise (纾困)."
    )
    return StaffText


blp.route("/correction-orders/<int:order_id>/comments")(_staff_text("comment"))
blp.route("/correction-orders/<int:order_id>/help")(_staff_text("help"))


@blp.route("/correction-orders/<int:order_id>/visit")
class Visit(MethodView):
    @permission(Perm.CASES_EDIT)
    @blp.arguments(RectVisitInSchema)
    @blp.response(201, RectOrderSchema)
    @_err(404, "没有该责令改正")
    @_err(409, "已办结或已安排整改核查")
    @_err(422, "不能安排该检查（errors.rules、errors.rule_ids）")
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """An on-site follow-up visit (整改核查) linked to the order, through the inspection's
        own checks; its trigger is the pack's (outside the SX-3 cap where the pack says so)."""
        o = orders.get_order(order_id)
        rectify.schedule_visit(request_context(), o, data)
        db.session.commit()
        return _full(o)


@blp.route("/correction-orders/<int:order_id>/verify")
class Verify(MethodView):
    @permission(Perm.CASES_EDIT)
    @blp.arguments(RectVerifyInSchema)
    @blp.response(200, RectOrderSchema)
    @_err(404, "没有该责令改正")
    @_err(409, "已办结")
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """整改核查: off-site, or on site by the linked follow-up visit; closes the order."""
        o = rectify.verify(request_context(), orders.get_order(order_id), data)
        db.session.commit()
        return _full(o)


@blp.route("/correction-orders/<int:order_id>/justify")
class Justify(MethodView):
    @permission(Perm.CASES_EDIT)
    @blp.arguments(RectReasonInSchema)
    @blp.response(200, RectOrderSchema)
    @_err(404, "没有该责令改正")
    @_err(409, "已办结")
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """A good reason for lateness: overdue, the order does not start a removal (XJ-R)."""
        o = rectify.justify(request_context(), orders.get_order(order_id), data["reason"])
        db.session.commit()
        return _full(o)


@blp.route("/my-enterprise/correction-orders")
class MyOrders(MethodView):
    @permission(Perm.OWN_CASES)
    @blp.response(200, RectOrderSchema(many=True))
    def get(self) -> Any:
        """The enterprise user's own orders, open ones first."""
        return [order_dict(o) for o in orders.my_orders(request_context())]


@blp.route("/my-enterprise/correction-orders/<int:order_id>")
class MyOrder(MethodView):
    @permission(Perm.OWN_CASES)
    @blp.response(200, RectOrderSchema)
    @_err(404, "没有该责令改正")
    def get(self, order_id: int) -> Any:
        return _full(orders.my_order(request_context(), order_id))


@blp.route("/my-enterprise/correction-orders/<int:order_id>/plan")
class MyPlan(MethodView):
    @permission(Perm.OWN_CASES)
    @blp.arguments(RectPlanInSchema)
    @blp.response(200, RectOrderSchema)
    @_err(404, "没有该责令改正")
    @_err(409, "已办结或核查已开始")
    def post(self, data: dict[str, Any], order_id: int) -> Any:
        """The rectification plan: measures, responsible person, milestones (≤ the deadline)."""
        ctx = request_context()
        o = rectify.submit_plan(ctx, orders.my_order(ctx, order_id), data)
        db.session.commit()
        return _full(o)


@blp.route("/my-enterprise/correction-orders/<int:order_id>/progress")
class MyProgress(MethodView):
    @accepts_upload
    @permission(Perm.OWN_CASES)
    @blp.arguments(RectProgressFormSchema, location="form")
    @blp.arguments(RectProgressUploadSchema, location="files")
    @blp.response(201, RectEntrySchema)
    @_err(404, "没有该责令改正")
    @_err(409, "尚未提交整改方案或已办结")
    @_err(422, "类型或大小不符（jpg/png/pdf/mp4，20 MB）")
    def post(self, form: dict[str, Any], files: dict[str, Any], order_id: int) -> Any:
        """A progress report (multipart: ``text`` and an optional ``file`` of evidence)."""
        ctx = request_context()
        up = files.get("file")
        row = rectify.report_progress(
            ctx,
            orders.my_order(ctx, order_id),
            form["text"],
            up.stream if up else None,
            (up.filename or "") if up else "",
        )
        db.session.commit()
        return entry_dict(row)


@blp.route("/correction-extensions/<int:extension_id>/decision")
class ExtensionDecision(MethodView):
    @permission(Perm.CASES_EDIT)
    @blp.arguments(RectExtensionDecisionInSchema)
    @blp.response(200, RectExtensionSchema)
    @_err(404, "没有该延期整改申请")
    @_err(409, "已作出决定或责令改正已办结")
    @_err(422, "新期限早于现行期限或超出政策包允许的延长（errors.days / errors.until）")
    def post(self, data: dict[str, Any], extension_id: int) -> Any:
        """延期整改: grant a new deadline (``days`` more in the pack's unit, or ``until``) or
        refuse (``grant`` false) with a reason; the order's deadline, reminders and overdue
        check follow the new date."""
        payload = {**data, "days": "" if data.get("days") is None else str(data["days"])}
        row = extensions.decide(request_context(), extensions.get_extension(extension_id), payload)
        db.session.commit()
        return extension_dict(row)


@blp.route("/my-enterprise/correction-orders/<int:order_id>/extensions")
class MyExtensions(MethodView):
    @accepts_upload
    @permission(Perm.OWN_CASES)
    @blp.arguments(RectExtensionFormSchema, location="form")
    @blp.arguments(RectProgressUploadSchema, location="files")
    @blp.response(201, RectExtensionSchema)
    @_err(404, "没有该责令改正")
    @_err(409, "期限已届满、已有待审查的申请或已办结")
    @_err(422, "理由为空、日期有误，或附件类型、大小不符（jpg/png/pdf/mp4，20 MB）")
    def post(self, form: dict[str, Any], files: dict[str, Any], order_id: int) -> Any:
        """延期整改申请 (multipart: ``reasons``, optional ``asked_until`` and ``file``)."""
        ctx = request_context()
        up = files.get("file")
        row = extensions.request(
            ctx,
            orders.my_order(ctx, order_id),
            form,
            up.stream if up else None,
            (up.filename or "") if up else "",
        )
        db.session.commit()
        return extension_dict(row)

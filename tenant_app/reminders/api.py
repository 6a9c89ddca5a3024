"""The reminders queue over the API (issue 16 item 3): the caller's own "due soon / overdue"
items, or the tenant's (``scope=tenant``: tenant admins and oversight roles). Same service as
the pages."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tenant_app.api.schemas import ErrorSchema
from tenant_app.auth.api import bind_api_tenant
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.reminders.services import queue
from tenant_app.tenancy.acting import request_context

blp = Blueprint(
    "api_reminders",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>",
    description="期限提醒：本人或本单位即将到期、已逾期的事项",
)
blp.url_value_preprocessor(bind_api_tenant)


class ReminderQuerySchema(Schema):
    scope = fields.String(load_default="mine", validate=validate.OneOf(("mine", "tenant")))


class DueItemSchema(Schema):
    due = fields.Date()
    title = fields.String()
    link = fields.String()
    kind = fields.String()
    rule_id = fields.String(allow_none=True)
    object_ref = fields.String()
    assignee_id = fields.Integer(allow_none=True)
    overdue = fields.Boolean()
    due_soon = fields.Boolean()
    days_left = fields.Integer()


class ReminderPageSchema(Schema):
    lead_workdays = fields.Integer()
    items = fields.List(fields.Nested(DueItemSchema))


@blp.route("/reminders")
class Reminders(MethodView):
    @permission(Perm.DASHBOARD_VIEW)
    @blp.arguments(ReminderQuerySchema, location="query")
    @blp.response(200, ReminderPageSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="无权查看本单位的期限总览")
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Overdue first, then by due date; ``scope=tenant`` needs ``reminders.all``."""
        ctx = request_context()
        whole = query["scope"] == "tenant"
        rows = queue.tenant_queue(ctx) if whole else queue.my_queue(ctx)
        return {
            "lead_workdays": queue.lead_for(ctx, None if whole else ctx.user_id),
            "items": [
                {
                    **asdict(r.item),
                    "overdue": r.overdue,
                    "due_soon": r.due_soon,
                    "days_left": r.days_left,
                }
                for r in rows
            ],
        }

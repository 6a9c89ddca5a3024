"""The notification centre over the API (issue 16 item 4): the caller's own notifications, the
unread count, mark one or all read. Same services as the pages; another person's notification
is a 404 like a missing one."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from tenant_app.api.schemas import ErrorSchema
from tenant_app.auth.api import bind_api_tenant
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.extensions import db
from tenant_app.notifications.services import centre
from tenant_app.tenancy.acting import request_context

blp = Blueprint(
    "api_notifications",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>",
    description="通知中心：本人的站内通知、未读数、标记已读",
)
blp.url_value_preprocessor(bind_api_tenant)

_ID = validate.Range(min=1, max=2**63 - 1)


class NotificationQuerySchema(Schema):
    unread = fields.Boolean(load_default=False)
    before = fields.Integer(load_default=None, validate=_ID)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    link = fields.String()
    payload = fields.Dict()
    read_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    unread = fields.Integer()


class ReadAllSchema(Schema):
    marked = fields.Integer()
    unread = fields.Integer()


@blp.route("/notifications")
class NotificationList(MethodView):
    @permission(Perm.DASHBOARD_VIEW)
    @blp.arguments(NotificationQuerySchema, location="query")
    @blp.response(200, NotificationPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The caller's notifications, newest first (``before``: the last id of the page)."""
        ctx = request_context()
        items = centre.my_notifications(
            ctx, unread_only=query["unread"], limit=query["limit"], before_id=query["before"]
        )
        return {"items": items, "unread": centre.unread_count(ctx)}


@blp.route("/notifications/<int:notification_id>/read")
class NotificationRead(MethodView):
    @permission(Perm.DASHBOARD_VIEW)
    @blp.response(200, NotificationSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="没有这条通知")
    def post(self, notification_id: int) -> Any:
        """Mark one of the caller's notifications read (again: no change)."""
        row = centre.mark_read(request_context(), notification_id)
        db.session.commit()
        return row


@blp.route("/notifications/read-all")
class NotificationReadAll(MethodView):
    @permission(Perm.DASHBOARD_VIEW)
    @blp.response(200, ReadAllSchema)
    def post(self) -> dict[str, Any]:
        """Mark every unread notification of the caller read."""
        ctx = request_context()
        marked = centre.mark_all_read(ctx)
        db.session.commit()
        return {"marked": marked, "unread": centre.unread_count(ctx)}

"""The tenant's audit log, newest first, keyset-paged."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from tenant_app.api.schemas import AuditPageSchema, AuditQuerySchema
from tenant_app.auth.api import bind_api_tenant
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.models import AuditEntry
from tenant_app.tenancy.queries import keyset_page

blp = Blueprint(
    "api_audit",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/audit",
    description="审计日志（只读）",
)
blp.url_value_preprocessor(bind_api_tenant)


@blp.route("")
class AuditList(MethodView):
    @permission(Perm.AUDIT_VIEW)
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        page = keyset_page(
            select(AuditEntry), AuditEntry.id, query["after"], query["limit"], descending=True
        )
        return {"items": page.items, "next_after": page.next_after}

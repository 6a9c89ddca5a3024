"""Tenants: the public list, and creation of children by superadmins."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.api.schemas import TenantCreateSchema, TenantSchema
from tenant_app.auth.api import authenticate_bearer, bind_api_tenant
from tenant_app.auth.permissions import PUBLIC, permission
from tenant_app.auth.roles import Perm
from tenant_app.extensions import db
from tenant_app.models import Tenant
from tenant_app.tenancy.acting import request_context
from tenant_app.tenants import service as tenant_service

blp = Blueprint(
    "api_tenants", __name__, url_prefix="/api/v1/tenants", description="租户（行政区域）"
)
blp.before_request(authenticate_bearer)

children = Blueprint(
    "api_tenant_children",
    __name__,
    url_prefix="/api/v1/tenants/<tenant>/children",
    description="下级租户",
)
children.url_value_preprocessor(bind_api_tenant)


@blp.route("")
class TenantList(MethodView):
    @permission(PUBLIC)
    @blp.doc(security=[])  # public: no token needed
    @blp.response(200, TenantSchema(many=True))
    def get(self) -> list[Tenant]:
        return tenant_service.list_tenants()


@children.route("")
class TenantChildren(MethodView):
    @permission(Perm.TENANTS_MANAGE)
    @children.arguments(TenantCreateSchema)
    @children.response(201, TenantSchema)
    def post(self, data: dict[str, Any]) -> Tenant:
        tenant = tenant_service.create_tenant(request_context(), parent=g.tenant, **data)
        db.session.commit()
        return tenant

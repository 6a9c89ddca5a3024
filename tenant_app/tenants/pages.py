"""Tenant (region) management for superadmins."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.models import Tenant
from tenant_app.tenancy.acting import request_context
from tenant_app.tenants import service as tenant_service
from tenant_app.ui.forms import TenantForm, apply_errors

bp = Blueprint("tenants", __name__, template_folder="templates", url_prefix="/admin/tenants")


@bp.route("/", methods=["GET", "POST"])
@permission(Perm.TENANTS_MANAGE)
def index() -> Any:
    tenants = tenant_service.list_tenants()
    form = TenantForm()
    form.parent.choices = [
        (str(t.id), f"{t.name}（{t.level_label}）") for t in tenants if t.level != "county"
    ]
    status = 200
    if form.validate_on_submit():
        parent = db.session.get(Tenant, int(form.parent.data or 0))
        try:
            tenant = tenant_service.create_tenant(
                request_context(),
                slug=form.slug.data or "",
                name=form.name.data or "",
                level=form.level.data or "",
                division_code=form.division_code.data or "",
                parent=parent,
                policy_pack=form.policy_pack.data,
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
            status = exc.status
        else:
            flash(_("已创建租户 %(name)s", name=tenant.name), "success")
            return redirect(url_for(".index"))
    return render_template("tenants/index.html", tenants=tenants, form=form), status

"""Pages of the notification centre (issue 16 items 4 and 5): the list with mark read and the
link to each object, the unread count in every page's header, each person's preferences under
/me/, and the tenant admins' webhook subscriptions with their delivery log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.models.notification import NOTIFICATION_KINDS
from tenant_app.notifications.services import centre, email, preferences, webhooks
from tenant_app.policy.service import NoPack, policy_for
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.actions import confirmed_action

bp = Blueprint("notifications", __name__, template_folder="templates", url_prefix="/notifications")
settings_bp = Blueprint(
    "notification_settings", __name__, template_folder="templates", url_prefix="/me/notifications"
)
webhooks_bp = Blueprint("webhooks", __name__, template_folder="templates", url_prefix="/webhooks")


@bp.app_context_processor
def _unread() -> dict[str, Any]:
    """The header's unread count: only on a tenant's pages, for a signed-in person."""
    if g.get("tenant") is None or not current_user.is_authenticated:
        return {}
    try:
        return {"unread_notifications": centre.unread_count(request_context())}
    except Exception:  # noqa: BLE001 - the header never breaks a page (e.g. an error page)
        return {}


@bp.get("/")
@permission(Perm.DASHBOARD_VIEW)
def index() -> Any:
    unread_only = request.args.get("unread") == "1"
    ctx = request_context()
    return render_template(
        "notifications/index.html",
        items=centre.my_notifications(ctx, unread_only=unread_only),
        unread_only=unread_only,
    )


@bp.post("/<int:notification_id>/read")
@permission(Perm.DASHBOARD_VIEW)
def read(notification_id: int) -> Any:
    confirmed_action(lambda: _mark(notification_id))
    return redirect(url_for(".index"))


def _mark(notification_id: int) -> None:
    try:
        centre.mark_read(request_context(), notification_id)
    except centre.NotificationNotFound:
        abort(404)


@bp.post("/<int:notification_id>/open")
@permission(Perm.DASHBOARD_VIEW)
def open_(notification_id: int) -> Any:
    """Mark read and go to the object (only a path of this site: never an outside address)."""
    confirmed_action(lambda: _mark(notification_id))
    row = centre.get_mine(request_context(), notification_id)
    link = row.link if row.link.startswith("/") and not row.link.startswith("//") else ""
    return redirect(link or url_for(".index"))


@bp.post("/read-all")
@permission(Perm.DASHBOARD_VIEW)
def read_all() -> Any:
    confirmed_action(lambda: centre.mark_all_read(request_context()), _("已全部标为已读"))
    return redirect(url_for(".index"))


def _settings_page(
    errors: dict[str, list[str]] | None = None, status: int = 200, **typed: Any
) -> Any:
    ctx = request_context()
    row = preferences.setting_of(ctx)
    assert g.tenant is not None
    try:
        default: Any = policy_for(g.tenant, ctx.today).reminder_lead()
    except NoPack:
        default = None
    values = {
        "email": row.email if row else "",
        "email_kinds": list(row.email_kinds or []) if row else [],
        "reminder_lead_days": ""
        if row is None or row.reminder_lead_days is None
        else row.reminder_lead_days,
    }
    values.update(typed)
    return render_template(
        "notifications/settings.html",
        values=values,
        kinds=NOTIFICATION_KINDS,
        errors=errors or {},
        default_lead=default,
        smtp=email.configured(),
    ), status


@settings_bp.get("/")
@permission(Perm.DASHBOARD_VIEW)
def settings() -> Any:
    return _settings_page()


@settings_bp.post("/")
@permission(Perm.DASHBOARD_VIEW)
def save_settings() -> Any:
    from flask_wtf.csrf import validate_csrf
    from wtforms import ValidationError

    try:
        validate_csrf(request.form.get("csrf_token", ""))
    except ValidationError:
        abort(400)
    typed: dict[str, Any] = {
        "email": request.form.get("email", ""),
        "email_kinds": request.form.getlist("email_kinds"),
        "reminder_lead_days": request.form.get("reminder_lead_days", ""),
    }
    try:
        preferences.save(
            request_context(),
            email=request.form.get("email", ""),
            email_kinds=request.form.getlist("email_kinds"),
            reminder_lead_days=request.form.get("reminder_lead_days", ""),
        )
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _settings_page(exc.errors, 422, **typed)
    flash(_("通知设置已保存"), "success")
    return redirect(url_for(".settings"))


def _webhooks_page(
    errors: dict[str, list[str]] | None = None, status: int = 200, **typed: Any
) -> Any:
    ctx = request_context()
    return render_template(
        "notifications/webhooks.html",
        subs=webhooks.subscriptions(ctx),
        kinds=NOTIFICATION_KINDS,
        errors=errors or {},
        typed={"name": "", "url": "", "kinds": [], **typed},
    ), status


@webhooks_bp.get("/")
@permission(Perm.WEBHOOKS_MANAGE)
def webhook_index() -> Any:
    return _webhooks_page()


@webhooks_bp.post("/")
@permission(Perm.WEBHOOKS_MANAGE)
def webhook_create() -> Any:
    from flask_wtf.csrf import validate_csrf
    from wtforms import ValidationError

    try:
        validate_csrf(request.form.get("csrf_token", ""))
    except ValidationError:
        abort(400)
    typed: dict[str, Any] = {
        "name": request.form.get("name", ""),
        "url": request.form.get("url", ""),
        "kinds": request.form.getlist("kinds"),
    }
    try:
        row = webhooks.create(
            request_context(), name=typed["name"], url=typed["url"], kinds=typed["kinds"]
        )
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _webhooks_page(exc.errors, 422, **typed)
    flash(_("已新增推送订阅“%(name)s”", name=row.name), "success")
    return redirect(url_for(".webhook_index"))


@webhooks_bp.post("/<int:subscription_id>/deactivate")
@permission(Perm.WEBHOOKS_MANAGE)
def webhook_deactivate(subscription_id: int) -> Any:
    def act() -> None:
        try:
            webhooks.deactivate(request_context(), subscription_id)
        except webhooks.WebhookNotFound:
            abort(404)

    confirmed_action(act, _("已停用该推送订阅"))
    return redirect(url_for(".webhook_index"))


@webhooks_bp.get("/deliveries")
@permission(Perm.WEBHOOKS_MANAGE)
def webhook_deliveries() -> Any:
    ctx = request_context()
    subs = {s.id: s for s in webhooks.subscriptions(ctx)}
    return render_template(
        "notifications/deliveries.html", deliveries=webhooks.deliveries(ctx), subs=subs
    )

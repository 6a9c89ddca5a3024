"""Login and logout at a tenant."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from tenant_app.accounts import users as user_service
from tenant_app.auth import sessions, throttle
from tenant_app.auth.login import attempt_login
from tenant_app.auth.permissions import PUBLIC, permission
from tenant_app.core.errors import ServiceError, Throttled
from tenant_app.extensions import db
from tenant_app.tenancy.acting import request_context
from tenant_app.tenancy.resolve import scope_for
from tenant_app.tenancy.scope import set_request_scope
from tenant_app.ui import session_guard
from tenant_app.ui.forms import LoginForm

bp = Blueprint("auth", __name__, template_folder="templates")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.dashboard.home")


@bp.route("/login", methods=["GET", "POST"])
@permission(PUBLIC)
def login() -> Any:
    form = LoginForm()
    status = 200
    headers: dict[str, str] = {}
    device_cookie = throttle.device_cookie_name()
    if form.validate_on_submit():
        ctx = request_context()
        try:
            user = attempt_login(
                ctx,
                form.username.data or "",
                form.password.data or "",
                request.cookies.get(device_cookie),
            )
        except Throttled as exc:
            form.form_errors.append(exc.message)
            status = 429
            if exc.retry_after:
                headers["Retry-After"] = str(exc.retry_after)
        except ServiceError as exc:
            form.form_errors.append(exc.message)
            status = 401
        else:
            _row, sid = sessions.open_session(
                user, g.tenant.id, ctx.address, request.headers.get("User-Agent", "")
            )
            db.session.commit()
            session_guard.fresh_session()
            session[sessions.SESSION_KEY] = sid
            login_user(user)
            session_guard.start()
            set_request_scope(scope_for(g.tenant, user))
            resp = redirect(_safe_next(request.args.get("next")))
            if throttle.known_device(request.cookies.get(device_cookie), user.id) is None:
                resp.set_cookie(
                    device_cookie,
                    throttle.new_device(user.id),
                    max_age=current_app.config["LOGIN_DEVICE_DAYS"] * 86400,
                    path="/",
                    secure=current_app.config["ENV"] == "production",
                    httponly=True,
                    samesite="Lax",
                )
            return resp
    return render_template("login.html", form=form), status, headers


@bp.post("/logout")
@permission(PUBLIC)
def logout() -> Any:
    if current_user.is_authenticated:
        row = sessions.live_session(session.get(sessions.SESSION_KEY), current_user.id)
        if row is not None:
            user_service.end_own_session(request_context(), current_user, row.id, "logout")
            db.session.commit()
    logout_user()
    session_guard.fresh_session()
    flash(_("您已退出登录"), "info")
    return redirect(url_for("web.auth.login"))

"""Login and logout at a tenant."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from ..auth.login import attempt_login
from ..auth.permissions import PUBLIC, permission
from ..services.errors import ServiceError, Throttled
from ..tenancy.resolve import scope_for
from ..tenancy.scope import set_request_scope
from . import session_guard
from .forms import LoginForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.dashboard.home")


@bp.route("/login", methods=["GET", "POST"])
@permission(PUBLIC)
def login() -> Any:
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = attempt_login(
                g.tenant,
                form.username.data or "",
                form.password.data or "",
                request.remote_addr or "",
            )
        except Throttled as exc:
            form.form_errors.append(exc.message)
            status = 429
        except ServiceError as exc:
            form.form_errors.append(exc.message)
            status = 401
        else:
            session_guard.fresh_session()
            login_user(user)
            session_guard.start()
            set_request_scope(scope_for(g.tenant, user))
            return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", form=form), status


@bp.post("/logout")
@permission(PUBLIC)
def logout() -> Any:
    logout_user()
    session_guard.fresh_session()
    flash(_("您已退出登录"), "info")
    return redirect(url_for("web.auth.login"))

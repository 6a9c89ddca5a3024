"""The signed-in user's own page: live page sessions and API tokens (each revocable), and
the password change, which ends every other session."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tenant_app.accounts import users as user_service
from tenant_app.auth import sessions
from tenant_app.auth.permissions import permission
from tenant_app.auth.roles import Perm
from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.tenancy.acting import request_context
from tenant_app.ui.actions import confirmed_action
from tenant_app.ui.forms import PasswordChangeForm, apply_errors

# Under every tenant where the user holds a role (DASHBOARD_VIEW: staff and enterprise users
# alike); the page shows only the signed-in account's own sessions and tokens.
bp = Blueprint("me", __name__, template_folder="templates", url_prefix="/me")


def _current_session_id() -> int | None:
    row = sessions.live_session(session.get(sessions.SESSION_KEY), current_user.id)
    return row.id if row is not None else None


def _page(form: PasswordChangeForm, status: int = 200) -> Any:
    return render_template(
        "me/index.html",
        form=form,
        sessions=sessions.active_sessions(current_user.id),
        tokens=sessions.active_tokens(current_user.id),
        current_id=_current_session_id(),
    ), status


@bp.get("/")
@permission(Perm.DASHBOARD_VIEW)
def index() -> Any:
    return _page(PasswordChangeForm(formdata=None))


@bp.post("/password")
@permission(Perm.DASHBOARD_VIEW)
def password() -> Any:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            ended = user_service.change_password(
                request_context(),
                current_user,
                form.current_password.data or "",
                form.new_password.data or "",
                keep_session_id=_current_session_id(),
            )
            db.session.commit()
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("密码已修改，其他 %(n)s 个登录会话已失效", n=len(ended)), "success")
            return redirect(url_for(".index"))
    return _page(form, 422)


@bp.post("/sessions/<int:session_id>/end")
@permission(Perm.DASHBOARD_VIEW)
def end_session(session_id: int) -> Any:
    confirmed_action(
        lambda: user_service.end_own_session(request_context(), current_user, session_id),
        _("已撤销该会话"),
    )
    return redirect(url_for(".index"))


@bp.post("/tokens/<int:token_id>/revoke")
@permission(Perm.DASHBOARD_VIEW)
def revoke_token(token_id: int) -> Any:
    confirmed_action(
        lambda: user_service.revoke_own_token(request_context(), current_user, token_id),
        _("已撤销该令牌"),
    )
    return redirect(url_for(".index"))

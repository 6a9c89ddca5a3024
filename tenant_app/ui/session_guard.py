"""Idle and absolute session timeouts for page sessions (the API uses bearer tokens)."""

from __future__ import annotations

from flask import Flask, flash, request, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from tenant_app.clock import utcnow


def fresh_session() -> None:
    """A new session on login, logout and timeout (no fixation), keeping only the UI language."""
    lang = session.get("lang")
    session.clear()
    if lang is not None:
        session["lang"] = lang


def start(now: float | None = None) -> None:
    now = now or utcnow().timestamp()
    session.permanent = True
    session["login_at"] = now
    session["seen_at"] = now


def init_app(app: Flask) -> None:
    @app.before_request
    def _enforce_timeouts() -> None:
        if request.path.startswith(("/api/", "/static/")) or not current_user.is_authenticated:
            return
        now = utcnow().timestamp()
        idle = app.config["SESSION_IDLE_MINUTES"] * 60
        absolute = app.config["SESSION_ABSOLUTE_HOURS"] * 3600
        login_at, seen_at = session.get("login_at", 0), session.get("seen_at", 0)
        if now - seen_at > idle or now - login_at > absolute:
            from tenant_app.accounts.users import end_own_session
            from tenant_app.auth.sessions import SESSION_KEY, live_session
            from tenant_app.extensions import db
            from tenant_app.tenancy.acting import request_context

            row = live_session(session.get(SESSION_KEY), current_user.id)
            if row is not None:
                end_own_session(request_context(), current_user, row.id, "timeout")
                db.session.commit()
            logout_user()
            fresh_session()
            flash(_("登录已超时，请重新登录"), "warning")
            return
        session["seen_at"] = now

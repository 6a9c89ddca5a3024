"""Server-rendered pages. Tenant pages live under /<tenant>/; see tenant_pages.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Flask
from werkzeug.routing import IntegerConverter, Map

from tenant_app.extensions import db, login_manager
from tenant_app.models import User
from tenant_app.ui import (
    errors,
    labels,
    public,
    public_cache,
    refused,
    security,
    session_guard,
    tenant_pages,
)
from tenant_app.ui.i18n import LOCALES


class BigIntConverter(IntegerConverter):
    """``<int:...>`` ids are BIGINT columns: a larger number matches no route (404) instead of
    overflowing the database driver (500)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def init_web(app: Flask, page_blueprints: Iterable[Blueprint]) -> None:
    app.url_map.converters["int"] = BigIntConverter  # before any route is added
    login_manager.session_protection = "strong"
    login_manager.login_message = "请先登录"  # unused: permissions.py redirects itself

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # A page session is live only while its server-side row is (auth/sessions.py): a
        # cookie copied before logout, password change or deactivation is anonymous after it.
        from flask import session

        from tenant_app.auth.sessions import SESSION_KEY, live_session

        user = db.session.get(User, int(user_id))
        if user is None or not user.active:
            return None
        return user if live_session(session.get(SESSION_KEY), user.id) is not None else None

    security.init_app(app)
    public_cache.init_app(app)
    session_guard.init_app(app)
    errors.init_app(app)
    labels.init_app(app)
    refused.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(tenant_pages.build(page_blueprints))

    @app.context_processor
    def _page_context() -> dict[str, object]:
        from flask import g

        from tenant_app.auth.roles import permissions_for
        from tenant_app.tenancy.scope import current_scope

        return {
            "tenant_ctx": g.get("tenant"),
            "perms": {str(p) for p in permissions_for(current_scope().roles)},
        }

    @app.template_filter("datetimeformat")
    def _datetimeformat(value: object) -> str:
        from flask_babel import format_datetime

        return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""

    from flask_babel import get_locale

    from tenant_app.ui.crumbs import breadcrumbs
    from tenant_app.ui.links import page_link

    app.jinja_env.globals.update(
        breadcrumbs=breadcrumbs,
        page_link=page_link,
        get_locale=get_locale,
        LOCALES=LOCALES,
    )

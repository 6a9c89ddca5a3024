"""The Flask application factory. Migrations never run here: `tenant-app db upgrade` does that."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tenant_app.config import load_settings


def create_app(
    overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None
) -> Flask:
    app = Flask(__name__, template_folder="ui/templates", static_folder="ui/static")
    app.config.update(load_settings(environ, overrides, instance_path=app.instance_path))

    from tenant_app.features import features
    from tenant_app.jobs.registry import load_job_modules

    parts = features()  # importing the features' job modules registers their job kinds

    load_job_modules(app.config["JOB_MODULES"])  # extra job kinds named in configuration
    from tenant_app.core import db_connections, request_transactions
    from tenant_app.extensions import babel, csrf, db, login_manager, migrate
    from tenant_app.ui.i18n import select_locale

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = db_connections.engine_options(
        app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    )
    db.init_app(app)
    with app.app_context():
        db_connections.install(db.engine, app.config["DB_PING_AFTER_IDLE_SECONDS"])
        request_transactions.init_app(app, db.engine)
    migrate.init_app(app, db, directory=_migrations_dir())
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)

    from tenant_app import tenancy  # noqa: F401  (session events)
    from tenant_app.api import init_api
    from tenant_app.http import bodies, json_responses
    from tenant_app.http.cookie_session import CookieSessionInterface
    from tenant_app.ui import init_web

    bodies.init_app(app)  # first: nothing may read a body before it is bounded
    app.session_interface = CookieSessionInterface()
    json_responses.init_app(app)
    init_web(app, [bp for f in parts for bp in f.pages])
    init_api(app, [blp for f in parts for blp in f.api])
    from tenant_app.reminders.registry import init_sources

    init_sources(app, [src for f in parts for src in f.due])  # deadline sources (issue 16)
    from tenant_app.cases.closing import init_checks

    init_checks(app, [c for f in parts for c in f.close_checks])  # before 结案 (issue 15)
    from tenant_app.http.microcache import PublicMicroCache

    # Anonymous public pages, a few seconds from memory before the framework runs (issue 13).
    app.wsgi_app = PublicMicroCache(  # type: ignore[method-assign]
        app.wsgi_app, app.config["PUBLIC_MICROCACHE_SECONDS"]
    )
    if app.config["ENV"] == "production":
        from werkzeug.middleware.proxy_fix import ProxyFix

        # One reverse proxy in front (deploy/nginx.conf): trust its X-Forwarded-* once.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    from tenant_app.cli.commands import register_commands

    register_commands(app)
    return app


def _migrations_dir() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent / "migrations")

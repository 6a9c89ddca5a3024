"""Pages outside any tenant: the region picker, health, the language switch."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session
from sqlalchemy import text

from tenant_app.auth.permissions import PUBLIC, permission
from tenant_app.extensions import db
from tenant_app.tenants.service import list_tenants
from tenant_app.ui.i18n import LOCALES

bp = Blueprint("public", __name__)


@bp.get("/")
@permission(PUBLIC)
def index() -> str:
    return render_template("index.html", tenants=list_tenants())


@bp.get("/lang/<code>")
@permission(PUBLIC)
def set_language(code: str) -> Any:
    if code in LOCALES:
        session["lang"] = code
    target = request.args.get("next") or "/"
    return redirect(target if target.startswith("/") and not target.startswith("//") else "/")


def _database_state() -> dict[str, Any]:
    try:
        db.session.execute(text("select 1"))
        db.session.rollback()
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001 - health reports, it does not crash
        db.session.rollback()
        return {"ok": False, "error": type(exc).__name__}


def _redis_state() -> dict[str, Any]:
    if not current_app.config["REDIS_URL"]:
        return {"ok": True, "mode": "in-process"}
    from tenant_app.jobs.dispatch import redis_connection

    try:
        redis_connection().ping()
        return {"ok": True, "mode": "rq"}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "mode": "rq", "error": type(exc).__name__}


@bp.get("/healthz")
@permission(PUBLIC)
def healthz() -> Any:
    database, redis_state = _database_state(), _redis_state()
    ok = database["ok"] and redis_state["ok"]
    return jsonify(status="ok" if ok else "degraded", database=database, redis=redis_state), (
        200 if ok else 503
    )

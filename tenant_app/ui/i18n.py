"""UI language: Chinese first, English on request (kept in the session)."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session

LOCALES = {"zh_CN": "中文", "en": "English"}


def select_locale() -> str:
    if not has_request_context():  # CLI commands and jobs: the default language
        return current_app.config["DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):
        lang = request.headers.get("Accept-Language", "")
        return "en" if lang.lower().startswith("en") else current_app.config["DEFAULT_LOCALE"]
    chosen = session.get("lang")
    return chosen if chosen in LOCALES else current_app.config["DEFAULT_LOCALE"]

"""Response headers that close the common browser attacks. Assets are all local (no CDN).

Also refuses input that no database column can hold (NUL characters, lone UTF-16 surrogates
from JSON ``\\ud800`` escapes, JSON integers beyond 64 bits) before it reaches a query: a 400,
never a 500.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from tenant_app.core.errors import ServiceError
from tenant_app.http.bodies import unstorable, unstorable_message

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


class UnstorableText(ServiceError):
    status = 400
    code = "bad_request"


def _unstorable(value: Any) -> bool:
    return unstorable(value)


def init_app(app: Flask) -> None:
    # A URL value preprocessor runs before the blueprints' own (which look the tenant slug up).
    @app.url_value_preprocessor
    def _reject_unstorable_text(endpoint: str | None, view_args: dict[str, Any] | None) -> None:
        values: list[Any] = [
            request.path,
            *(x for kv in request.args.items(multi=True) for x in kv),
        ]
        # JSON bodies are checked where they are decoded (bodies.decode_json), by the view,
        # after authentication; forms (bounded by bodies.py) are parsed here, as CSRF does.
        if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            values += [x for kv in request.form.items(multi=True) for x in kv]
            values += [f.filename or "" for f in request.files.values()]
        if any(_unstorable(v) for v in values):
            raise UnstorableText(unstorable_message())

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["ENV"] == "production":
            resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return resp

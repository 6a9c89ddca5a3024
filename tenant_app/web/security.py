"""Response headers that close the common browser attacks. Assets are all local (no CDN).

Also refuses input that no database column can hold (NUL characters, lone UTF-16 surrogates
from JSON ``\\ud800`` escapes, JSON integers beyond 64 bits) before it reaches a query: a 400,
never a 500.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask_babel import gettext as _

from ..services.errors import ServiceError

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


class UnstorableText(ServiceError):
    status = 400
    code = "bad_request"


def _unstorable(value: Any) -> bool:
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, int) and not isinstance(value, bool):
        return not -(2**63) <= value < 2**63  # no BIGINT column holds it
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(v) for v in value)
    return False


def init_app(app: Flask) -> None:
    # A URL value preprocessor runs before the blueprints' own (which look the tenant slug up).
    @app.url_value_preprocessor
    def _reject_unstorable_text(endpoint: str | None, view_args: dict[str, Any] | None) -> None:
        values: list[Any] = [
            request.path,
            *(x for kv in request.args.items(multi=True) for x in kv),
        ]
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if request.is_json:
                values.append(request.get_json(silent=True))
            elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                values += [x for kv in request.form.items(multi=True) for x in kv]
        if any(_unstorable(v) for v in values):
            raise UnstorableText(
                _("请求中含有无法处理的字符（如 NUL 或无效的 Unicode 编码）或超出范围的数值")
            )

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["ENV"] == "production":
            resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return resp

"""Error answers: JSON ``{code, message, errors}`` under /api/, a Chinese page elsewhere."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db


def N_(message: str) -> str:
    """Marks a msgid for extraction; it is translated where it is used."""
    return message


MESSAGES = {
    400: N_("请求有误"),
    401: N_("请先登录或提供有效的 API 令牌"),
    403: N_("您没有权限执行此操作"),
    404: N_("没有找到您要的内容"),
    405: N_("不支持该请求方法"),
    409: N_("与现有数据冲突"),
    413: N_("上传的文件太大"),
    422: N_("提交的内容有误"),
    429: N_("请求过于频繁，请稍后再试"),
    500: N_("服务器内部错误，请稍后再试"),
    503: N_("服务暂不可用"),
}
FALLBACK = N_("请求失败")
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}


def api_error(
    status: int,
    message: str | None = None,
    errors: dict[str, Any] | None = None,
    code: str | None = None,
) -> tuple[Response, int]:
    from flask import jsonify

    body = {
        "code": code or CODES.get(status, "error"),
        "message": message or _(MESSAGES.get(status, FALLBACK)),
        "errors": errors or {},
    }
    return jsonify(body), status


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _webargs_errors(exc: HTTPException) -> dict[str, Any]:
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or {}
    flat: dict[str, Any] = {}
    for _location, fields in messages.items():
        if isinstance(fields, dict):
            flat.update(fields)
    return flat


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> Any:
        if exc.keep:
            db.session.commit()
        else:
            db.session.rollback()
        if _is_api():
            return api_error(exc.status, exc.message, exc.errors, exc.code)
        return render_template("error.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Any:
        if _is_api():
            return api_error(400, _("缺少或无效的 CSRF 令牌"))
        return render_template(
            "error.html", status=400, message=_("页面已过期或缺少安全令牌，请刷新后重试")
        ), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        if exc.response is not None:
            return exc.response
        status = exc.code or 500
        if _is_api():
            return api_error(status, errors=_webargs_errors(exc))
        return render_template(
            "error.html", status=status, message=_(MESSAGES.get(status, FALLBACK))
        ), status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        if isinstance(exc, HTTPException):
            return _http(exc)
        db.session.rollback()
        app.logger.exception("unhandled error on %s", request.path)
        if _is_api():
            return api_error(500)
        return render_template("error.html", status=500, message=_(MESSAGES[500])), 500

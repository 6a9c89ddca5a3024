"""Request bodies are bounded before they are read, and JSON is parsed only by the view.

Every route belongs to one body class, decided from the matched rule before anything reads
the body (an application URL-value preprocessor, the first thing that runs on a request):

- ``none``: GET, HEAD, OPTIONS and DELETE routes, and URLs that match no route. A declared body
  is refused with 413; the body is never read (``request.max_content_length = 0``, so even a
  chunked body is cut off at its first byte).
- ``small``: every other route (JSON and forms): ``MAX_BODY_KB``.
- ``upload``: routes marked :func:`accepts_upload` (imports, attachments, evidence, reports):
  ``MAX_UPLOAD_MB`` plus a little multipart overhead; each file's own limit is the upload store's.

The limit is set on the request, so werkzeug enforces it for bodies without a Content-Length as
well. JSON is decoded by :func:`decode_json` only when the view asks for it (webargs in the API,
``request.get_json`` elsewhere), i.e. after authentication; it refuses nesting deeper than
``MAX_JSON_DEPTH`` with a linear scan before ``json.loads`` runs, and values no column can hold
(NUL, lone surrogates, integers beyond 64 bits) afterwards, without recursion.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Request, current_app, request
from flask_babel import gettext as _

from tenant_app.core.errors import ServiceError

NONE, SMALL, UPLOAD = "none", "small", "upload"
NO_BODY_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "TRACE"})
MULTIPART_OVERHEAD = 1024 * 1024
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
# NUL and the C0 controls no XLSX cell can hold; tab, LF and CR are ordinary text
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
F = TypeVar("F", bound=Callable[..., Any])


class BodyTooLarge(ServiceError):
    status = 413
    code = "too_large"


class BadBody(ServiceError):
    status = 400
    code = "bad_request"


def unstorable_message() -> str:
    return _("请求中含有无法处理的字符（如 NUL、控制字符或无效的 Unicode 编码）或超出范围的数值")


def accepts_upload(view: F) -> F:
    """Marks a view (function or MethodView method) that takes a multipart file upload."""
    view._accepts_upload = True  # type: ignore[attr-defined]
    return view


def body_class(endpoint: str | None, method: str) -> str:
    if endpoint is None or method in NO_BODY_METHODS:
        return NONE
    view = current_app.view_functions.get(endpoint)
    handler = getattr(getattr(view, "view_class", None), method.lower(), None) or view
    return UPLOAD if getattr(handler, "_accepts_upload", False) else SMALL


def limit_for(kind: str) -> int:
    if kind == UPLOAD:
        return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024 + MULTIPART_OVERHEAD
    if kind == SMALL:
        return int(current_app.config["MAX_BODY_KB"]) * 1024
    return 0


def _declares_body() -> bool:
    length = request.content_length
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    return bool(length) or chunked


def bound_body(endpoint: str | None, view_args: dict[str, Any] | None) -> None:
    kind = body_class(endpoint, request.method)
    limit = limit_for(kind)
    request.max_content_length = limit
    length = request.content_length
    if endpoint is None:
        # 404/405 follow; nothing reads the body. A large one is refused outright.
        if length is not None and length > limit_for(SMALL):
            raise BodyTooLarge(_("请求内容太大"))
        return
    if kind == NONE and _declares_body():
        raise BodyTooLarge(_("该地址不接受请求内容"))
    if length is not None and length > limit:
        raise BodyTooLarge(
            _("请求内容超过上限（%(limit)s KB）", limit=limit // 1024)
            if kind == SMALL
            else _("上传的文件太大（上限 %(mb)s MB）", mb=current_app.config["MAX_UPLOAD_MB"])
        )


def json_depth(data: bytes) -> int:
    """Nesting depth of a JSON document, by a linear scan (string contents are skipped)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', data)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def unstorable(value: Any) -> bool:
    """True for input no column or export can hold: NUL and other C0 control characters (not
    tab, LF, CR), lone surrogates, integers beyond 64 bits.
    Iterative, so a deep document cannot exhaust the stack."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if CONTROL.search(item):
                return True
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not -(2**63) <= item < 2**63:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def decode_json(data: bytes | str) -> Any:
    """The one JSON decoding path for request bodies: depth, syntax, storable values."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    limit = int(current_app.config["MAX_JSON_DEPTH"])
    if json_depth(raw) > limit:
        raise BadBody(
            _("JSON 嵌套层数超过上限（%(limit)s 层）", limit=limit), {"json": [_("嵌套过深")]}
        )
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadBody(_("请求内容不是有效的 JSON"), {"json": [_("无法解析")]}) from None
    if unstorable(value):
        raise BadBody(unstorable_message())
    return value


class _RequestJSON:
    """What ``request.get_json()`` decodes with (werkzeug calls ``json_module.loads``)."""

    @staticmethod
    def loads(s: str | bytes, **kwargs: Any) -> Any:
        return decode_json(s)

    @staticmethod
    def dumps(obj: Any, **kwargs: Any) -> str:
        return current_app.json.dumps(obj, **kwargs)


class BoundedRequest(Request):
    json_module = _RequestJSON


def init_app(app: Flask) -> None:
    """Must run before any other URL-value preprocessor is registered (they could read)."""
    app.request_class = BoundedRequest
    app.url_value_preprocessor(bound_body)

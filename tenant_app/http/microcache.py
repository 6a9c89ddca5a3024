"""A few seconds of memory for anonymous public pages, in front of the whole application.

The public pages (positive list, notices, publications, enforcement publicity, draws) are the
ones the public reads, and the ones a crowd reads at once when a list is published. Each is
already cached by publication version (ui/public_cache.py) and by the reverse proxy
(deploy/nginx.conf), but a request that reaches the app still pays the framework: session,
login manager, locale, the version read, security headers — most of the per-request cost
(docs/performance.md). This layer answers a repeat of the same anonymous request from memory for
``PUBLIC_MICROCACHE_SECONDS`` (default 5) before any of that runs.

What it may answer, and why it stays correct:

- only ``GET`` under ``/<tenant>/public/`` with no ``Cookie`` and no ``Authorization``: a signed-in
  person, a visitor with a language choice or a pending message always reaches the app;
- only what the app itself marked shareable: status 200, ``Cache-Control: public``, no
  ``Set-Cookie``, a ``Content-Length`` of at most ``MAX_BODY`` (a streamed export passes by);
- keyed by host, scheme, path, query and ``Accept-Language``; the stored status and headers are
  replayed unchanged (the ETag included), and a matching ``If-None-Match`` gets a 304;
- a publication is visible after at most the lifetime, in each process: the same bounded delay
  the proxy already has for five minutes, chosen because a 公示 runs for days.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

MAX_BODY = 2 * 1024 * 1024
MAX_ENTRIES = 512

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class _Entry:
    expires: float
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str


def _header(headers: list[tuple[str, str]], name: str) -> str:
    return next((v for k, v in headers if k.lower() == name), "")


class PublicMicroCache:
    def __init__(self, app: WSGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds
        self._entries: OrderedDict[tuple[str, ...], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _eligible(environ: dict[str, Any]) -> bool:
        path = environ.get("PATH_INFO", "")
        return (
            environ.get("REQUEST_METHOD") == "GET"
            and "HTTP_COOKIE" not in environ
            and "HTTP_AUTHORIZATION" not in environ
            and path.count("/") >= 3
            and path.split("/", 3)[2] == "public"
        )

    @staticmethod
    def _key(environ: dict[str, Any]) -> tuple[str, ...]:
        return (
            environ.get("HTTP_HOST", ""),
            environ.get("wsgi.url_scheme", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT_LANGUAGE", ""),
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.seconds <= 0 or not self._eligible(environ):
            return self.app(environ, start_response)
        key = self._key(environ)
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None and hit.expires > now:
            if hit.etag and hit.etag in environ.get("HTTP_IF_NONE_MATCH", ""):
                kept = [(k, v) for k, v in hit.headers if k.lower() != "content-length"]
                start_response("304 NOT MODIFIED", kept)
                return [b""]
            start_response(hit.status, hit.headers)
            return [hit.body]
        seen: dict[str, Any] = {}

        def remember(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, list(headers)
            return start_response(status, headers, exc_info)

        body = self.app(environ, remember)
        headers: list[tuple[str, str]] = seen.get("headers", [])
        length = _header(headers, "content-length")
        if not (
            seen.get("status", "").startswith("200")
            and "public" in _header(headers, "cache-control")
            and not _header(headers, "set-cookie")
            and length.isdigit()
            and int(length) <= MAX_BODY
        ):
            return body
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        entry = _Entry(now + self.seconds, seen["status"], headers, data, _header(headers, "etag"))
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return [data]

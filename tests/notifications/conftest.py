"""Helpers of the notification tests: acting inside a tenant as one of its people, a local
webhook receiver (http.server thread) and a local SMTP server (aiosmtpd)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from tenant_app.context import Context
from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import scope_for, system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import tenant


def user_id(username: str) -> int:
    with use_scope(system_scope()):
        return int(
            db.session.execute(select(User.id).where(User.username == username)).scalar_one()
        )


@contextmanager
def as_person(username: str, slug: str) -> Iterator[Context]:
    """A service call as that person in that tenant (roles checked as for a page)."""
    t = tenant(slug)
    with use_scope(system_scope()):
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
    with use_scope(scope_for(t, user)) as scope:
        ctx = scope_context(scope)
        yield Context(tenant=ctx.tenant, scope=scope, actor=ctx.actor, checks_roles=True)


@contextmanager
def as_system(slug: str) -> Iterator[Context]:
    """A job's context in that tenant (the system acts)."""
    t = tenant(slug)
    with use_scope(system_scope(t.id)) as scope:
        yield scope_context(scope)


class Receiver:
    """A local webhook endpoint: answers the queued status codes in turn (then 200) and keeps
    every request (headers, body)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                code = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def verified(self, secret: str, req: dict[str, Any]) -> dict[str, Any]:
        """The body, once its signatures check out as a receiver must check them."""
        body = req["body"]
        want = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(req["headers"]["X-Signature-256"], want)
        stamp = req["headers"]["X-Webhook-Timestamp"]
        want_ts = (
            "sha256="
            + hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        )
        assert hmac.compare_digest(req["headers"]["X-Signature-256-Timestamped"], want_ts)
        return json.loads(body)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver(app: Any) -> Iterator[Receiver]:
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True  # the receiver listens on 127.0.0.1
    r = Receiver()
    yield r
    r.close()
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        import email

        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append({"to": list(envelope.rcpt_tos), "msg": msg})
        return "250 OK"


@pytest.fixture()
def smtp(app: Any) -> Iterator[Mailbox]:
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config[k] for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS", "SMTP_FROM")}
    app.config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, SMTP_FROM="noreply@test.gov.cn"
    )
    yield box
    app.config.update(saved)
    controller.stop()

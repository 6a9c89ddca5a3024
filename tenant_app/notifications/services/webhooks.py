"""Signed webhooks (issue 16 item 4): a tenant's subscriptions (URL, secret, kinds), managed by
its admins, and the delivery of each event in jobs with retries and a delivery log.

A delivery POSTs the event's JSON body with

* ``X-Signature-256: sha256=<hex HMAC-SHA256 of the body with the subscription's secret>``;
* ``X-Webhook-Timestamp`` (Unix seconds of this attempt) and
  ``X-Signature-256-Timestamped: sha256=<hex HMAC-SHA256 of "<timestamp>." + body>``, so a
  receiver refuses a replay by rejecting an old timestamp (the body alone cannot say when it
  was sent: a retry sends the same body);
* ``X-Webhook-Delivery`` (the delivery's id: a receiver deduplicates retries with it).

A failed attempt (no answer, or not 2xx) is retried after ``WEBHOOK_RETRY_BASE_SECONDS`` × 2^n
by the periodic job ``notifications.retry_webhooks``, up to ``WEBHOOK_MAX_ATTEMPTS``.

SSRF: only http(s) URLs; unless ``WEBHOOK_ALLOW_PRIVATE``, a host resolving to a private,
loopback, link-local or reserved address is refused when saved and again before each attempt,
and redirects are never followed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tenant_app.audit import log as audit
from tenant_app.auth.permissions import require_action
from tenant_app.auth.roles import Perm
from tenant_app.clock import utcnow
from tenant_app.context import Context
from tenant_app.core.errors import ServiceError, ValidationFailed
from tenant_app.extensions import db
from tenant_app.models import WebhookDelivery, WebhookSubscription
from tenant_app.models.notification import NOTIFICATION_KINDS

LOG_PAGE = 100


class WebhookNotFound(ServiceError):
    status = 404
    code = "not_found"


class UnsafeUrl(ValueError):
    """The URL is not one a webhook may call (scheme or address)."""


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def sign_timestamped(secret: str, timestamp: str, body: bytes) -> str:
    return sign(secret, timestamp.encode() + b"." + body)


def check_url(url: str, *, allow_private: bool | None = None) -> None:
    """Raise UnsafeUrl when ``url`` is not http(s) or (unless allowed) reaches a private address."""
    if allow_private is None:
        allow_private = bool(current_app.config["WEBHOOK_ALLOW_PRIVATE"])
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl(str(_l("只能使用 http 或 https 地址")))
    if parts.username or parts.password:
        raise UnsafeUrl(str(_l("地址中不能包含用户名或密码")))
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeUrl(str(_l("无法解析该地址的主机名"))) from exc
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if (
            ip.is_private
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_reserved
            or ip.is_multicast
            or ip.is_unspecified
        ):
            raise UnsafeUrl(str(_l("该地址指向内网或本机，不允许作为推送地址")))


def _require(ctx: Context) -> None:
    require_action(ctx, Perm.WEBHOOKS_MANAGE)


def subscriptions(ctx: Context) -> list[WebhookSubscription]:
    _require(ctx)
    return list(
        db.session.execute(
            select(WebhookSubscription)
            .where(WebhookSubscription.tenant_id == ctx.tenant_id)
            .order_by(WebhookSubscription.id)
        ).scalars()
    )


def get(ctx: Context, subscription_id: int) -> WebhookSubscription:
    _require(ctx)
    row = db.session.execute(
        select(WebhookSubscription).where(
            WebhookSubscription.id == subscription_id,
            WebhookSubscription.tenant_id == ctx.tenant_id,
        )
    ).scalar_one_or_none()
    if row is None:
        raise WebhookNotFound("没有这个推送订阅")
    return row


def create(ctx: Context, *, name: str, url: str, kinds: Iterable[str]) -> WebhookSubscription:
    _require(ctx)
    errors: dict[str, list[str]] = {}
    name, url = (name or "").strip(), (url or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [str(_l("名称必填，不超过100字"))]
    if not url or len(url) > 500:
        errors["url"] = [str(_l("推送地址必填，不超过500字符"))]
    else:
        try:
            check_url(url)
        except UnsafeUrl as exc:
            errors["url"] = [str(exc)]
    chosen = list(dict.fromkeys(k for k in kinds if k))
    if any(k not in NOTIFICATION_KINDS for k in chosen):
        errors["kinds"] = [str(_l("通知类型不存在"))]
    if errors:
        raise ValidationFailed(str(_l("提交的内容有误")), errors)
    row = WebhookSubscription(
        name=name,
        url=url,
        secret=secrets.token_hex(32),
        kinds=chosen,
        active=True,
        created_by=ctx.user_id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        ctx,
        "webhooks.create",
        object_type="webhook_subscription",
        object_id=row.id,
        after={"name": name, "url": url, "kinds": chosen},
    )
    return row


def deactivate(ctx: Context, subscription_id: int) -> WebhookSubscription:
    row = get(ctx, subscription_id)
    if row.active:
        row.active = False
        audit.record(
            ctx,
            "webhooks.deactivate",
            object_type="webhook_subscription",
            object_id=row.id,
            before={"active": True},
            after={"active": False},
        )
    return row


def deliveries(ctx: Context, subscription_id: int | None = None) -> list[WebhookDelivery]:
    _require(ctx)
    stmt = select(WebhookDelivery).where(WebhookDelivery.tenant_id == ctx.tenant_id)
    if subscription_id is not None:
        stmt = stmt.where(WebhookDelivery.subscription_id == subscription_id)
    return list(
        db.session.execute(stmt.order_by(WebhookDelivery.id.desc()).limit(LOG_PAGE)).scalars()
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _post(url: str, body: bytes, headers: dict[str, str], timeout: int) -> int:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with opener.open(request, timeout=timeout) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def attempt(ctx: Context, delivery_id: int) -> WebhookDelivery | None:
    """One attempt of one delivery (a job; no permission: the system sends what was queued)."""
    row = db.session.execute(
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.tenant_id == ctx.tenant_id
        )
    ).scalar_one_or_none()
    if row is None or row.status in ("delivered", "failed"):
        return row
    sub = db.session.get(WebhookSubscription, row.subscription_id)
    cfg = current_app.config
    now = utcnow()
    row.attempts += 1
    code: int | None = None
    error = ""
    if sub is None or not sub.active or sub.tenant_id != row.tenant_id:
        error = "订阅已停用"
        row.attempts = max(row.attempts, int(cfg["WEBHOOK_MAX_ATTEMPTS"]))
    else:
        body = row.body.encode()
        stamp = str(int(now.timestamp()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "tenant-app-webhook/1",
            "X-Signature-256": sign(sub.secret, body),
            "X-Webhook-Timestamp": stamp,
            "X-Signature-256-Timestamped": sign_timestamped(sub.secret, stamp, body),
            "X-Webhook-Delivery": str(row.id),
            "X-Webhook-Kind": row.kind,
        }
        try:
            check_url(sub.url)
            code = _post(sub.url, body, headers, int(cfg["WEBHOOK_TIMEOUT_SECONDS"]))
            if not 200 <= code < 300:
                error = f"HTTP {code}"
        except UnsafeUrl as exc:
            error = str(exc)
            row.attempts = max(row.attempts, int(cfg["WEBHOOK_MAX_ATTEMPTS"]))
        except (OSError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
    row.last_status_code, row.last_error = code, error[:500]
    if not error:
        row.status, row.delivered_at, row.next_attempt_at = "delivered", now, None
    elif row.attempts >= int(cfg["WEBHOOK_MAX_ATTEMPTS"]):
        row.status, row.next_attempt_at = "failed", None
    else:
        wait = int(cfg["WEBHOOK_RETRY_BASE_SECONDS"]) * 2 ** (row.attempts - 1)
        row.status, row.next_attempt_at = "retrying", now + timedelta(seconds=wait)
    return row


def retry_due(ctx: Context, limit: int = 200) -> int:
    """Attempt again every delivery of the tenant whose backoff has passed."""
    ids = list(
        db.session.execute(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.tenant_id == ctx.tenant_id,
                WebhookDelivery.status == "retrying",
                WebhookDelivery.next_attempt_at <= utcnow(),
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
        ).scalars()
    )
    for delivery_id in ids:
        attempt(ctx, delivery_id)
        db.session.commit()  # each attempt is kept, whatever happens to the next
    return len(ids)

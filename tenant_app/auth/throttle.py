"""The login throttle: protects accounts without letting anyone lock them (docs/security.md).

Counted atomically through the one rate limiter (core/ratelimit.py) *before* the password
is checked, and given back when the login succeeds, so N parallel guesses against a limit of L
get exactly L evaluated.

* A browser that logged in as this account before carries a signed device cookie: its attempts
  count only against that device (``login:dev:<id>``), so an attacker elsewhere never locks the
  real user out of their known device.
* Any other attempt counts against its address (``login:addr:<address>``; over the limit the
  address is refused for the window) and against the account (``login:acct:<name>``). Over the
  account's limit an unknown device is slowed down, never locked: one attempt per delay that
  doubles with each further failure (2 s, 4 s, … up to the window), after a wait it is always
  evaluated again.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from tenant_app.core import ratelimit
from tenant_app.core.errors import Throttled

DEVICE_COOKIE = "login_device"
_SALT = "login-device"


@dataclass
class Admission:
    """The counted attempt: given back if the login succeeds."""

    hits: list[ratelimit.Hit] = field(default_factory=list)

    def succeeded(self) -> None:
        for h in self.hits:
            ratelimit.undo(h)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def device_cookie_name() -> str:
    return "__Host-login_device" if current_app.config["ENV"] == "production" else DEVICE_COOKIE


def new_device(user_id: int) -> str:
    """A fresh signed device cookie value for this account."""
    return _serializer().dumps({"u": user_id, "d": secrets.token_urlsafe(16)})


def known_device(raw: str | None, user_id: int | None) -> str | None:
    """The device id when ``raw`` is a valid device cookie issued to this account, else None."""
    if not raw or user_id is None:
        return None
    max_age = current_app.config["LOGIN_DEVICE_DAYS"] * 86400
    try:
        data = _serializer().loads(raw, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user_id:
        return None
    device = data.get("d")
    return device if isinstance(device, str) else None


def _refuse(hits: list[ratelimit.Hit], message: str, retry_after: int) -> Throttled:
    for h in hits:
        ratelimit.undo(h)
    return Throttled(message, retry_after=retry_after)


def admit(username: str, address: str, device: str | None) -> Admission:
    """Count one attempt, or raise Throttled (the attempt is then not evaluated nor counted)."""
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    window = current_app.config["LOGIN_WINDOW_SECONDS"]
    name = username.strip().lower()
    if device is not None:
        h = ratelimit.hit(f"login:dev:{device}", limit, window)
        if not h.allowed:
            raise _refuse([h], _("登录失败次数过多，请稍后再试"), h.retry_after)
        return Admission([h])
    addr = ratelimit.hit(f"login:addr:{address}", limit, window)
    if not addr.allowed:
        raise _refuse([addr], _("登录失败次数过多，请稍后再试"), addr.retry_after)
    acct = ratelimit.hit(f"login:acct:{name}", limit, window)
    hits = [addr, acct]
    if not acct.allowed:
        delay = min(2 ** min(acct.count - limit, 16), window)
        slot = ratelimit.claim(f"login:slow:{name}", delay)
        if not slot.allowed:
            raise _refuse(
                hits,
                _(
                    "该账号近期登录失败较多，为保护账号，请 %(n)s 秒后再试",
                    n=slot.retry_after,
                ),
                slot.retry_after,
            )
    return Admission(hits)

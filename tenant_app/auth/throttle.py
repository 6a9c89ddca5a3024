"""Failed-login throttle per account and per address, over a sliding window."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select

from ..clock import utcnow
from ..extensions import db
from ..models import LoginFailure


def _keys(username: str, address: str) -> list[str]:
    return [f"acct:{username.strip().lower()}", f"addr:{address}"]


def is_throttled(username: str, address: str) -> bool:
    window = utcnow() - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    counts = db.session.execute(
        select(LoginFailure.key, func.count())
        .where(LoginFailure.at >= window)
        .where(or_(*(LoginFailure.key == k for k in _keys(username, address))))
        .group_by(LoginFailure.key)
    ).all()
    return any(n >= limit for _, n in counts)


def record_failure(username: str, address: str) -> None:
    db.session.add_all([LoginFailure(key=k) for k in _keys(username, address)])


def purge_expired() -> int:
    cutoff = utcnow() - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"] * 2)
    result = db.session.execute(delete(LoginFailure).where(LoginFailure.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)

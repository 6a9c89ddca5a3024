"""Server-side page sessions and the API tokens' lifetime (docs/security.md).

The signed cookie carries a random session id; its SHA-256 is a ``UserSession`` row. A request
whose id has no live row is anonymous, so a cookie copied before logout, a password change, a
deactivation or a role revocation no longer works after it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from tenant_app import clock
from tenant_app.extensions import db
from tenant_app.models import ApiToken, User, UserSession

SESSION_KEY = "sid"
_TOUCH_EVERY = timedelta(seconds=60)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def open_session(
    user: User, tenant_id: int, address: str, user_agent: str
) -> tuple[UserSession, str]:
    """A new live session; the raw id goes into the cookie and is never stored."""
    raw = secrets.token_urlsafe(32)
    row = UserSession(
        user_id=user.id,
        sid_hash=_digest(raw),
        login_tenant_id=tenant_id,
        address=address[:64],
        user_agent=user_agent[:200],
    )
    db.session.add(row)
    db.session.flush()
    return row, raw


def live_session(raw: str | None, user_id: int) -> UserSession | None:
    """The live session of this cookie id for this user, else None (and its last-seen time)."""
    if not raw:
        return None
    row = db.session.execute(
        select(UserSession).where(UserSession.sid_hash == _digest(raw))
    ).scalar_one_or_none()
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        return None
    now = clock.utcnow()
    if now - row.last_seen_at > _TOUCH_EVERY:
        # Its own short transaction: the request's work is not committed with it.
        with db.engine.begin() as conn:
            conn.execute(
                update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now)
            )
    return row


def revoke_sessions(
    user_id: int,
    reason: str,
    *,
    keep_id: int | None = None,
    tenant_ids: tuple[int, ...] | None = None,
) -> list[int]:
    """End the user's live sessions (all, all but ``keep_id``, or those opened at the given
    tenants); returns their ids. Written in the caller's transaction."""
    stmt = select(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
    )
    if tenant_ids is not None:
        stmt = stmt.where(UserSession.login_tenant_id.in_(tenant_ids))
    ended = []
    now = clock.utcnow()
    for row in db.session.execute(stmt).scalars():
        if row.id == keep_id:
            continue
        row.revoked_at, row.revoked_reason = now, reason
        ended.append(row.id)
    return ended


def active_sessions(user_id: int) -> list[UserSession]:
    return list(
        db.session.execute(
            select(UserSession)
            .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        ).scalars()
    )


def active_tokens(user_id: int) -> list[ApiToken]:
    now = clock.utcnow()
    rows = db.session.execute(
        select(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id.desc())
    ).scalars()
    return [t for t in rows if t.expires_at is None or t.expires_at > now]

"""Bearer API tokens: shown once, stored as SHA-256, revocable, optionally expiring.

A token minted with another token never outlives it: its expiry is capped at the parent's and
revoking a token revokes every token minted from it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tenant_app import clock
from tenant_app.extensions import db
from tenant_app.models import ApiToken, User

TOKEN_PREFIX = "ta_"
# A token's use is recorded at most this often: a read writes nothing in between (issue 13).
LAST_USED_EVERY = timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def capped_expiry(requested: datetime | None, parent: ApiToken | None) -> datetime | None:
    if parent is None or parent.expires_at is None:
        return requested
    if requested is None:
        return parent.expires_at
    return min(requested, parent.expires_at)


def issue_token(
    user: User,
    name: str = "",
    *,
    parent: ApiToken | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name,
        prefix=raw[:10],
        token_hash=_digest(raw),
        parent_id=parent.id if parent is not None else None,
        expires_at=capped_expiry(expires_at, parent),
    )
    db.session.add(row)
    return row, raw


def token_for(raw: str) -> ApiToken | None:
    """The live token of this raw value (not revoked, not expired, its user active), with its
    user in the same query. Its ``last_used_at`` is set only when older than
    ``LAST_USED_EVERY``; ``needs_use_recorded`` says whether the caller must commit it."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    row = db.session.execute(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == _digest(raw))
    ).scalar_one_or_none()
    now = clock.utcnow()
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.last_used_at is None or row.last_used_at <= now - LAST_USED_EVERY:
        row.last_used_at = now
    return row


def needs_use_recorded(row: ApiToken) -> bool:
    return row in db.session.dirty


def user_for_token(raw: str) -> User | None:
    row = token_for(raw)
    return row.user if row is not None else None


def revoke(token: ApiToken) -> list[ApiToken]:
    """Revoke the token and every token minted from it; returns those newly revoked."""
    now = clock.utcnow()
    done: list[ApiToken] = []
    todo = [token]
    while todo:
        row = todo.pop()
        if row.revoked_at is None:
            row.revoked_at = now
            done.append(row)
        todo += list(
            db.session.execute(select(ApiToken).where(ApiToken.parent_id == row.id)).scalars()
        )
    return done


def revoke_all(user_id: int) -> list[ApiToken]:
    now = clock.utcnow()
    rows = list(
        db.session.execute(
            select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        ).scalars()
    )
    for row in rows:
        row.revoked_at = now
    return rows

"""Bearer API tokens: shown once, stored as SHA-256, revocable, optionally expiring.

A token minted with another token never outlives it: its expiry is capped at the parent's and
revoking a token revokes every token minted from it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, literal_column, select, true
from sqlalchemy.orm.attributes import set_committed_value

from tenant_app import clock
from tenant_app.extensions import db
from tenant_app.models import ApiToken, User
from tenant_app.models.attach import attached
from tenant_app.tenancy.guard import SCOPE_SETTINGS

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


_TOKEN_COLUMNS = tuple(ApiToken.__table__.c)
_USER_COLUMNS = tuple(c for c in User.__table__.c if c.key != "password_hash")
# The token and its user in one statement of labelled columns: every API request runs it, and
# building the two instances from the row costs a fraction of an entity query with a joined
# load (issue 13 item 1). The mapped attributes, not the table's columns: the statement stays
# an ORM one, which flushes what the session holds before reading, as the entity query did.
_LABELLED = (
    *(getattr(ApiToken, c.key).label(f"t_{c.key}") for c in _TOKEN_COLUMNS),
    *(getattr(User, c.key).label(f"u_{c.key}") for c in _USER_COLUMNS),
)
_TOKEN_ROW = (
    select(*_LABELLED)
    .join_from(ApiToken.__table__, User.__table__, ApiToken.__table__.c.user_id == User.id)
    .where(ApiToken.__table__.c.token_hash == bindparam("digest"))
)
# The same row carried by the statement that sets the request's scope, for a token this process
# has seen (auth/api.py): a LEFT JOIN from one row, so the settings are made even when the
# token is gone (its columns are then NULL).
_ONE = select(literal_column("1").label("one")).subquery("one")
_TOKEN_SUB = _TOKEN_ROW.subquery("tok")
TOKEN_WITH_SCOPE = select(*SCOPE_SETTINGS, *_TOKEN_SUB.c).select_from(
    _ONE.outerjoin(_TOKEN_SUB, true())
)

# digest → (user id, auth_version) of a token this process found live: the scope a request
# with it most likely has, set speculatively with the token's row read in the same statement.
_SEEN_MAX = 100_000
_seen: dict[str, tuple[int, int]] = {}


def digest_of(raw: str) -> str | None:
    return _digest(raw) if raw.startswith(TOKEN_PREFIX) else None


def seen_user(digest: str) -> tuple[int, int] | None:
    return _seen.get(digest)


def token_for(raw: str) -> ApiToken | None:
    """The live token of this raw value (not revoked, not expired, its user active), with its
    user, in one statement. Its ``last_used_at`` is set only when older than
    ``LAST_USED_EVERY``; ``needs_use_recorded`` says whether the caller must commit it."""
    digest = digest_of(raw)
    if digest is None:
        return None
    return token_from_row(digest, db.session.execute(_TOKEN_ROW, {"digest": digest}).first())


def token_from_row(digest: str, found: Any) -> ApiToken | None:
    """The live token in a row of ``_TOKEN_ROW``'s columns (None, or NULLs: no such token)."""
    if found is None or found.t_id is None:
        _seen.pop(digest, None)
        return None
    values = found._mapping
    t = {c.key: values[f"t_{c.key}"] for c in _TOKEN_COLUMNS}
    u = {c.key: values[f"u_{c.key}"] for c in _USER_COLUMNS}
    now = clock.utcnow()
    if (
        t["revoked_at"] is not None
        or not u["active"]
        or (t["expires_at"] is not None and t["expires_at"] <= now)
    ):
        _seen.pop(digest, None)
        return None
    row: ApiToken = attached(ApiToken, t)
    user: User = attached(User, u)
    set_committed_value(row, "user", user)
    # From the row's values, not the instances: an instance already in the session may be
    # expired, and reading it would flush the session in the middle of this.
    if len(_seen) >= _SEEN_MAX:
        _seen.clear()
    _seen[digest] = (u["id"], u["auth_version"] or 0)
    if t["last_used_at"] is None or t["last_used_at"] <= now - LAST_USED_EVERY:
        row.last_used_at = now
        row.__dict__[_USE_PENDING] = True
    return row


_USE_PENDING = "_tenant_app_use_pending"


def needs_use_recorded(row: ApiToken) -> bool:
    """Whether ``token_for`` marked this token's use to be committed now (and forget the mark):
    a mark, not ``session.dirty``, which a flush in between would have emptied, leaving the
    write uncommitted for the rest of the request."""
    return bool(row.__dict__.pop(_USE_PENDING, False))


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

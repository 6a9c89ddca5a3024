"""The one rate limiter: atomic fixed-window counters, in Redis when Redis is configured
(``RATELIMIT_REDIS_URL``, else ``REDIS_URL``), in the database otherwise.

Callers count *before* they act (``hit``, or ``claim`` for "one per N seconds"): the increment and the comparison are one atomic
step in the store, so N parallel requests against a limit of L let exactly L through. A caller
that decides afterwards that the event should not count (a login that succeeded) gives it back
with ``undo``. Used by the login throttle (auth/throttle.py), enterprise registration and public
objections; docs/security.md.

A window is a fixed bucket ``floor(now / window)``: at a bucket boundary up to 2 × limit events
can pass within one window's length, which the callers' limits allow for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import redis
from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from tenant_app import clock
from tenant_app.extensions import db
from tenant_app.models import RateLimitCounter


@dataclass(frozen=True)
class Hit:
    key: str
    bucket: int
    count: int
    limit: int
    window: int
    at: datetime

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def retry_after(self) -> int:
        """Seconds until this key's bucket ends."""
        end = (self.bucket + 1) * self.window
        return max(1, math.ceil(end - self.at.timestamp()))


@dataclass(frozen=True)
class Claim:
    allowed: bool
    retry_after: int  # seconds until the key can be claimed again (0 when allowed)


class Backend(Protocol):
    def incr(self, key: str, bucket: int, window: int) -> int: ...

    def decr(self, key: str, bucket: int, window: int) -> None: ...

    def get(self, key: str, bucket: int) -> int: ...

    def claim(self, key: str, seconds: int, at: datetime) -> Claim: ...


class DatabaseBackend:
    """One row per (key, bucket); the upsert's row lock makes the increment atomic. Runs on its
    own connection and commits at once, so a count survives the request's rollback."""

    def _upsert(self, key: str, bucket: int, window: int, delta: int) -> int:
        expires = datetime.fromtimestamp((bucket + 2) * window, tz=clock.utcnow().tzinfo)
        engine = db.engine
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        table = RateLimitCounter.__table__
        stmt = dialect.insert(table).values(
            key=key, bucket=bucket, count=max(delta, 0), expires_at=expires
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.key, table.c.bucket],
            set_={"count": table.c.count + delta},
        ).returning(table.c.count)
        with engine.begin() as conn:
            return int(conn.execute(stmt).scalar_one())

    def incr(self, key: str, bucket: int, window: int) -> int:
        return self._upsert(key, bucket, window, 1)

    def decr(self, key: str, bucket: int, window: int) -> None:
        self._upsert(key, bucket, window, -1)

    def claim(self, key: str, seconds: int, at: datetime) -> Claim:
        """Insert, or move ``expires_at`` forward only if it has passed: one atomic statement
        (the row lock serialises racing claims; the loser's WHERE fails, so nothing returns)."""
        engine = db.engine
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        table = RateLimitCounter.__table__
        until = at + timedelta(seconds=seconds)
        stmt = dialect.insert(table).values(key=key, bucket=0, count=1, expires_at=until)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.key, table.c.bucket],
            set_={"expires_at": until, "count": table.c.count + 1},
            where=table.c.expires_at <= at,
        ).returning(table.c.count)
        with engine.begin() as conn:
            if conn.execute(stmt).first() is not None:
                return Claim(True, 0)
            held = conn.execute(
                select(table.c.expires_at).where(table.c.key == key, table.c.bucket == 0)
            ).scalar_one()
        if held.tzinfo is None:  # SQLite hands back naive UTC
            held = held.replace(tzinfo=UTC)
        return Claim(False, max(1, math.ceil((held - at).total_seconds())))

    def get(self, key: str, bucket: int) -> int:
        table = RateLimitCounter.__table__
        with db.engine.connect() as conn:
            n = conn.execute(
                select(table.c.count).where(table.c.key == key, table.c.bucket == bucket)
            ).scalar_one_or_none()
        return int(n or 0)


class RedisBackend:
    """INCR and EXPIRE in one MULTI: atomic in Redis, the key expires with its bucket."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client, self.prefix = client, prefix

    def _name(self, key: str, bucket: int) -> str:
        return f"{self.prefix}{key}:{bucket}"

    def incr(self, key: str, bucket: int, window: int) -> int:
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(self._name(key, bucket))
        pipe.expire(self._name(key, bucket), window * 2)
        count, _ = pipe.execute()
        return int(count)

    def decr(self, key: str, bucket: int, window: int) -> None:
        self.client.decr(self._name(key, bucket))

    def claim(self, key: str, seconds: int, at: datetime) -> Claim:
        """SET NX with an expiry: atomic, and the key frees itself."""
        name = f"{self.prefix}{key}:claim"
        if self.client.set(name, 1, nx=True, ex=seconds):
            return Claim(True, 0)
        ttl = int(self.client.ttl(name))  # type: ignore[arg-type]
        return Claim(False, max(1, ttl))

    def get(self, key: str, bucket: int) -> int:
        raw = self.client.get(self._name(key, bucket))
        return int(raw) if raw is not None else 0  # type: ignore[arg-type]


_redis_clients: dict[str, redis.Redis] = {}


def backend() -> Backend:
    url = current_app.config.get("RATELIMIT_REDIS_URL") or current_app.config.get("REDIS_URL")
    if not url:
        return DatabaseBackend()
    client = _redis_clients.get(url)
    if client is None:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        _redis_clients[url] = client
    return RedisBackend(client, current_app.config.get("RATELIMIT_PREFIX", "tenant_app:rl:"))


def _bucket(at: datetime, window: int) -> int:
    return int(at.timestamp() // window)


def hit(key: str, limit: int, window: int, store: Backend | None = None) -> Hit:
    """Count one event for ``key`` and say whether it is within ``limit`` per ``window`` s."""
    store = store or backend()
    at = clock.utcnow()
    bucket = _bucket(at, window)
    count = store.incr(key, bucket, window)
    return Hit(key=key, bucket=bucket, count=count, limit=limit, window=window, at=at)


def undo(h: Hit, store: Backend | None = None) -> None:
    """Give an event back (it turned out not to count)."""
    (store or backend()).decr(h.key, h.bucket, h.window)


def claim(key: str, seconds: int, store: Backend | None = None) -> Claim:
    """At most one event per ``seconds`` for ``key``, counted from the last one let through
    (a progressive delay passes a growing ``seconds``)."""
    return (store or backend()).claim(key, seconds, clock.utcnow())


def peek(key: str, window: int, store: Backend | None = None) -> int:
    """Events counted for ``key`` in the current window, without counting one."""
    return (store or backend()).get(key, _bucket(clock.utcnow(), window))


def purge_expired() -> int:
    """Drop the database counters of windows that ended (Redis keys expire by themselves)."""
    result = db.session.execute(
        delete(RateLimitCounter).where(RateLimitCounter.expires_at < clock.utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)

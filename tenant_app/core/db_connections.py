"""How the app's database connections are checked and decoded (issue 13 item 1).

Checking a pooled connection before each use (``pool_pre_ping``) cost a round trip and two
autocommit switches on every request: at a few hundred requests a second the database spent as
long answering those pings as running the list's query. A connection checked back in moments
ago is almost certainly alive, so it is pinged only when it has sat idle in the pool for
``DB_PING_AFTER_IDLE_SECONDS``: after a restart or failover of the database, the idle
connections are replaced before use, and a connection that died within the interval fails one
statement, which SQLAlchemy recognises as a disconnect and answers by replacing the whole pool.

JSON columns are decoded by psycopg; orjson does it several times faster than the standard
library (the tags of every row of a list page). The standard library still decodes what orjson
would not read exactly (an integer beyond 64 bits, which ``jsonb`` may hold) or refuses.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import orjson
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

_CHECKED_IN = "tenant_app.checked_in"


def _now() -> float:
    return time.monotonic()


# orjson reads an integer beyond 64 bits as a float, silently rounded; the standard library
# keeps it exact. A run of 19 digits or more (in a number or a string) goes to the latter.
_LONG_DIGITS = re.compile(rb"[0-9]{19,}")
_LONG_DIGITS_TEXT = re.compile(r"[0-9]{19,}")


def json_loads(data: bytes | str) -> Any:
    """psycopg hands bytes (PostgreSQL); SQLAlchemy's JSON type a string (SQLite)."""
    long_digits = _LONG_DIGITS_TEXT if isinstance(data, str) else _LONG_DIGITS
    if long_digits.search(data):  # type: ignore[arg-type]
        return json.loads(data)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:  # what PostgreSQL's json type keeps and orjson refuses
        return json.loads(data)


def engine_options(configured: dict[str, Any]) -> dict[str, Any]:
    """The engine's options: what configuration gives, with orjson decoding JSON columns."""
    return {"json_deserializer": json_loads, **configured}


def install(engine: Engine, ping_after_idle: float) -> None:
    """Ping a connection on checkout only after ``ping_after_idle`` seconds in the pool."""

    @event.listens_for(engine, "checkin")
    def _remember_checkin(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None:
            record.info[_CHECKED_IN] = _now()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        # a fresh connection has no check-in time: it was just opened, nothing to check
        idle_since = record.info.get(_CHECKED_IN)
        if idle_since is None or _now() - idle_since < ping_after_idle:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError() from error  # the pool reconnects and retries
            raise
        if not alive:
            raise exc.DisconnectionError()

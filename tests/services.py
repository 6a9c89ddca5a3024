"""Which real services a test run has, and what a missing one means.

REQUIRE_SERVICES=1 (set by .ci/run) turns "skip: no PostgreSQL/Redis/Chromium" into a failure,
so CI can never go green by skipping the tests that matter.
"""

from __future__ import annotations

import os
import shutil
import socket

import pytest

REQUIRE = os.environ.get("REQUIRE_SERVICES") == "1"
PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def missing(what: str) -> None:
    if REQUIRE:
        pytest.fail(f"{what} is required in this run (REQUIRE_SERVICES=1) but is not available")
    pytest.skip(f"{what} not available")


def need_postgres() -> str:
    if not _port_open("127.0.0.1", 5432):
        missing("PostgreSQL at 127.0.0.1:5432")
    return PG_ADMIN_URL


def need_redis() -> str:
    if not _port_open("127.0.0.1", 6379):
        missing("Redis at 127.0.0.1:6379")
    return REDIS_URL


def need_chromium() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        missing(f"Chromium at {CHROMIUM}")
    return CHROMIUM

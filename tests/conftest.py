"""Shared fixtures.

The app under test runs on SQLite with in-process jobs unless TEST_DATABASE_URL names a
PostgreSQL server (CI does), in which case every test runs on a fresh PostgreSQL database,
migrated as the owner and used through the non-owner app role, so RLS is live under every test.
Tests marked ``postgres`` always get PostgreSQL (the ``pg_app`` fixture).

The clock (tenant_app/clock.py): a test about a date says so with ``@pytest.mark.today("2026-09-30")``
and runs on that day (10:00 Asia/Shanghai, ticking), whatever the real date or ``TEST_TODAY``. A
test without that marker runs on ``TEST_TODAY`` when it is set (CI's second run uses a far date)
and on the real date otherwise, so it must compute its expectations from the clock; a test that
reads the clock that way is marked ``date_sensitive``. See tests/clock_fixtures.py.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher, Type
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from tenant_app import create_app
from tenant_app.auth import passwords
from tenant_app.config import normalise_db_url
from tenant_app.extensions import db
from tenant_app.tenancy.resolve import clear_caches
from tenant_app.ui.public_cache import cache as public_cache

from . import pg
from .clock_fixtures import _test_clock, travel, year_without_data  # noqa: F401
from .services import PG_ADMIN_URL, need_postgres

GENESIS = "0" * 64
# argon2id at the production cost takes ~45 ms a hash and every test seeds a dozen accounts:
# tests hash cheaply unless they are about the hash itself (marker production_password_hash).
_CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1, type=Type.ID)
# Catalogs loaded by migrations and never written by the app: kept across tests.
REFERENCE_TABLES = frozenset({"industries"})


class IsolatedClient(FlaskClient):
    """Each request runs in an empty context, as in production: the test's own app context
    (pushed for its DB work) must not lend the request its ``g`` (user, scope, CSRF token)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


def build_app(db_url: str, migrate_url: str | None = None, **overrides: Any) -> Flask:
    settings = {
        "ENV": "testing",
        "DATABASE_URL": db_url,
        "MIGRATE_DATABASE_URL": migrate_url or "",
        "SECRET_KEY": "test-secret",
        "JOBS_EAGER": True,
        "REDIS_URL": "",
        # tests change what public pages show and read them back at once (test_microcache.py
        # turns it on)
        "PUBLIC_MICROCACHE_SECONDS": 0,
        "UPLOAD_DIR": tempfile.mkdtemp(prefix="uploads-"),
        "AUDIT_CHECKPOINT_DIR": tempfile.mkdtemp(prefix="audit-checkpoints-"),
    }
    settings.update(overrides)
    app = create_app(settings, environ={})
    app.test_client_class = IsolatedClient
    return app


def migrate(app: Flask) -> None:
    with app.app_context():
        upgrade(revision="heads")


def reset_files(app: Flask) -> None:
    """Empty the upload store and the audit checkpoints with the database they describe: a
    checkpoint of a chain the reset removed, or a file of a row it removed, must not meet the
    next test (tests share one app per worker)."""
    import shutil

    for key in ("UPLOAD_DIR", "AUDIT_CHECKPOINT_DIR"):
        folder = Path(app.config[key])
        if folder.is_dir():
            for child in folder.iterdir():
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()


_ENGINES: dict[str, Any] = {}
_BIG = 5000  # rows in one table past which a reset truncates rather than deletes


def _owner_engine(owner_url: str) -> Any:
    url = normalise_db_url(owner_url)
    if url not in _ENGINES:
        _ENGINES[url] = create_engine(url, pool_size=1)
    return _ENGINES[url]


def reset_database(owner_url: str) -> None:
    """Empty every table but keep the platform tenant, as a fresh migration leaves it."""
    engine = _owner_engine(owner_url)
    tables = [t.name for t in db.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # TRUNCATE … CASCADE of every table cost ~0.3 s a test (tenants and users are
            # referenced by every table, so truncating either cascades to all). A test leaves a
            # few rows in a dozen tables: count them (up to BIG) in one statement and DELETE
            # those, children first; a bulk-loaded table still gets the TRUNCATE. Every id
            # sequence goes back to 1, as RESTART IDENTITY did.
            found = conn.execute(
                text(
                    "SELECT "
                    + ", ".join(
                        f"(SELECT count(*) FROM (SELECT 1 FROM {t} LIMIT {_BIG}) x)" for t in tables
                    )
                )
            ).one()
            rows = dict(zip(tables, found, strict=True))
            if any(n >= _BIG for n in rows.values()):
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in reversed(tables):
                    if rows[name]:
                        conn.execute(text(f"DELETE FROM {name}"))
                conn.execute(
                    text(
                        "SELECT setval(s, 1, false) FROM ("
                        " SELECT pg_get_serial_sequence(t, c.attname) AS s"
                        " FROM unnest(CAST(:tables AS text[])) t"
                        " JOIN pg_attribute c ON c.attrelid = CAST(t AS regclass)"
                        " AND c.attnum > 0 AND NOT c.attisdropped) q WHERE s IS NOT NULL"
                    ),
                    {"tables": tables},
                )
        else:
            for name in reversed(tables):
                conn.execute(text(f"DELETE FROM {name}"))
        conn.execute(
            text(
                "INSERT INTO tenants (id, parent_id, slug, name, level, division_code, path,"
                " created_at) VALUES (1, NULL, 'platform', '全国平台', 'platform', '000000',"
                " '/1/', CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                f"INSERT INTO audit_heads (id, tenant_id, seq, hash) VALUES (1, 1, 0, '{GENESIS}')"
            )
        )
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('tenants', 'id'), 1)"))
            conn.execute(text("SELECT setval(pg_get_serial_sequence('audit_heads', 'id'), 1)"))
    clear_caches()  # the database was emptied behind the per-process caches' back


class AppUnderTest:
    def __init__(self, app: Flask, owner_url: str) -> None:
        self.app, self.owner_url = app, owner_url

    @property
    def is_postgres(self) -> bool:
        return self.owner_url.startswith("postgresql")


_CREATED: list[str] = []


def _postgres_app(name: str) -> AppUnderTest:
    admin = need_postgres()
    db_name = f"tenant_app_test_{name}_{pg.worker_suffix()}"
    owner_url, app_url = pg.fresh_database(admin, db_name)
    _CREATED.append(db_name)
    app = build_app(app_url, owner_url)
    migrate(app)
    return AppUnderTest(app, owner_url)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "today(day): the test is about this date (ISO, Asia/Shanghai): the clock is set to it"
        " (10:00, ticking), and TEST_TODAY does not move it; implies date_sensitive",
    )
    config.addinivalue_line(
        "markers",
        "real_clock: shares time with another process (RQ worker, Redis): TEST_TODAY is ignored",
    )
    config.addinivalue_line(
        "markers",
        "date_sensitive: reads the app's clock; must pass on any TEST_TODAY (CI runs these again"
        " with TEST_TODAY=2029-03-01)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("today") and not item.get_closest_marker("date_sensitive"):
            item.add_marker(pytest.mark.date_sensitive)


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    for db_name in _CREATED:
        with contextlib.suppress(Exception):  # a leftover test database is harmless
            pg.drop_database(PG_ADMIN_URL, db_name)


@pytest.fixture(scope="session")
def _main_app() -> Iterator[AppUnderTest]:
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"):
        yield _postgres_app("main")
        return
    folder = Path(tempfile.mkdtemp(prefix="tenant-app-test-"))
    url = f"sqlite:///{folder / 'test.sqlite3'}"
    app = build_app(url)
    migrate(app)
    yield AppUnderTest(app, url)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: Any) -> None:
    if request.node.get_closest_marker("production_password_hash") is None:
        monkeypatch.setattr(passwords, "_hasher", _CHEAP_HASHER)


@pytest.fixture()
def aut(_main_app: AppUnderTest) -> Iterator[AppUnderTest]:
    reset_database(_main_app.owner_url)
    reset_files(_main_app.app)
    with _main_app.app.app_context():
        public_cache.clear()  # keyed by publication versions the reset started again
        yield _main_app
        db.session.remove()


@pytest.fixture()
def app(aut: AppUnderTest) -> Flask:
    return aut.app


@pytest.fixture()
def client(app: Flask) -> Any:
    return app.test_client()


@pytest.fixture(scope="session")
def _pg_app(_main_app: AppUnderTest) -> AppUnderTest:
    if _main_app.is_postgres:
        return _main_app
    return _postgres_app("pg")


@pytest.fixture()
def pg_aut(_pg_app: AppUnderTest) -> Iterator[AppUnderTest]:
    reset_database(_pg_app.owner_url)
    reset_files(_pg_app.app)
    with _pg_app.app.app_context():
        public_cache.clear()
        yield _pg_app
        db.session.remove()


@pytest.fixture()
def world(aut: AppUnderTest) -> dict[str, Any]:
    from .helpers import seed_world

    return seed_world()


@pytest.fixture()
def pg_world(pg_aut: AppUnderTest) -> dict[str, Any]:
    from .helpers import seed_world

    return seed_world()

"""A second database to move tenants into: SQLite beside the main one, or PostgreSQL when the
main one is (and always for the ``pg_target`` fixture). Migrated once per session, emptied to
the bare platform tenant before each test, like the main database."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tenant_app.demo import (
    cases,
    enforcement,
    inspections,
    notifications,
    rectification,
    registry,
    warnings,
)
from tenant_app.demo.context import POPULATION
from tenant_app.tenancy.resolve import clear_caches
from tests.conftest import (
    AppUnderTest,
    _postgres_app,
    build_app,
    migrate,
    reset_database,
    reset_files,
)

CITY, COUNTY, PROVINCE = "sx-taiyuan", "sx-taiyuan-xiaodian", "sx"


@pytest.fixture(scope="session")
def _target_app(_main_app: AppUnderTest) -> AppUnderTest:
    if _main_app.is_postgres:
        return _postgres_app("target")
    folder = Path(tempfile.mkdtemp(prefix="tenant-app-target-"))
    url = f"sqlite:///{folder / 'target.sqlite3'}"
    app = build_app(url)
    migrate(app)
    return AppUnderTest(app, url)


@pytest.fixture(scope="session")
def _pg_target_app(_target_app: AppUnderTest) -> AppUnderTest:
    return _target_app if _target_app.is_postgres else _postgres_app("pgtarget")


@pytest.fixture()
def target(_target_app: AppUnderTest) -> Iterator[AppUnderTest]:
    reset_database(_target_app.owner_url)
    reset_files(_target_app.app)
    yield _target_app
    clear_caches()


@pytest.fixture()
def pg_target(_pg_target_app: AppUnderTest) -> Iterator[AppUnderTest]:
    reset_database(_pg_target_app.owner_url)
    reset_files(_pg_target_app.app)
    yield _pg_target_app
    clear_caches()


def seed_city(monkeypatch: Any) -> None:
    """The demo's Taiyuan, small: a few enterprises with records in the city and its county,
    inspections, cases, notifications, warnings, rectification and fines, each audited."""
    monkeypatch.setitem(POPULATION, CITY, 20)
    monkeypatch.setitem(POPULATION, COUNTY, 5)
    for seed in (
        registry.seed_registry,
        inspections.seed_inspections,
        cases.seed_cases,
        notifications.seed_notifications,
        warnings.seed_warnings,
        rectification.seed_rectification,
        enforcement.seed_enforcement,
    ):
        seed(CITY)
    registry.seed_registry(COUNTY)

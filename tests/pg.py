"""Fresh PostgreSQL databases for tests: migrated as the owner, used as the app role."""

from __future__ import annotations

import contextlib
import os

import psycopg
from psycopg import sql

APP_ROLE = "tenant_app"


def _admin_conninfo(admin_url: str) -> str:
    return admin_url.replace("postgresql+psycopg://", "postgresql://")


def ensure_app_role(admin_url: str) -> None:
    with psycopg.connect(_admin_conninfo(admin_url), autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_roles where rolname = %s", (APP_ROLE,)).fetchone()
        if exists:
            return
        # Another test process (pytest -n) may create it between the check and here.
        with contextlib.suppress(psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
            conn.execute(
                sql.SQL(
                    "CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
                ).format(sql.Identifier(APP_ROLE))
            )


def fresh_database(admin_url: str, name: str) -> tuple[str, str]:
    """Drop and create ``name``; return (owner_url, app_url)."""
    ensure_app_role(admin_url)
    with psycopg.connect(_admin_conninfo(admin_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = _admin_conninfo(admin_url).rsplit("/", 1)[0]
    owner_url = f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://")
    host_part = base.split("@", 1)[1]
    app_url = f"postgresql+psycopg://{APP_ROLE}@{host_part}/{name}"
    return owner_url, app_url


def worker_suffix() -> str:
    """Unique per test process, so parallel runs on one server never share a database."""
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(_admin_conninfo(admin_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )

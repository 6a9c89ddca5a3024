"""Alembic environment. Runs as the schema owner (MIGRATE_DATABASE_URL, else DATABASE_URL) and,
on PostgreSQL, re-grants the app role its rights after every run (see grant_app_role)."""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import create_engine, text

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
log = logging.getLogger("alembic.env")

import tenant_app.models  # noqa: E402,F401
from tenant_app.config import normalise_db_url  # noqa: E402
from tenant_app.extensions import db  # noqa: E402

target_metadata = db.metadata

# Tables the app may read and append to but never change: the audit log is append-only.
APPEND_ONLY = ("audit_log",)
# Tables the app never touches.
OWNER_ONLY = ("alembic_version",)


def _url() -> str:
    cfg = current_app.config
    return normalise_db_url(cfg.get("MIGRATE_DATABASE_URL") or cfg["SQLALCHEMY_DATABASE_URI"])


def grant_app_role(connection) -> None:  # type: ignore[no-untyped-def]
    if connection.dialect.name != "postgresql":
        return
    role = current_app.config["APP_DB_ROLE"]
    exists = connection.execute(
        text("select 1 from pg_roles where rolname = :r"), {"r": role}
    ).first()
    if not exists:
        log.warning(
            "app role %s does not exist: create it (NOSUPERUSER NOBYPASSRLS) and rerun", role
        )
        return
    if connection.execute(text("select current_user")).scalar() == role:
        raise RuntimeError(f"migrations must run as the schema owner, not as the app role {role}")
    q = f'"{role}"'
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {q}"))
    connection.execute(
        text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {q}")
    )
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {q}"))
    for table in APPEND_ONLY:
        connection.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {q}"))
    for table in OWNER_ONLY:
        connection.execute(text(f"REVOKE ALL ON {table} FROM {q}"))


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            grant_app_role(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

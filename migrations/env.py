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
# Tables the app never touches (app_scope_key: the RLS scope key, read only by definer functions).
OWNER_ONLY = ("alembic_version", "app_scope_key")
# Columns the app role may write but not read; login reads through app_login_hash() (issue 12).
WRITE_ONLY_COLUMNS = {"users": ("password_hash",)}
# SECURITY DEFINER functions only the app role may call. app_audit_partitions: the daily job
# ``audit.partitions`` adds the audit log's monthly partitions ahead (0010u; the app role cannot
# create tables).
APP_FUNCTIONS = ("app_login_hash(text)", "app_audit_partitions(date, integer)")


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
        # A partition is reached through its parent only (whose grants and RLS policies apply);
        # a right on the partition itself would bypass both (0010u).
        for (partition,) in connection.execute(
            text(
                "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
                " where i.inhparent = to_regclass(:t)"
            ),
            {"t": f"public.{table}"},
        ):
            connection.execute(text(f'REVOKE ALL ON "{partition}" FROM {q}'))
    for table in OWNER_ONLY:
        if _exists(connection, table):
            connection.execute(text(f"REVOKE ALL ON {table} FROM {q}"))
    for table, hidden in WRITE_ONLY_COLUMNS.items():
        columns = [
            c
            for (c,) in connection.execute(
                text(
                    "select column_name from information_schema.columns"
                    " where table_schema = 'public' and table_name = :t order by ordinal_position"
                ),
                {"t": table},
            )
            if c not in hidden
        ]
        if columns:
            # Revoking the table-wide SELECT drops it for every column; grant back all but these.
            connection.execute(text(f"REVOKE SELECT ON {table} FROM {q}"))
            listed = ", ".join(f'"{c}"' for c in columns)
            connection.execute(text(f"GRANT SELECT ({listed}) ON {table} TO {q}"))
    for function in APP_FUNCTIONS:
        name = function.split("(", 1)[0]
        if connection.execute(
            text("select 1 from pg_proc where proname = :n"), {"n": name}
        ).first():
            connection.execute(text(f"GRANT EXECUTE ON FUNCTION {function} TO {q}"))


def _exists(connection, table: str) -> bool:  # type: ignore[no-untyped-def]
    return (
        connection.execute(text("select to_regclass(:t)"), {"t": f"public.{table}"}).scalar()
        is not None
    )


def sync_scope_key(connection) -> None:  # type: ignore[no-untyped-def]
    """Write the app's RLS scope key (from DB_SCOPE_KEY) where app_scope_valid() reads it."""
    if connection.dialect.name != "postgresql" or not _exists(connection, "app_scope_key"):
        return
    from tenant_app.tenancy import scope_key

    key = scope_key.derive(current_app.config["DB_SCOPE_KEY"])
    ipad, opad = scope_key.pads(key)
    connection.execute(
        text(
            "INSERT INTO app_scope_key (id, ipad, opad, fingerprint) VALUES (1, :i, :o, :f)"
            " ON CONFLICT (id) DO UPDATE SET ipad = EXCLUDED.ipad, opad = EXCLUDED.opad,"
            " fingerprint = EXCLUDED.fingerprint"
        ),
        {"i": ipad, "o": opad, "f": scope_key.fingerprint(key)},
    )


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
            sync_scope_key(connection)
            grant_app_role(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

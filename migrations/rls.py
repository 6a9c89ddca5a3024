"""Row-level security and the app role's rights, shared by every migration (PostgreSQL only).

Every table with a ``tenant_id`` column gets RLS enabled *and forced* with two policies:
reads see ``app.read_tenants`` (own tenant, plus descendants for oversight roles), writes only
``app.tenant_id``. Both settings are set per transaction by tenant_app/tenancy/guard.py; when they
are missing nothing is visible. tests/postgres/test_rls_catalog.py fails for a table without them.

Since 0006c the settings are trusted only with a valid ``app.scope_sig``: an HMAC over the backend
pid and the three settings under a key only the app and an owner-only table hold, checked by the
SECURITY DEFINER function ``app_scope_valid()``. Policies call the scope functions through a
scalar subquery (``(SELECT app_read_tenants())``), so the check runs once per query, not per row.
"""

from __future__ import annotations

import re

from alembic import op

FUNCTIONS = """
CREATE OR REPLACE FUNCTION app_read_tenants() RETURNS bigint[]
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_to_array(nullif(current_setting('app.read_tenants', true), ''), ',')::bigint[],
                  '{}'::bigint[]) $$;
CREATE OR REPLACE FUNCTION app_write_tenant() RETURNS bigint
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT nullif(current_setting('app.tenant_id', true), '')::bigint $$;
CREATE OR REPLACE FUNCTION app_user() RETURNS bigint
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT nullif(current_setting('app.user_id', true), '')::bigint $$;
"""


# The signed scope (issue 12). The key is written into app_scope_key by migrations/env.py from the
# app's DB_SCOPE_KEY as HMAC's inner and outer padded keys, so HMAC-SHA256 needs only sha256().
SIGNED_FUNCTIONS = """
CREATE TABLE IF NOT EXISTS app_scope_key (
  id smallint PRIMARY KEY CHECK (id = 1),
  ipad bytea NOT NULL,
  opad bytea NOT NULL,
  fingerprint text NOT NULL
);
REVOKE ALL ON app_scope_key FROM PUBLIC;
-- plpgsql, not sql: a SQL-language function with SET search_path is planned again on every call
-- (measured: +180 µs a query against +55 µs; docs/decisions.md).
CREATE OR REPLACE FUNCTION app_scope_valid() RETURNS boolean
  LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL RESTRICTED
  SET search_path = pg_catalog, pg_temp AS $f$
DECLARE k record;
BEGIN
  SELECT ipad, opad INTO k FROM public.app_scope_key WHERE id = 1;
  IF NOT FOUND THEN RETURN false; END IF;
  RETURN coalesce(encode(sha256(k.opad || sha256(k.ipad || convert_to(
             pg_backend_pid()::text
             || '|' || coalesce(current_setting('app.tenant_id', true), '')
             || '|' || coalesce(current_setting('app.read_tenants', true), '')
             || '|' || coalesce(current_setting('app.user_id', true), ''), 'UTF8'))), 'hex')
         = current_setting('app.scope_sig', true), false);
END $f$;
CREATE OR REPLACE FUNCTION app_read_tenants() RETURNS bigint[]
  LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$
  SELECT CASE WHEN app_scope_valid()
    THEN coalesce(string_to_array(nullif(current_setting('app.read_tenants', true), ''), ',')::bigint[],
                  '{}'::bigint[])
    ELSE '{}'::bigint[] END $$;
CREATE OR REPLACE FUNCTION app_write_tenant() RETURNS bigint
  LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$
  SELECT CASE WHEN app_scope_valid()
    THEN nullif(current_setting('app.tenant_id', true), '')::bigint END $$;
CREATE OR REPLACE FUNCTION app_user() RETURNS bigint
  LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$
  SELECT CASE WHEN app_scope_valid()
    THEN nullif(current_setting('app.user_id', true), '')::bigint END $$;
CREATE OR REPLACE FUNCTION app_login_hash(p_username text) RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED
  SET search_path = pg_catalog, pg_temp AS $$
  SELECT u.password_hash FROM public.users u
   WHERE u.username = p_username AND public.app_scope_valid() $$;
REVOKE ALL ON FUNCTION app_login_hash(text) FROM PUBLIC;
"""

_SCOPE_CALL = re.compile(r"(?<!SELECT )\b(app_read_tenants|app_write_tenant|app_user)\(\)")


def once_per_query(expression: str) -> str:
    """``app_read_tenants()`` → ``(SELECT app_read_tenants())``: an InitPlan, evaluated once per
    query instead of once per row (the signature check is not free). Idempotent."""
    return _SCOPE_CALL.sub(_subquery, expression)


def _subquery(match: re.Match[str]) -> str:
    name = match.group(1)
    # The cast keeps ``= ANY (…)`` an array comparison rather than ``ANY (subquery)``.
    return f"(SELECT {name}())::bigint[]" if name == "app_read_tenants" else f"(SELECT {name}())"


WRITE = "tenant_id = (SELECT app_write_tenant())"


def is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def create_functions() -> None:
    if is_postgres():
        op.execute(FUNCTIONS)


def enable(table: str, extra_read: str | None = None) -> None:
    """Turn on tenant RLS for ``table``; ``extra_read`` ORs one more read condition."""
    if not is_postgres():
        return
    read = "tenant_id = ANY ((SELECT app_read_tenants())::bigint[])"
    if extra_read:
        read = f"({read}) OR ({once_per_query(extra_read)})"
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_read ON {table} FOR SELECT USING ({read})")
    op.execute(f"CREATE POLICY tenant_insert ON {table} FOR INSERT WITH CHECK ({WRITE})")
    op.execute(
        f"CREATE POLICY tenant_update ON {table} FOR UPDATE USING ({WRITE}) WITH CHECK ({WRITE})"
    )
    op.execute(f"CREATE POLICY tenant_delete ON {table} FOR DELETE USING ({WRITE})")

"""Row-level security and the app role's rights, shared by every migration (PostgreSQL only).

Every table with a ``tenant_id`` column gets RLS enabled *and forced* with two policies:
reads see ``app.read_tenants`` (own tenant, plus descendants for oversight roles), writes only
``app.tenant_id``. Both settings are set per transaction by tenant_app/tenancy/guard.py; when they
are missing nothing is visible. tests/postgres/test_rls_catalog.py fails for a table without them.
"""

from __future__ import annotations

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


def is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def create_functions() -> None:
    if is_postgres():
        op.execute(FUNCTIONS)


def enable(table: str, extra_read: str | None = None) -> None:
    """Turn on tenant RLS for ``table``; ``extra_read`` ORs one more read condition."""
    if not is_postgres():
        return
    read = "tenant_id = ANY (app_read_tenants())"
    if extra_read:
        read = f"({read}) OR ({extra_read})"
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_read ON {table} FOR SELECT USING ({read})")
    op.execute(
        f"CREATE POLICY tenant_insert ON {table} FOR INSERT WITH CHECK (tenant_id = app_write_tenant())"
    )
    op.execute(
        f"CREATE POLICY tenant_update ON {table} FOR UPDATE USING (tenant_id = app_write_tenant())"
        f" WITH CHECK (tenant_id = app_write_tenant())"
    )
    op.execute(
        f"CREATE POLICY tenant_delete ON {table} FOR DELETE USING (tenant_id = app_write_tenant())"
    )

"""registry (issue 13 item 1, the name search at a million enterprises): a GIN index of each
enterprise's tenant and every 3-character piece of its lowered name.

The trigram index of 0003 serves ILIKE '%…%' across all tenants: a search in one tenant reads the
postings of pieces nearly every name shares (“有限公”, “限公司”) for every tenant — a million
entries each at national scale — then discards the other tenants. Prefixed with the tenant, a
piece's posting holds that tenant's names only, and GIN starts from the rarest piece.

Under row-level security PostgreSQL puts a clause into an index condition only when every
function in it is LEAKPROOF (as for ILIKE in 0003). The built-in ``@>`` on arrays is not, so the
index gets its own operator ``@>>`` (text[] contains text[], the built-in ``arraycontains``
declared LEAKPROOF: comparing text arrays raises no error about a row's value) in an operator
class of its own, and the piece function is LEAKPROOF too (it cannot fail on any name). Both
need a superuser: without one the migration warns and creates nothing, and the search keeps the
trigram index (registry/services/enterprise_search.py asks whether the index exists).

Revision ID: 0010y
Revises: 0010x
"""
import logging

import sqlalchemy as sa
from alembic import op

revision = '0010y'
down_revision = '0010x'
branch_labels = None
depends_on = None

INDEX = 'ix_enterprises_tenant_name_grams'
OBJECTS = f"""
CREATE FUNCTION tenant_name_grams(tenant bigint, name text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT tenant::text || ':' || substr(lower(name), i, 3)), '{{}}')
  FROM generate_series(1, length(name) - 2) AS i
$$;
CREATE FUNCTION tenant_grams_contain(text[], text[]) RETURNS boolean
LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE AS 'arraycontains';
CREATE OPERATOR @>> (
  LEFTARG = text[], RIGHTARG = text[], FUNCTION = tenant_grams_contain,
  RESTRICT = matchingsel, JOIN = matchingjoinsel
);
CREATE OPERATOR CLASS tenant_grams_ops FOR TYPE text[] USING gin AS
  OPERATOR 2 @>> (text[], text[]),
  FUNCTION 1 bttextcmp(text, text),
  FUNCTION 2 ginarrayextract(anyarray, internal, internal),
  FUNCTION 3 ginqueryarrayextract(anyarray, internal, smallint, internal, internal, internal,
                                  internal),
  FUNCTION 4 ginarrayconsistent(internal, smallint, anyarray, integer, internal, internal,
                                internal, internal),
  FUNCTION 6 ginarraytriconsistent(internal, smallint, anyarray, integer, internal, internal,
                                   internal),
  STORAGE text;
CREATE INDEX {INDEX} ON enterprises USING gin (tenant_name_grams(tenant_id, name) tenant_grams_ops);
"""


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    if not bind.execute(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar():
        logging.getLogger("alembic").warning(
            "not a superuser: %s not created; name search keeps the trigram index "
            "(docs/registry.md)", INDEX)
        return
    op.execute(OBJECTS)


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
    op.execute("DROP OPERATOR FAMILY IF EXISTS tenant_grams_ops USING gin")  # and its class
    op.execute("DROP OPERATOR IF EXISTS @>> (text[], text[])")
    op.execute("DROP FUNCTION IF EXISTS tenant_grams_contain(text[], text[])")
    op.execute("DROP FUNCTION IF EXISTS tenant_name_grams(bigint, text)")

"""issue 13 item 5: the audit log partitioned by month on PostgreSQL (SQLite keeps a plain table).

``audit_log`` becomes ``PARTITION BY RANGE (at)``: one partition a UTC month
(``audit_log_pYYYYMM``) and a DEFAULT partition, so an append never fails when the partition job
is late. PostgreSQL wants the partition key in every unique constraint: the primary key becomes
``(id, at)`` and ``(tenant_id, seq)`` becomes ``(tenant_id, seq, at)``; the chain stays one row a
seq because appends take their seq under the lock of the tenant's ``audit_heads`` row
(docs/decisions.md 2026-11-29 "Audit log partitioned by month").

Partitions are made by ``app_audit_partitions(month, ahead)``, a SECURITY DEFINER function owned
by the schema owner that the app role may call (the daily job ``audit.partitions``; the app role
cannot create tables). It creates the missing months from ``month`` to ``month + ahead``, and
the earlier months the default partition holds rows of, and moves those rows, unchanged, into
their month. Partitions are owner-only: the app role reads and appends through ``audit_log``
(whose RLS policies apply to every partition) and has no right on a partition itself
(migrations/env.py revokes them after every run).

Revision ID: 0010u
Revises: 0010r
"""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

from migrations import rls

revision = "0010u"
down_revision = "0010r"
branch_labels = None
depends_on = None

AHEAD_MONTHS = 3

PARTITION_FUNCTION = """
CREATE OR REPLACE FUNCTION app_audit_partitions(p_month date, p_ahead integer,
                                                OUT created integer, OUT moved bigint)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  SET datestyle = 'ISO, YMD'
  SET lock_timeout = '5s' AS $f$
DECLARE
  first_month date := date_trunc('month', p_month)::date;
  months date[];
  m date;
  lo timestamptz;
  hi timestamptz;
  part text;
  n bigint;
  staged boolean := false;
BEGIN
  created := 0;
  moved := 0;
  IF p_month IS NULL OR p_ahead IS NULL OR p_ahead < 0 OR p_ahead > 24 THEN
    RAISE EXCEPTION 'app_audit_partitions: a month and 0..24 months ahead';
  END IF;
  -- This month and the next p_ahead; and, twelve at most a run, the earlier months the default
  -- partition holds rows of (entries dated before their month existed: a restored tenant).
  months := ARRAY(
    SELECT (first_month + make_interval(months => i))::date FROM generate_series(0, p_ahead) i
    UNION
    (SELECT DISTINCT date_trunc('month', d.at AT TIME ZONE 'UTC')::date
       FROM public.audit_log_default d
      WHERE d.at < first_month::timestamp AT TIME ZONE 'UTC'
      ORDER BY 1 DESC LIMIT 12)
    ORDER BY 1);
  FOREACH m IN ARRAY months LOOP
    lo := m::timestamp AT TIME ZONE 'UTC';
    hi := (m + interval '1 month')::timestamp AT TIME ZONE 'UTC';
    part := 'audit_log_p' || to_char(m, 'YYYYMM');
    CONTINUE WHEN to_regclass('public.' || part) IS NOT NULL;
    -- The parent first, then the default partition: the order an append takes them.
    LOCK TABLE public.audit_log IN ACCESS EXCLUSIVE MODE;
    IF NOT staged THEN
      CREATE TEMP TABLE IF NOT EXISTS audit_partition_move (LIKE public.audit_log) ON COMMIT DROP;
      staged := true;
    END IF;
    -- PostgreSQL refuses a partition for a range the default partition holds rows of (the job
    -- was late): those rows leave the default partition and enter the new one unchanged.
    WITH gone AS (
      DELETE FROM public.audit_log_default WHERE at >= lo AND at < hi RETURNING *
    ) INSERT INTO audit_partition_move SELECT * FROM gone;
    EXECUTE format('CREATE TABLE public.%I PARTITION OF public.audit_log'
                   ' FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', part);
    EXECUTE format('REVOKE ALL ON public.%I FROM PUBLIC', part);
    EXECUTE format('INSERT INTO public.%I SELECT * FROM audit_partition_move', part);
    GET DIAGNOSTICS n = ROW_COUNT;
    DELETE FROM audit_partition_move;
    moved := moved + n;
    created := created + 1;
  END LOOP;
END $f$;
REVOKE ALL ON FUNCTION app_audit_partitions(date, integer) FROM PUBLIC;
"""


def _add_months(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _months(first: date, last: date) -> list[date]:
    out, month = [], _add_months(first, 0)
    while month <= last:
        out.append(month)
        month = _add_months(month, 1)
    return out


def _add_keys_indexes_rls(pk: list[str], unique: list[str], unique_name: str) -> None:
    op.create_primary_key("pk_audit_log", "audit_log", pk)
    op.create_unique_constraint(unique_name, "audit_log", unique)
    op.create_index(
        "ix_audit_log_tenant_id_object", "audit_log", ["tenant_id", "object_type", "object_id"]
    )
    op.create_index("ix_audit_log_tenant_id_id", "audit_log", ["tenant_id", "id"])
    op.create_foreign_key("fk_audit_log_actor_id_users", "audit_log", "users", ["actor_id"], ["id"])
    op.create_foreign_key(
        "fk_audit_log_tenant_id_tenants", "audit_log", "tenants", ["tenant_id"], ["id"]
    )
    rls.enable("audit_log")


def _set_aside_old_table() -> None:
    """Rename the current table out of the way, keeping its id sequence for the new one. Its RLS
    is turned off first: FORCE applies to the owner too, who must read every tenant's rows."""
    op.execute("ALTER TABLE audit_log DISABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE audit_log NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER SEQUENCE audit_log_id_seq OWNED BY NONE")
    op.execute("ALTER TABLE audit_log RENAME TO audit_log_old")
    for name in ("pk_audit_log", "uq_audit_log_tenant_id_seq", "uq_audit_log_tenant_id_seq_at"):
        if _constraint_exists("audit_log_old", name):
            op.execute(f"ALTER TABLE audit_log_old RENAME CONSTRAINT {name} TO {name}_old")
    for name in ("ix_audit_log_tenant_id_object", "ix_audit_log_tenant_id_id"):
        op.execute(f"ALTER INDEX IF EXISTS {name} RENAME TO {name}_old")
    for name in ("fk_audit_log_actor_id_users", "fk_audit_log_tenant_id_tenants"):
        op.execute(f"ALTER TABLE audit_log_old DROP CONSTRAINT IF EXISTS {name}")


def _constraint_exists(table: str, name: str) -> bool:
    return (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT 1 FROM pg_constraint WHERE conname = :n AND conrelid = to_regclass(:t)"
            ),
            {"n": name, "t": f"public.{table}"},
        )
        .first()
        is not None
    )


def upgrade():
    if not rls.is_postgres():
        return
    conn = op.get_bind()
    _set_aside_old_table()
    op.execute(
        "CREATE TABLE audit_log (LIKE audit_log_old INCLUDING DEFAULTS) PARTITION BY RANGE (at)"
    )
    op.execute("ALTER SEQUENCE audit_log_id_seq OWNED BY audit_log.id")
    op.execute("CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT")
    op.execute("ALTER TABLE audit_log_default ENABLE ROW LEVEL SECURITY")
    op.execute("REVOKE ALL ON audit_log_default FROM PUBLIC")
    op.execute(PARTITION_FUNCTION)
    # Every month that has rows, through the next AHEAD_MONTHS: no existing row lands in the
    # default partition, and appends find their month for a while even without the job.
    today = datetime.now(UTC).date()
    oldest = conn.execute(sa.text("SELECT min(at) FROM audit_log_old")).scalar()
    first = min(oldest.astimezone(UTC).date(), today) if oldest is not None else today
    for month in _months(first, _add_months(today, AHEAD_MONTHS)):
        conn.execute(sa.text("SELECT * FROM app_audit_partitions(:m, 0)"), {"m": month})
    op.execute("INSERT INTO audit_log SELECT * FROM audit_log_old")
    op.execute("DROP TABLE audit_log_old")
    _add_keys_indexes_rls(["id", "at"], ["tenant_id", "seq", "at"], "uq_audit_log_tenant_id_seq_at")


def downgrade():
    if not rls.is_postgres():
        return
    _set_aside_old_table()
    op.execute("CREATE TABLE audit_log (LIKE audit_log_old INCLUDING DEFAULTS)")
    op.execute("ALTER SEQUENCE audit_log_id_seq OWNED BY audit_log.id")
    op.execute("INSERT INTO audit_log SELECT * FROM audit_log_old ORDER BY id")
    op.execute("DROP TABLE audit_log_old")  # and its partitions
    op.execute("DROP FUNCTION IF EXISTS app_audit_partitions(date, integer)")
    _add_keys_indexes_rls(["id"], ["tenant_id", "seq"], "uq_audit_log_tenant_id_seq")

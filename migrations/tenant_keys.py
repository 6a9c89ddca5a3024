"""Keys that distribute by tenant (issue 13 item 4), shared by every migration (PostgreSQL only).

A *tenant table* is a table with a ``tenant_id`` column. On each one:

- the primary key leads with ``tenant_id`` (``(tenant_id, id)``), so the table can be distributed
  by tenant (Citus requires the distribution column in every primary and unique key);
- every foreign key to another tenant table is composite, ``(tenant_id, x_id)`` referencing
  ``(tenant_id, id)``: the database itself refuses a row that points at another tenant's row.

Reference data (tenants, users and their sessions and tokens, industries, the calendar, rate
limits) has no ``tenant_id`` and keeps single-column keys; foreign keys to it stay as they are.

The ORM keeps mapping ``id`` as the identity and the single-column foreign keys for its joins:
ids come from one sequence per table, so ``id`` alone still names a row, and every statement the
app runs is limited to its tenants by the scope guard and RLS anyway. The work is done by reading
the catalogue, not from a hand list, so :func:`apply_all` in a later migration — or
:func:`apply` for a new table — brings any tenant table to the rule;
``tests/postgres/test_tenant_keys_catalog.py`` fails for one that breaks it.

Foreign keys are added ``NOT VALID`` and then validated: on a large production table the check
runs without blocking writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic import op
from sqlalchemy import text

_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


@dataclass(frozen=True)
class ForeignKey:
    name: str
    child: str
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    on_delete: str  # pg_constraint.confdeltype


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def tenant_tables() -> list[str]:
    rows = op.get_bind().execute(
        text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' "
            "AND NOT a.attisdropped "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
            "AND NOT c.relispartition ORDER BY c.relname"
        )
    )
    return [r[0] for r in rows]


def _columns(rel: str, nums: list[int]) -> tuple[str, ...]:
    rows = op.get_bind().execute(
        text(
            "SELECT attnum, attname FROM pg_attribute "
            "WHERE attrelid = CAST(:rel AS regclass) AND attnum > 0"
        ),
        {"rel": rel},
    )
    names = {int(num): str(name) for num, name in rows}
    return tuple(names[n] for n in nums)


def foreign_keys(tables: list[str]) -> list[ForeignKey]:
    """Foreign keys between tenant tables (both ends have ``tenant_id``)."""
    rows = (
        op.get_bind()
        .execute(
            text(
                "SELECT c.conname, c.conrelid::regclass::text, c.conkey, c.confrelid::regclass::text, "
                "c.confkey, c.confdeltype FROM pg_constraint c "
                "WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(:t) "
                "AND c.confrelid::regclass::text = ANY(:t) AND c.conparentid = 0 ORDER BY c.conname"
            ),
            {"t": tables},
        )
        .all()
    )
    return [
        ForeignKey(
            name,
            child,
            _columns(child, list(ckey)),
            parent,
            _columns(parent, list(pkey)),
            deltype,
        )
        for name, child, ckey, parent, pkey, deltype in rows
    ]


def _primary_key(table: str) -> tuple[str, tuple[str, ...]] | None:
    row = (
        op.get_bind()
        .execute(
            text(
                "SELECT conname, conkey FROM pg_constraint "
                "WHERE contype = 'p' AND conrelid = CAST(:t AS regclass)"
            ),
            {"t": table},
        )
        .first()
    )
    return None if row is None else (row[0], _columns(table, list(row[1])))


def _add_composite(fk: ForeignKey) -> None:
    cols = fk.columns if "tenant_id" in fk.columns else ("tenant_id", *fk.columns)
    refs = (
        fk.parent_columns if "tenant_id" in fk.parent_columns else ("tenant_id", *fk.parent_columns)
    )
    action = _DELETE[fk.on_delete]
    if action in ("SET NULL", "SET DEFAULT"):
        # never null the tenant: only the reference column (PostgreSQL 15 column list)
        own = ", ".join(c for c in fk.columns if c != "tenant_id")
        action = f"{action} ({own})"
    op.execute(
        f'ALTER TABLE "{fk.child}" ADD CONSTRAINT "{fk.name}" FOREIGN KEY ({", ".join(cols)}) '
        f'REFERENCES "{fk.parent}" ({", ".join(refs)}) ON DELETE {action} NOT VALID'
    )
    op.execute(f'ALTER TABLE "{fk.child}" VALIDATE CONSTRAINT "{fk.name}"')


def _lead_with_tenant(table: str) -> None:
    pk = _primary_key(table)
    if pk is None or pk[1][0] == "tenant_id":
        return
    name, cols = pk
    rest = [c for c in cols if c != "tenant_id"]
    op.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    op.execute(
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" PRIMARY KEY (tenant_id, {", ".join(rest)})'
    )


def apply(tables: list[str]) -> None:
    """Bring ``tables`` to the rule: the foreign keys touching them dropped, their primary keys
    led by ``tenant_id``, and the foreign keys added back composite."""
    if not _is_postgres():
        return
    every = tenant_tables()
    touching = [
        fk
        for fk in foreign_keys(every)
        if (fk.child in tables or fk.parent in tables)
        and not ("tenant_id" in fk.columns and "tenant_id" in fk.parent_columns)
    ]
    for fk in touching:
        op.execute(f'ALTER TABLE "{fk.child}" DROP CONSTRAINT "{fk.name}"')
    for table in tables:
        _lead_with_tenant(table)
    for fk in touching:
        _add_composite(fk)


def apply_all() -> None:
    if _is_postgres():
        apply(tenant_tables())


def revert_all() -> None:
    """Back to single-column keys (the downgrade)."""
    if not _is_postgres():
        return
    every = tenant_tables()
    composite = [fk for fk in foreign_keys(every) if "tenant_id" in fk.columns]
    for fk in composite:
        op.execute(f'ALTER TABLE "{fk.child}" DROP CONSTRAINT "{fk.name}"')
    for table in every:
        pk = _primary_key(table)
        if pk is None or pk[1][0] != "tenant_id":
            continue
        name, cols = pk
        rest = [c for c in cols if c != "tenant_id"]
        op.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        op.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" PRIMARY KEY ({", ".join(rest)})')
    for fk in composite:
        cols = [c for c in fk.columns if c != "tenant_id"]
        refs = [c for c in fk.parent_columns if c != "tenant_id"]
        op.execute(
            f'ALTER TABLE "{fk.child}" ADD CONSTRAINT "{fk.name}" FOREIGN KEY ({", ".join(cols)}) '
            f'REFERENCES "{fk.parent}" ({", ".join(refs)}) ON DELETE {_DELETE[fk.on_delete]}'
        )

"""Issue 13 items 1 and 6: the indexes the read and delete paths need, checked on the migrated
database (SQLite here, PostgreSQL under TEST_DATABASE_URL), so a new table or foreign key that
breaks the rule fails here rather than as a slow page at a million rows.

* Every foreign key that references a tenant table has an index led by its columns: deleting
  an enterprise (ON DELETE CASCADE, or the RESTRICT check) looks its children up by that column.
  Foreign keys to the reference rows that are never deleted (users are deactivated, tenants and
  industries are permanent; docs/decisions.md 2026-11-29) are exempt: the check never runs and
  an index on every ``created_by`` would tax each write.
* Every tenant table listed keyset-paged on ``id`` has an index on ``(tenant_id, id)``, so a
  tenant's page reads that tenant's rows in order instead of the whole primary key.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import inspect

from tenant_app.extensions import db

NEVER_DELETED = frozenset({"users", "tenants", "industries"})


def keyset_lists() -> set[str]:
    """The tables whose lists are paged with tenancy.queries.keyset_page on their ``id``, read
    from the source so that a new list joins the check by itself."""
    root = Path(__file__).resolve().parents[1] / "tenant_app"
    classes = {m.class_.__name__: m.class_.__tablename__ for m in db.Model.registry.mappers}
    found = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in re.findall(r"keyset_page\(\s*[^,]+,\s*(\w+)\.id\b", text):
            if name in classes:
                found.add(classes[name])
    return found


def _leading_column_lists(insp, table: str) -> list[list[str]]:
    leads = [insp.get_pk_constraint(table)["constrained_columns"]]
    leads += [ix["column_names"] for ix in insp.get_indexes(table)]
    leads += [uc["column_names"] for uc in insp.get_unique_constraints(table)]
    return leads


def test_every_foreign_key_to_a_tenant_table_has_an_index_led_by_it(app):
    insp = inspect(db.engine)
    missing = []
    for table in insp.get_table_names():
        leads = _leading_column_lists(insp, table)
        for fk in insp.get_foreign_keys(table):
            if fk["referred_table"] in NEVER_DELETED:
                continue
            cols = fk["constrained_columns"]
            # a composite (tenant_id, x_id) key (PostgreSQL, 0010k) is served by an index led by
            # (tenant_id, x_id) or by x_id alone: x_id already picks out the parent's rows
            own = [c for c in cols if c != "tenant_id"] or cols
            if not any(lead[: len(cols)] == cols or lead[: len(own)] == own for lead in leads):
                missing.append(f"{table}({', '.join(cols)}) → {fk['referred_table']}")
    assert missing == [], "\n".join(missing)


def test_every_keyset_list_has_an_index_on_tenant_and_id(app):
    """Users are platform-wide (no tenant_id): their picker pages through role grants."""
    assert {"enterprises", "cases", "audit_log"} <= keyset_lists()  # the scan finds the calls
    insp = inspect(db.engine)
    missing = [
        table
        for table in sorted(keyset_lists() - {"users"})
        if not any(lead[:2] == ["tenant_id", "id"] for lead in _leading_column_lists(insp, table))
    ]
    assert missing == []

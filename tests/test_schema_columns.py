"""Columns that hold a policy version keep the whole of it.

A version reads like ``shanxi@sx-2025.2+nat-2023.1+sx-taiyuan#1`` (pack, national layer, city
override): 41 characters for a city, longer for a county. SQLite stores a longer value than the
column says; PostgreSQL refuses it, so a short column breaks only in production. Checked on the
models, which the migrations follow (tests/test_schema_indexes.py checks the migrated schema).
"""

from __future__ import annotations

from sqlalchemy import String

import tenant_app.models  # noqa: F401  (every table on the metadata)
from tenant_app.extensions import db


def test_every_policy_version_column_holds_a_long_version() -> None:
    columns = [
        c for t in db.Model.metadata.sorted_tables for c in t.columns if c.name == "policy_version"
    ]
    assert len(columns) >= 10  # cases, listings, inspections, warnings, orders, ...
    short = [
        f"{table.name}.{col.name} ({col.type.length})"
        for table in db.Model.metadata.sorted_tables
        for col in table.columns
        if col.name.endswith("policy_version")
        and isinstance(col.type, String)
        and col.type.length is not None
        and col.type.length < 255
    ]
    assert short == []

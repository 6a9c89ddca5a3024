"""Revision 0006f (issue 11) upgrades a 0005 database that holds data: the visit register is
backfilled from the inspections, published campaigns keep their filing moment as publication,
old draws stay protocol 1 (their single-seed verification unchanged)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask_migrate import upgrade
from sqlalchemy import Boolean, Date, DateTime, Integer, MetaData, create_engine, select
from sqlalchemy.types import JSON

from .conftest import build_app

AT = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def _row(table: Any, **given: Any) -> dict[str, Any]:
    """Fill every NOT NULL column without a default with a plain value of its type."""
    out = dict(given)
    for col in table.columns:
        if col.name in out or col.nullable or col.primary_key or col.server_default is not None:
            continue
        if isinstance(col.type, JSON):
            out[col.name] = {}
        elif isinstance(col.type, Boolean):
            out[col.name] = False
        elif isinstance(col.type, DateTime):
            out[col.name] = AT
        elif isinstance(col.type, Date):
            out[col.name] = date(2026, 1, 5)
        elif isinstance(col.type, Integer):
            out[col.name] = 0
        else:
            out[col.name] = ""
    return out


def _database(kind: str) -> str:
    """A fresh database: SQLite, or PostgreSQL (owned by the configured owner role)."""
    if kind == "sqlite":
        return f"sqlite:///{Path(tempfile.mkdtemp(prefix='mig-')) / 'db.sqlite'}"
    admin = os.environ.get("TEST_DATABASE_URL", "")
    if not admin.startswith("postgresql"):
        pytest.skip("PostgreSQL not configured (TEST_DATABASE_URL)")
    from .pg import fresh_database, worker_suffix

    owner_url, _app_url = fresh_database(admin, f"mig0006f_{worker_suffix()}")
    return owner_url


@pytest.mark.today("2026-01-05")
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_0006f_upgrades_a_0005_database_with_data(kind: str) -> None:
    url = _database(kind)
    app = build_app(url, url)
    with app.app_context():
        upgrade(revision="0005")
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    seed = "ab" * 32
    with engine.begin() as conn:
        platform = conn.execute(select(t["tenants"].c.id)).scalar_one()
        eid = conn.execute(
            t["enterprises"]
            .insert()
            .values(
                **_row(t["enterprises"], tenant_id=platform, uscc="91140100MA0000001X", name="甲")
            )
        ).inserted_primary_key[0]
        conn.execute(
            t["inspections"]
            .insert()
            .values(
                **_row(
                    t["inspections"],
                    tenant_id=platform,
                    enterprise_id=eid,
                    mode="on_site",
                    trigger="proactive",
                    planned_date=date(2026, 3, 16),
                    status="approved",
                )
            )
        )
        conn.execute(
            t["inspection_campaigns"]
            .insert()
            .values(
                **_row(
                    t["inspection_campaigns"],
                    tenant_id=platform,
                    title="专项",
                    status="published",
                    filed_at=AT,
                    scope={"industry_prefixes": ["C26"]},
                )
            )
        )
        conn.execute(
            t["inspection_draws"]
            .insert()
            .values(
                **_row(
                    t["inspection_draws"],
                    tenant_id=platform,
                    title="抽查",
                    seed=seed,
                    seed_hash=hashlib.sha256(seed.encode()).hexdigest(),
                    status="committed",
                    pool={"enterprises": {"general": [eid]}, "officers": [1, 2]},
                    conflicts=[],
                    result=[],
                )
            )
        )
    with app.app_context():
        upgrade(revision="heads")
    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    with engine.connect() as conn:
        visits = conn.execute(select(t["enterprise_visits"])).mappings().all()
        assert len(visits) == 1
        v = visits[0]
        assert (v["uscc"], v["visit_date"], v["mode"], v["status"]) == (
            "91140100MA0000001X",
            date(2026, 3, 16),
            "on_site",
            "approved",
        )
        c = conn.execute(select(t["inspection_campaigns"])).mappings().one()
        assert c["published_at"] is not None and c["filed_with"] == ""
        d = conn.execute(select(t["inspection_draws"])).mappings().one()
        assert d["protocol"] == 1 and d["pool_hash"] == "" and d["contributions"] in ([], "[]")
    engine.dispose()
    if kind == "postgresql":
        from .pg import drop_database, worker_suffix

        drop_database(os.environ["TEST_DATABASE_URL"], f"mig0006f_{worker_suffix()}")

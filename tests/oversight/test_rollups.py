"""Oversight rollups (issue 17 item 5; XJ-A, SX-O): whole months of the inspection charts come
from each tenant's hourly rollup, the rest live, and the page says which is which.

The world is conftest.py's (clock 2026-06-15 10:00 Asia/Shanghai): urumqi's on-site inspections on
2026-03-10 and 2026-03-20, its off-site one on 2026-05-05, tianshan's quiet-period visit to a
listed enterprise on 2026-05-12, and the sibling kashi's on 2026-03-11. January–May are whole
months of the default period 2026-01-01..2026-06-15; June is the partial month, counted live.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from tenant_app.context import for_tenant
from tenant_app.extensions import db
from tenant_app.jobs import maintenance
from tenant_app.models import InspectionRollup, RollupRefresh
from tenant_app.oversight.services import rollups, stats
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import bearer, login, tenant
from tests.inspections.conftest import acting

from .conftest import ent, inspection

pytestmark = pytest.mark.today("2026-06-15")

CHARTS = ("inspections_month", "inspections_trigger", "on_site_conduct")


def _refresh(slug: str) -> rollups.Refreshed:
    t = tenant(slug)
    with use_scope(tenant_scope(t)):
        return rollups.refresh(for_tenant(t))


def _chart(key: str, **args: Any) -> stats.Chart:
    with acting("urumqi-auditor", "xj-urumqi"):
        ctx = scope_context()
        return stats.chart(ctx, stats.parse_filters(ctx, args), key)


def _drill_total(key: str, measure: str, bucket: str) -> int:
    with acting("urumqi-auditor", "xj-urumqi"):
        ctx = scope_context()
        return stats.drill(ctx, stats.parse_filters(ctx, {}), key, measure, bucket).total


FILTERS: list[dict[str, str]] = [
    {},
    {"start": "2026-03-15", "end": "2026-05-20"},  # both ends partial: only April is whole
    {"category": "listed"},
    {"industry": "C"},
]


def test_rollup_figures_equal_the_live_count_for_every_inspection_chart(oversight_world):
    live = {(k, i): _chart(k, **f) for k in CHARTS for i, f in enumerate(FILTERS)}
    for slug in ("xj-urumqi", "xj-urumqi-tianshan", "xj-kashi"):
        _refresh(slug)
    for (key, i), before in live.items():
        after = _chart(key, **FILTERS[i])
        assert after.values == before.values, (key, FILTERS[i])
        assert after.snapshot_at is not None
    # the sibling's own rollup exists, and still never reaches urumqi's figures
    assert _chart("inspections_month").values["on_site"][2] == 2  # March: urumqi's two


def test_a_refresh_counts_one_tenant_and_writes_only_its_own_rows(oversight_world):
    done = _refresh("xj-urumqi")
    # 4 inspections, the rejected one never counted: 3 in 3 groups
    assert (done.source_rows, done.rollup_rows) == (3, 3)
    with use_scope(system_scope()):
        owners = set(db.session.execute(select(InspectionRollup.tenant_id)).scalars())
        stamps = db.session.execute(select(RollupRefresh.tenant_id)).scalars().all()
    assert owners == {tenant("xj-urumqi").id} and stamps == [tenant("xj-urumqi").id]
    _refresh("xj-urumqi")  # rebuilt, not added to
    with use_scope(system_scope()):
        assert len(db.session.execute(select(InspectionRollup.id)).all()) == 3


def test_a_whole_month_is_the_snapshot_until_the_next_refresh_and_this_month_is_live(
    oversight_world, travel
):
    for slug in ("xj-urumqi", "xj-urumqi-tianshan"):
        _refresh(slug)
    u = ent("xj-urumqi", "乌市企业C")
    inspection("xj-urumqi", u, date(2026, 4, 8), "on_site", "complaint")  # a whole month
    inspection("xj-urumqi", u, date(2026, 6, 2), "on_site", "complaint")  # this month
    c = _chart("inspections_month")
    april, june = c.values["on_site"][3], c.values["on_site"][5]
    assert (april, june) == (0, 1)  # April from the snapshot; June counted live
    assert _drill_total("inspections_month", "on_site", "2026-04") == 1  # the rows are live
    travel("2026-06-15T11:00")
    _refresh("xj-urumqi")
    assert _chart("inspections_month").values["on_site"][3] == 1


def test_a_rollup_missed_for_three_hours_is_not_trusted(oversight_world, travel):
    _refresh("xj-urumqi")
    _refresh("xj-urumqi-tianshan")
    u = ent("xj-urumqi", "乌市企业C")
    inspection("xj-urumqi", u, date(2026, 4, 8), "on_site", "complaint")
    assert _chart("inspections_month").values["on_site"][3] == 0
    travel("2026-06-15T13:01")  # the rollups were made at 10:00; MAX_AGE is 3 hours
    c = _chart("inspections_month")
    assert c.values["on_site"][3] == 1 and c.snapshot_at is None


def test_a_fine_industry_filter_is_counted_live(oversight_world):
    for slug in ("xj-urumqi", "xj-urumqi-tianshan"):
        _refresh(slug)
    assert _chart("inspections_month", industry="C").snapshot_at is not None
    assert _chart("inspections_month", industry="C2611").snapshot_at is None


def test_the_hourly_job_builds_every_tenants_rollup(oversight_world):
    maintenance.schedule_periodic()  # in-process, eager: the per-tenant jobs run now
    with use_scope(system_scope()):
        stamped = set(db.session.execute(select(RollupRefresh.tenant_id)).scalars())
    assert {tenant(s).id for s in ("xj-urumqi", "xj-urumqi-tianshan", "xj-kashi")} <= stamped
    assert _chart("inspections_month").snapshot_at is not None


def test_the_page_and_the_api_say_when_the_snapshot_was_taken(oversight_world, client):
    login(client, "xj-urumqi", "urumqi-auditor")
    page = client.get("/xj-urumqi/oversight/").get_data(as_text=True)
    assert "实时统计" in page and "统计快照" not in page
    for slug in ("xj-urumqi", "xj-urumqi-tianshan"):
        _refresh(slug)
    page = client.get("/xj-urumqi/oversight/").get_data(as_text=True)
    assert "整月数据取自统计快照（更新于 2026-06-15 10:00" in page
    bulletin = client.get("/xj-urumqi/oversight/bulletin").get_data(as_text=True)
    assert "整月数据取自 2026-06-15 10:00 的统计快照" in bulletin
    base = "/api/v1/tenants/xj-urumqi/oversight/charts"
    auditor = bearer("urumqi-auditor")
    body = client.get(f"{base}/inspections_month", headers=auditor).get_json()
    assert body["snapshot_at"].startswith("2026-06-15T")
    listing = client.get(f"{base}/listing", headers=auditor).get_json()
    assert listing["snapshot_at"] is None  # small tables are always counted live

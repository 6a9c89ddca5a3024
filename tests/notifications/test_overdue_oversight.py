"""Issue 16 item 3, "an overdue flag visible to oversight": the daily reminder run keeps its
tenant's overdue deadlines, and a province's oversight reads its subtree's in one chart with a
drill-down to each item (who owes it, since when, under which rule) — never a sibling's.

Clock: Tuesday 2026-09-29. Each city has a 责令整改 record due Friday 2026-09-25 (overdue) and
one due 2026-10-30 (not yet)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.models import ComplianceRecord, OverdueItem
from tenant_app.oversight.services import stats
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import bearer, login, tenant
from tests.inspections.conftest import acting

from .test_reminders import SX, XJ, _rectification, _run_job

pytestmark = pytest.mark.today("2026-09-29")


def _chart() -> stats.Chart:
    with acting("xj-auditor", "xj"):
        ctx = scope_context()
        return stats.chart(ctx, stats.parse_filters(ctx, {}), "overdue")


def _figure(c: stats.Chart, measure: str, slug: str) -> int:
    i = [b for b, _l in c.buckets].index(tenant(slug).id)
    return c.values[measure][i]


@pytest.fixture()
def two_cities(world: Any) -> dict[str, int]:
    ids = {
        "urumqi": _rectification(XJ, "urumqi-officer1", date(2026, 9, 25)),
        "urumqi_later": _rectification(XJ, "urumqi-officer1", date(2026, 10, 30)),
        "taiyuan": _rectification(SX, "taiyuan-officer1", date(2026, 9, 25)),
    }
    _run_job(XJ)
    _run_job(SX)
    return ids


def test_the_province_sees_its_cities_overdue_items_and_who_owes_them(two_cities) -> None:
    c = _chart()
    assert _figure(c, "all", XJ) == 1 and _figure(c, "correction", XJ) == 1
    assert _figure(c, "cases", XJ) == 0
    assert sum(c.totals.values()) == 2  # all + correction: the sibling Shanxi's item is not here
    assert c.snapshot_kind == "overdue" and c.snapshot_at is not None
    with acting("xj-auditor", "xj"):
        ctx = scope_context()
        d = stats.drill(
            ctx, stats.parse_filters(ctx, {}), "overdue", "correction", str(tenant(XJ).id)
        )
    assert d.total == 1 and d.extra_label == "承办人"
    row = d.rows[0]
    assert (row.on, row.assignee, row.region) == (date(2026, 9, 25), "张执法", "乌鲁木齐市")
    assert row.link.startswith(f"/{XJ}/")


def test_a_rerun_after_the_record_is_closed_clears_the_flag(two_cities) -> None:
    with use_scope(system_scope(tenant(XJ).id)):
        db.session.get(ComplianceRecord, two_cities["urumqi"]).outcome = "closed"
        db.session.commit()
    _run_job(XJ)
    assert _figure(_chart(), "all", XJ) == 0
    with use_scope(system_scope()):
        left = db.session.execute(select(OverdueItem.tenant_id)).scalars().all()
    assert left == [tenant(SX).id]  # the run rewrote its own tenant's rows only


def test_pages_and_api_show_the_chart_to_oversight_and_refuse_a_city_officer(
    two_cities, client
) -> None:
    login(client, "xj", "xj-auditor")
    page = client.get("/xj/oversight/").get_data(as_text=True)
    assert "逾期未办事项" in page and "取自各地每日期限提醒运行" in page
    rows = client.get(
        f"/xj/oversight/charts/overdue/rows?measure=all&bucket={tenant(XJ).id}"
    ).get_data(as_text=True)
    assert "张执法" in rows and "承办人" in rows and f'href="/{XJ}/' in rows
    api = client.get(
        f"/api/v1/tenants/xj/oversight/charts/overdue/rows?measure=all&bucket={tenant(XJ).id}",
        headers=bearer("xj-auditor"),
    ).get_json()
    assert [(r["assignee"], r["on"]) for r in api["rows"]] == [("张执法", "2026-09-25")]
    officer = client.get(
        "/api/v1/tenants/xj-urumqi/oversight/charts/overdue", headers=bearer("urumqi-officer1")
    )
    assert officer.status_code == 403


def test_before_any_reminder_run_the_chart_says_it_has_no_data_not_that_it_is_live(
    world, client
) -> None:
    _rectification(XJ, "urumqi-officer1", date(2026, 9, 25))  # overdue, but no run yet
    c = _chart()
    assert c.snapshot_kind == "overdue" and c.snapshot_at is None
    assert _figure(c, "all", XJ) == 0
    login(client, "xj", "xj-auditor")
    page = client.get("/xj/oversight/").get_data(as_text=True)
    section = page.split('id="chart-overdue"')[1].split("</section>")[0]
    assert "各地尚未运行每日期限提醒" in section and "实时统计" not in section

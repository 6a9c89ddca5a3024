"""The dashboard and the oversight page in a real browser (issue 17), on a desk (1366 px) and a
phone (390 px), with the demo population: the charts are drawn by the locally served ECharts (a
canvas per chart), nothing scrolls sideways, a click on a chart opens the rows behind it.
Screenshots go to $SCREENSHOT_DIR (default test-artifacts/)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tenant_app.demo import seed_demo_data
from tenant_app.extensions import db
from tests.web.test_browser_layout import DESK, PHONE, no_sideways_scroll, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture()
def demo(world: dict[str, Any]) -> dict[str, Any]:
    """The demo population on top of the test world (before the live server starts)."""
    seed_demo_data()
    db.session.commit()
    return world


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["1366", "390"])
def test_dashboard_and_oversight_page_at_desk_and_phone_widths(
    demo, live_server, browser_page, artifacts, size
):
    page = browser_page
    page.set_viewport_size(size)
    w = size["width"]
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    sign_in(page, "urumqi-principal")
    assert page.locator("#block-approvals").is_visible()
    assert page.locator("#block-due").is_visible()
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / f"dashboard-principal-{w}.png"), full_page=True)

    sign_in(page, "xj-auditor", slug="xj")
    page.goto("/xj/oversight/")
    page.locator("#chart-inspections_month canvas").first.wait_for()
    assert (
        page.locator(".oversight-chart canvas").count() == page.locator(".oversight-chart").count()
    )
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / f"oversight-province-{w}.png"), full_page=True)
    # Everything, the charting library included, comes from the app itself (never a CDN).
    assert [u for u in requested if not u.startswith(live_server)] == []
    assert any("vendor/echarts-5.6.0/echarts.min.js" in u for u in requested)

    # The table's figure and the chart open the same rows.
    first = page.locator("#chart-inspections_trigger tbody a").first
    figure = int(first.inner_text())
    first.click()
    page.wait_for_url(re.compile(r"/xj/oversight/charts/inspections_trigger/rows"))
    assert page.locator("#drill-rows tbody tr").count() == figure
    no_sideways_scroll(page)

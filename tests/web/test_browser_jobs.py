"""Issue 10 item 5 in Chromium: a failed job's page shows its reason and a retry button that
works (htmx, in place); a job waiting for a worker says so and its box moves on by itself once a
worker has run it (htmx polling); a large export becomes a job whose page offers the file.
At a phone's width the page stays in the window. Screenshots go to $SCREENSHOT_DIR."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tenant_app.extensions import db
from tenant_app.jobs import enqueue
from tenant_app.jobs.enqueue import _PENDING_KEY
from tenant_app.jobs.runner import run_job_inprocess
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import tenant
from tests.jobs import kinds
from tests.registry.factory import make_enterprise

from .test_browser_layout import DESK, PHONE, no_sideways_scroll, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _flaky_off() -> Any:
    kinds.FLAKY.clear()
    yield
    kinds.FLAKY.clear()


def _job(world: dict[str, Any], name: str, run: bool = True) -> str:
    officer = world["users"]["urumqi-officer1"]
    with use_scope(tenant_scope(tenant("xj-urumqi"), officer.id)):
        job_id = enqueue(name, {"tag": "browser"}).id
        if not run:
            db.session.info.pop(_PENDING_KEY, None)  # no worker takes it
        db.session.commit()
    return job_id


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["1366", "390"])
def test_a_failed_job_shows_its_reason_and_retries_in_place(world, browser_page, artifacts, size):
    kinds.FLAKY.set()
    job_id = _job(world, "testjobs.flaky")
    kinds.FLAKY.clear()  # the cause is gone; the officer retries
    page = browser_page
    page.set_viewport_size(size)
    sign_in(page, "urumqi-officer1")
    page.goto(f"/xj-urumqi/jobs/{job_id}/")
    reason = page.locator("#job-reason")
    assert "上级系统暂时无法连接：请稍后重试" in reason.inner_text()
    expect(page.locator("#job-count")).to_contain_text("已处理 3 / 4")
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / f"job-failed-{size['width']}.png"))
    page.locator("#job-retry").click()
    page.locator('#job-box[data-status="done"]').wait_for()
    assert page.url.endswith(f"/jobs/{job_id}/")  # swapped in place, no page change
    expect(page.locator("#job-count")).to_contain_text("已处理 4 / 4")
    assert page.locator("#job-retry").count() == 0
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / f"job-retried-{size['width']}.png"))


def test_a_waiting_job_says_so_and_moves_on_once_a_worker_ran_it(world, browser_page, artifacts):
    job_id = _job(world, "testjobs.flaky", run=False)
    page = browser_page
    sign_in(page, "urumqi-officer1")
    page.goto(f"/xj-urumqi/jobs/{job_id}/")
    expect(page.locator("#job-box")).to_contain_text("正在等待后台处理程序接手")
    assert page.locator("#job-status").inner_text() == "等待开始"
    run_job_inprocess(job_id)  # a worker takes it
    page.locator('#job-box[data-status="done"]').wait_for(timeout=10_000)  # the box polls
    expect(page.locator("#job-count")).to_contain_text("已处理 4 / 4")
    page.screenshot(path=str(artifacts / "job-polled-done.png"))


def test_a_large_export_becomes_a_job_that_offers_the_file(
    world, browser_page, artifacts, app, monkeypatch
):
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_ROWS", 2)
    for n in range(1, 5):
        make_enterprise("xj-urumqi", n, name=f"天山{n}号化工有限公司")
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, "urumqi-officer1")
    page.goto("/xj-urumqi/enterprises/")
    page.get_by_role("link", name="按当前条件导出 XLSX").click()
    page.wait_for_url(re.compile(r"/xj-urumqi/enterprises/export/"))
    expect(page.locator("#export-count")).to_contain_text("按当前条件共有 4 家企业")
    no_sideways_scroll(page)
    page.get_by_role("button", name="开始导出").click()
    page.wait_for_url(re.compile(r"/xj-urumqi/jobs/export:"))
    page.locator('#job-box[data-status="done"]').wait_for()
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "export-job-390.png"))
    with page.expect_download() as download:
        page.get_by_role("link", name="下载文件").click()
    assert download.value.suggested_filename == "企业名录.xlsx"

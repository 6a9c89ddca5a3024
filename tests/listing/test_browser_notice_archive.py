"""Issue 11 item 3 in real Chromium: a notice is dated from the moment it goes up on the public
page (XJ-P 社会公示, 公示期不少于5个工作日), stays visible and takes objections for its whole
period, and after formal publication its page remains reachable as an archive, not a 404.

March 2026 has no statutory holiday or make-up working day (2026: Spring Festival 02-15..02-23,
Qingming 04-04..04-06): a notice up on Tuesday 2026-03-10 runs at least to Tuesday 2026-03-17
and may be published from Wednesday 2026-03-18. The live server runs in this process, so the
test's clock (time-machine) is the server's clock; the browser signs in again after each move.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from playwright.sync_api import expect

from tenant_app.extensions import db
from tenant_app.listing.services import entries
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import tenant
from .factory import as_user, enterprise_user, good_enterprise
from .test_browser_procedure import sign_in, sign_out

pytestmark = pytest.mark.browser


def _committed(world, travel, e):
    travel("2026-03-02")
    with as_user(world, "urumqi-officer1") as ctx:
        entry = entries.create(ctx, db.session.merge(e), origin="nomination")
        db.session.commit()
        entry_id = entry.id
    travel("2026-03-04")
    with as_user(world, "urumqi-officer1") as ctx:
        entries.site_verification(
            ctx,
            entries.get_entry(ctx, entry_id),
            {"on_date": "2026-03-04", "officers": "张三、李四", "record": "正常", "passed": "1"},
        )
        entries.add_opinion(
            ctx,
            entries.get_entry(ctx, entry_id),
            {
                "party_type": "association",
                "party": "乌鲁木齐市环保产业协会",
                "on_date": "2026-03-04",
                "opinion": "同意",
                "agrees": "1",
            },
        )
        db.session.commit()
    uid = enterprise_user(world, e, "qiye1")
    s = replace(tenant_scope(tenant("xj-urumqi"), uid), roles=frozenset({"enterprise"}))
    travel("2026-03-09")
    with use_scope(s):
        ctx = scope_context()
        entries.sign_commitment(
            ctx, entries.get_entry(ctx, entry_id), db.session.merge(e), {"on_date": "2026-03-09"}
        )
        db.session.commit()


@pytest.mark.today("2026-03-02")
def test_notice_visible_for_its_whole_period_then_archived(browser_page, world, travel, artifacts):
    page = browser_page
    e = good_enterprise(1, address="乌鲁木齐市天山区测试路1号")
    _committed(world, travel, e)

    # 2026-03-10: the bureau puts the notice up; it is dated today, no start date to type
    travel("2026-03-10")
    sign_in(page, "urumqi-officer1")
    page.goto("/xj-urumqi/listing/")
    page.locator("input[name=entry_ids]").check()
    page.get_by_label("批次名称").fill("2026年第一批正面清单")
    page.get_by_role("button", name="编入批次").click()
    page.wait_for_url(re.compile(r"/listing/batches/\d+$"))
    batch_url = page.url
    batch_id = int(batch_url.rsplit("/", 1)[1])
    assert page.locator("input[name=notice_start]").count() == 0
    page.get_by_role("button", name="开始公示").click()
    expect(page.locator("body")).to_contain_text("公示 2026-03-10 至 2026-03-17")
    sign_out(page)
    notice_url = f"/xj-urumqi/public/positive-list/notices/{batch_id}"

    # visible, taking objections, on its first and on its last day
    for day in ("2026-03-10", "2026-03-17"):
        travel(day)
        page.goto("/xj-urumqi/public/positive-list/notices")
        expect(page.locator("body")).to_contain_text("2026年第一批正面清单")
        resp = page.goto(notice_url)
        assert resp is not None and resp.status == 200
        expect(page.locator("body")).to_contain_text(e.uscc)
        expect(page.locator("body")).to_contain_text("提交异议")

    # 2026-03-18: the period is over; formal publication
    travel("2026-03-18")
    page.goto(notice_url)
    expect(page.locator("body")).to_contain_text("公示期已满，不再受理异议")
    expect(page.locator("body")).to_contain_text(e.uscc)
    sign_in(page, "urumqi-officer1")
    page.goto(batch_url)
    page.get_by_role("button", name="正式发布").click()
    expect(page.locator("body")).to_contain_text("已发布")
    sign_out(page)

    # the notice page is still there, as an archive of what was noticed
    resp = page.goto(notice_url)
    assert resp is not None and resp.status == 200
    html = page.content()
    assert "公示已结束（存档）：已于 2026-03-18 正式发布" in html
    assert e.uscc in html and "2026-03-10 至 2026-03-17" in html and "提交异议" not in html
    page.goto("/xj-urumqi/public/positive-list/notices")
    expect(page.locator("body")).to_contain_text("往期公示（存档）")
    page.get_by_role("link", name="2026年第一批正面清单").click()
    # a link click only starts the navigation; read the page once the archive has loaded
    page.wait_for_url(f"**{notice_url}")
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("公示已结束（存档）")
    page.screenshot(path=str(artifacts / "listing-notice-archive.png"), full_page=True)

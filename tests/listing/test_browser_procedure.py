"""The whole XJ-P procedure once through real Chromium: the enterprise applies (self-check and an
attachment), the bureau verifies and consults, the enterprise signs its commitment, the bureau
batches and opens the notice, the public objects, staff dismiss, publication, filing, and the
province acknowledges the filing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.models.listing import ListingFiling
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import PASSWORD
from .factory import enterprise_user, good_enterprise

pytestmark = pytest.mark.browser


def sign_in(page, username: str, slug: str = "xj-urumqi", password: str = PASSWORD) -> None:
    page.goto(f"/{slug}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(rf"/{slug}/$"))


def sign_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/login"))


# March 2026 (no statutory holiday): applied 03-02, verified and consulted 03-04, committed 03-09,
# notice up 03-10 (five working days to 03-17), published and filed 03-18. The clock moves with
# the story (the live server shares this process's clock), each step on its own day (issue 11).
@pytest.mark.today("2026-03-02")
def test_whole_procedure_in_the_browser(browser_page, world, artifacts, tmp_path, travel):
    page = browser_page
    e = good_enterprise(1, address="乌鲁木齐市天山区测试路1号")
    enterprise_user(world, e, "qiye1")
    report = tmp_path / "自查报告.pdf"
    report.write_bytes(b"%PDF-1.4 self-check")

    # 1. the enterprise applies online
    sign_in(page, "qiye1", password="Qiye-2026-pass")
    page.goto("/xj-urumqi/my/listing/apply")
    for cid in ("C1", "C2", "C3", "C4", "C5", "C6", "C7"):
        page.locator(f"input[name=ok_{cid}][value='1']").check()
    page.locator("#files").set_input_files(str(report))
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/my/listing/")
    expect(page.locator("body")).to_contain_text("已申请/推荐")
    sign_out(page)

    # 2. the bureau: on-site verification, then an opinion
    travel("2026-03-04")
    sign_in(page, "urumqi-officer1")
    page.goto("/xj-urumqi/listing/")
    page.locator("table a", has_text=re.compile(r"^\d+$")).last.click()
    entry_url = page.url
    expect(page.locator("body")).to_contain_text("自查报告.pdf")
    page.get_by_label("核查日期").fill("2026-03-04")
    page.get_by_label("核查人员").fill("张执法、李执法")
    page.get_by_label("核查记录").fill("污染防治设施正常运行")
    page.get_by_label("核查通过").check()  # never pre-ticked: the officer ticks it (issue 10)
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(entry_url)
    page.get_by_label("征求意见对象").fill("乌鲁木齐市环保产业协会")
    page.get_by_label("日期").fill("2026-03-04")
    page.get_by_label("意见内容").fill("同意纳入")
    page.get_by_role("checkbox", name="同意纳入").check()
    page.get_by_role("button", name="提交").click()
    expect(page.locator("body")).to_contain_text("已征求意见")
    sign_out(page)

    # 3. the enterprise dates and signs its commitment (text from the pack)
    travel("2026-03-09")
    sign_in(page, "qiye1", password="Qiye-2026-pass")
    page.goto("/xj-urumqi/my/listing/")
    expect(page.locator("body")).to_contain_text("XJ-C1")
    page.get_by_role("button", name="签署守法承诺").click()
    expect(page.locator("body")).to_contain_text("已作守法承诺")
    sign_out(page)

    # 4. the bureau batches it and opens the notice today
    travel("2026-03-10")
    sign_in(page, "urumqi-officer1")
    page.goto("/xj-urumqi/listing/")
    page.locator("input[name=entry_ids]").check()
    page.get_by_label("批次名称").fill("2026年第一批正面清单")
    page.get_by_role("button", name="编入批次").click()
    page.wait_for_url(re.compile(r"/listing/batches/\d+$"))
    batch_url = page.url
    batch_id = int(batch_url.rsplit("/", 1)[1])
    page.get_by_role("button", name="开始公示").click()
    expect(page.locator("body")).to_contain_text("公示中")
    expect(page.locator("body")).to_contain_text("XJ-P")
    sign_out(page)

    # 5. the public objects on the notice page
    page.goto(f"/xj-urumqi/public/positive-list/notices/{batch_id}")
    expect(page.locator("body")).to_contain_text(e.uscc)
    expect(page.locator("body")).to_contain_text("投诉举报途径")
    page.get_by_label("异议内容（必填）").fill("该企业夜间有异味")
    page.get_by_role("button", name="提交异议").click()
    # the POST answers with a redirect: wait for the page it leads to, not the one in between
    page.get_by_text("异议已提交").first.wait_for()
    expect(page.locator("body")).to_contain_text("异议已提交")
    page.screenshot(path=str(artifacts / "listing-public-notice.png"), full_page=True)

    # 6. staff dismiss it with a published reason
    sign_in(page, "urumqi-officer1")
    page.goto(batch_url)
    page.get_by_label("理由（公开）").fill("经现场核实，异味来自相邻企业")
    page.get_by_role("button", name="处理").click()
    expect(page.locator("body")).to_contain_text("异议不成立")

    sign_out(page)
    # The notice period passes: 2026-03-17 is its last day.
    travel("2026-03-18")
    sign_in(page, "urumqi-officer1")

    # 7. formal publication, 8. filing with the province
    page.goto(batch_url)
    page.get_by_role("button", name="正式发布").click()
    expect(page.locator("body")).to_contain_text("已发布")
    page.get_by_role("button", name="报上级备案").click()
    expect(page.locator("body")).to_contain_text("已报备案")
    page.goto("/xj-urumqi/public/positive-list/")
    expect(page.locator("body")).to_contain_text(e.name)
    sign_out(page)

    # 9. the province acknowledges the filing
    sign_in(page, "xj-auditor", slug="xj")
    page.goto("/xj/listing/filings")
    expect(page.locator("body")).to_contain_text(e.name)
    page.get_by_label("签收意见").fill("已收悉")
    page.get_by_role("button", name="签收").click()
    expect(page.locator("body")).to_contain_text("已签收备案")
    page.screenshot(path=str(artifacts / "listing-filings-inbox.png"), full_page=True)
    with use_scope(system_scope()):
        assert db.session.execute(select(ListingFiling.ack_note)).scalar_one() == "已收悉"

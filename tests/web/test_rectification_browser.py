"""Issue 15 in Chromium, through the real pages only: from the decision to the verified
rectification. The principal head decides with a correction order and its days (NAT-APL-28.1,
SX-14: the order becomes an object with its calendar deadline); the officer serves; the
enterprise finds the order on its portal, submits its plan (measures, responsible person,
milestones) and reports progress with a photo (SX-15); the officer records the help given (纾困)
and verifies off-site, closing the order as done; the enterprise sees the outcome."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tenant_app import clock
from tenant_app.demo.cases import _noticed, _waived
from tests.inspections.conftest import make_enterprise, make_enterprise_user
from tests.services import need_chromium

from .test_case_browser import sign_in, sign_out

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ORDINARY = {"harm": "general", "correction": "when_ordered", "history": "first"}


@pytest.fixture()
def awaiting_decision(world: Any) -> dict[str, Any]:
    """A case noticed today whose party waived its window: it waits for the decision."""
    need_chromium()
    e = make_enterprise("sx-taiyuan", name="太原整改旅程测试有限公司")
    make_enterprise_user("sx-taiyuan", e, "rect-journey-co")
    case_id = _noticed(
        "sx-taiyuan", e.id, ("air_outlet", ORDINARY), facts="废气排放口未设置采样平台。"
    )
    _waived("sx-taiyuan", case_id)
    return {"enterprise": e, "case_id": case_id}


def test_from_decision_to_verified_rectification_in_the_browser(
    awaiting_decision: dict[str, Any], browser_page: Any, artifacts: Any, tmp_path: Any
) -> None:
    page = browser_page
    case_url = f"/sx-taiyuan/cases/{awaiting_decision['case_id']}/"
    today = clock.today().isoformat()

    sign_in(page, "taiyuan-principal")
    page.goto(case_url)
    page.get_by_label("责令改正的内容（处罚或者不予处罚均须填写）").fill(
        "责令立即按规定设置废气采样平台。"
    )
    page.get_by_label("改正期限（天数，留空按政策默认）").fill("10")
    page.get_by_role("button", name="作出决定").click()
    decided = page.locator("#decision").inner_text()
    assert "责令立即按规定设置废气采样平台" in decided and "限" in decided, decided
    sign_out(page)

    sign_in(page, "taiyuan-officer1")
    page.goto(case_url)
    page.get_by_label("送达方式").select_option(label="当场交付")
    page.get_by_role("button", name="登记送达").click()
    page.goto("/sx-taiyuan/rectification/?status=issued&source=case")
    page.get_by_role("link", name=re.compile(r"^#\d+$")).first.click()
    page.wait_for_url(re.compile(r"/rectification/\d+/$"))
    order_url = page.url
    order_id = int(re.search(r"/rectification/(\d+)/", order_url).group(1))  # type: ignore[union-attr]
    expect(page.locator("#order")).to_contain_text("SX-15")
    sign_out(page)

    sign_in(page, "rect-journey-co")
    page.goto("/sx-taiyuan/enterprise/rectification/")
    page.get_by_role("link", name=f"#{order_id}").click()
    page.locator("#measures").fill("加装废气采样平台并设置标志牌")
    page.locator("#responsible").fill("设备部 张工")
    page.locator("#milestones").fill(f"{today} 完成采样平台安装")
    page.get_by_role("button", name="提交整改方案").click()
    expect(page.locator("#order-status")).to_contain_text("已提交整改方案")
    photo = tmp_path / "platform.png"
    photo.write_bytes(PNG)
    page.locator("#text").fill("采样平台已安装完毕，附现场照片。")
    page.locator("#file").set_input_files(str(photo))
    page.get_by_role("button", name="报告进展").click()
    expect(page.locator("#progress")).to_contain_text("platform.png")
    sign_out(page)

    sign_in(page, "taiyuan-officer1")
    page.goto(order_url)
    page.get_by_label("帮扶内容").fill("指导企业按规范设置采样孔位置。")
    page.get_by_role("button", name="记录帮扶").click()
    expect(page.locator("#progress")).to_contain_text("指导企业按规范设置采样孔位置")
    page.get_by_label("核查方式").select_option("off_site")
    page.get_by_label("核查结论").select_option("done")
    page.get_by_label("核查意见").fill("调阅照片和整改报告，采样平台已按规范设置。")
    page.get_by_role("button", name="办结").click()
    expect(page.locator("#order-status")).to_contain_text("已完成整改")
    page.screenshot(path=str(artifacts / "rectification-verified-zh.png"), full_page=True)
    sign_out(page)

    sign_in(page, "rect-journey-co")
    page.goto(f"/sx-taiyuan/enterprise/rectification/{order_id}/")
    expect(page.locator("#order-status")).to_contain_text("已完成整改")
    expect(page.locator("#verification")).to_contain_text("非现场核查")

"""Chromium through the real pages (issue 11 item 13): an officer freezes the pool and commits,
a legal reviewer witnesses, both reveal, and the public page recomputes the draw."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.services import need_chromium

from .conftest import future, make_enterprise
from .test_draws_two_party import _user
from .test_inspection_browser import sign_in, sign_out

pytestmark = pytest.mark.browser


@pytest.fixture()
def registry(world):
    need_chromium()
    for i in range(8):
        make_enterprise("sx-taiyuan", name=f"太原抽查浏览器企业{i}", key_discharger=i % 2 == 0)
    _user("sx-taiyuan", "taiyuan-legal", "legal_reviewer")


def test_two_party_draw_in_the_browser(registry, browser_page, artifacts):
    page = browser_page
    sign_in(page, "taiyuan-officer1")
    page.goto("/sx-taiyuan/inspections/draws/")
    page.get_by_label("计划检查日期").fill(future(10, 12).isoformat())
    page.get_by_label("一般监管对象 抽查比例").fill("0.5")
    officer_secret = page.get_by_label("您的随机数").input_value()
    assert re.fullmatch(r"[0-9a-f]{64}", officer_secret)
    page.get_by_role("button", name="锁定企业库并提交承诺").click()
    page.locator("table a").first.click()
    page.wait_for_url(re.compile(r"/draws/\d+/$"))
    url = page.url
    pool_hash = page.locator("#pool-hash").inner_text()
    assert len(pool_hash) == 64
    sign_out(page)

    sign_in(page, "taiyuan-legal")
    page.goto(url)
    witness_secret = page.get_by_label("您的随机数").input_value()
    page.get_by_role("button", name="提交承诺").click()
    page.get_by_label("您的随机数").fill("0" * 64)  # not what was committed
    page.get_by_role("button", name="揭示", exact=True).click()
    expect(page.locator("body")).to_contain_text("不符")
    page.get_by_label("您的随机数").fill(witness_secret)
    page.get_by_role("button", name="揭示", exact=True).click()
    sign_out(page)

    sign_in(page, "taiyuan-officer1")
    page.goto(url)
    page.get_by_label("您的随机数").fill(officer_secret)
    page.get_by_role("button", name="揭示", exact=True).click()
    expect(page.locator("#seed").locator("..")).to_contain_text("复核一致")
    page.goto(url.replace("/inspections/draws/", "/public/draws/").rstrip("/"))
    body = page.content()
    assert "复核一致" in body and pool_hash in body and witness_secret in body
    page.screenshot(path=str(artifacts / "draw-two-party-public-zh.png"), full_page=True)

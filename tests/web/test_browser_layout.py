"""The pages on a desk (1366 px) and on a phone (390 px), with the demo population: no sideways
scroll of the page, the logout always reachable, the public pages linked from the home and login
pages, and a confirmation before an irreversible step (issue 10 items 1, 4, 7). Screenshots go to
$SCREENSHOT_DIR (default test-artifacts/)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from tenant_app.demo import seed_demo_data
from tenant_app.extensions import db
from tenant_app.models import ListingBatch
from tenant_app.tenancy.resolve import system_scope, tenant_by_slug
from tenant_app.tenancy.scope import use_scope
from tests.helpers import PASSWORD

from .conftest import accept_dialog

pytestmark = pytest.mark.browser

DESK = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture()
def demo(world: dict[str, Any]) -> dict[str, Any]:
    """The demo population on top of the test world (before the live server starts)."""
    seed_demo_data()
    db.session.commit()
    return world


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url}: page is {width[0]} px wide in a {width[1]} px window"


def open_menu_if_collapsed(page: Any) -> None:
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#main-nav.show").wait_for()


def sign_in(page: Any, username: str, slug: str = "xj-urumqi") -> None:
    page.goto(f"/{slug}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(rf"/{slug}/$"))


def notice_batch_id() -> int:
    with use_scope(system_scope()):
        tenant = tenant_by_slug("xj-urumqi")
        assert tenant is not None
        batch_id = (
            db.session.execute(
                select(ListingBatch.id).where(
                    ListingBatch.tenant_id == tenant.id, ListingBatch.state == "notice"
                )
            )
            .scalars()
            .first()
        )
        db.session.rollback()
    assert batch_id is not None
    return batch_id


def batch_state(batch_id: int) -> str:
    with use_scope(system_scope()):
        state = db.session.get(ListingBatch, batch_id).state  # type: ignore[union-attr]
        db.session.rollback()
    return state


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["1366", "390"])
def test_staff_pages_fit_the_screen_and_logout_is_reachable(demo, browser_page, artifacts, size):
    page = browser_page
    page.set_viewport_size(size)
    w = size["width"]
    sign_in(page, "urumqi-officer1")
    no_sideways_scroll(page)
    if w < 1200:
        # On a phone the menu is folded behind one button; the logout is inside it.
        assert not page.get_by_role("button", name="退出").is_visible()
    open_menu_if_collapsed(page)
    menu = page.get_by_role("navigation", name="主导航")
    assert menu.get_by_role("link", name="企业名录", exact=True).is_visible()
    assert menu.get_by_role("link", name="English").is_visible()
    assert page.locator(".who").inner_text() == "张执法"
    page.screenshot(path=str(artifacts / f"staff-header-{w}.png"))
    no_sideways_scroll(page)

    # The enterprise list of the demo: the table scrolls in its own box, not the page.
    menu.get_by_role("link", name="企业名录", exact=True).click()
    page.wait_for_url("**/xj-urumqi/enterprises/")
    assert page.locator("main table tbody tr").count() > 10
    assert page.locator(".table-scroll > table").count() >= 1
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / f"enterprise-list-{w}.png"))

    # In English too (longer words): nothing covers the logout, the page stays in the window.
    open_menu_if_collapsed(page)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="English").click()
    page.wait_for_url("**/xj-urumqi/enterprises/")
    no_sideways_scroll(page)
    open_menu_if_collapsed(page)
    logout = page.get_by_role("button", name="Log out")
    assert logout.is_visible()
    box = logout.bounding_box()
    assert box is not None
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('button')?.textContent.trim()",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top == "Log out"  # not covered by the language links
    page.screenshot(path=str(artifacts / f"staff-header-en-{w}.png"))
    page.get_by_role("navigation").get_by_role("link", name="中文").first.click()
    page.wait_for_url("**/xj-urumqi/enterprises/")

    # The logout can be reached and works, at either width.
    open_menu_if_collapsed(page)
    logout = page.get_by_role("button", name="退出")
    assert logout.is_visible()
    logout.click()
    page.wait_for_url("**/xj-urumqi/login")
    assert "您已退出登录" in page.get_by_role("status").inner_text()


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["1366", "390"])
def test_public_pages_are_linked_and_readable_on_a_phone(demo, browser_page, artifacts, size):
    page = browser_page
    page.set_viewport_size(size)
    w = size["width"]
    page.goto("/")
    no_sideways_scroll(page)
    region = page.locator("li", has=page.get_by_role("link", name="乌鲁木齐市", exact=True))
    for name in ("现行正面清单", "公示与异议", "发布与移出", "执法公示与随机抽查"):
        assert region.get_by_role("link", name=name).first.is_visible()
    page.screenshot(path=str(artifacts / f"home-{w}.png"), full_page=True)

    page.goto("/xj-urumqi/login")
    no_sideways_scroll(page)
    public = page.get_by_role("navigation", name="公开信息")
    expected = {
        "现行正面清单": "/xj-urumqi/public/positive-list/",
        "公示与异议": "/xj-urumqi/public/positive-list/notices",
        "发布与移出": "/xj-urumqi/public/positive-list/publications",
        "执法公示与随机抽查": "/xj-urumqi/public/enforcement",
    }
    for name, href in expected.items():
        assert public.get_by_role("link", name=name).get_attribute("href") == href
    page.screenshot(path=str(artifacts / f"login-{w}.png"), full_page=True)

    # From the login page to the notice in progress and its objection form.
    public.get_by_role("link", name="公示与异议").click()
    page.wait_for_url("**/public/positive-list/notices")
    no_sideways_scroll(page)
    page.locator("main section h2 a").first.click()
    page.wait_for_url(re.compile(r"/public/positive-list/notices/\d+$"))
    assert page.get_by_role("heading", name="提出异议").is_visible()
    content = page.get_by_label("异议内容（必填）")
    assert content.is_visible()
    box = content.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= w
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / f"public-notice-{w}.png"))
    content.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"public-notice-form-{w}.png"))

    page.goto("/xj-urumqi/public/enforcement")
    no_sideways_scroll(page)


def test_publishing_asks_first_and_cancel_keeps_the_batch_unpublished(demo, browser_page):
    page = browser_page
    batch_id = notice_batch_id()
    sign_in(page, "urumqi-officer1")
    page.goto(f"/xj-urumqi/listing/batches/{batch_id}")
    page.remove_listener("dialog", accept_dialog)
    asked: list[str] = []

    def cancel(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", cancel)
    page.get_by_role("button", name="正式发布").click()
    page.wait_for_timeout(500)
    assert len(asked) == 1
    assert "正式发布后" in asked[0] and "不能撤回" in asked[0]
    assert batch_state(batch_id) == "notice"
    assert page.get_by_role("status").count() == 0  # nothing was sent

    # OK sends it: the server then answers (here it refuses: the notice is still running).
    page.remove_listener("dialog", cancel)
    page.on("dialog", accept_dialog)
    page.get_by_role("button", name="正式发布").click()
    page.get_by_role("status").first.wait_for()
    assert batch_state(batch_id) == "notice"


def test_every_menu_page_and_its_links_fit_a_phone(demo, browser_page, artifacts):
    """Each role's menu pages of the demo, and the first links on each, at 390 px: nothing wider
    than the phone but the tables' own scrolling boxes (the enterprise's commitment text too)."""
    page = browser_page
    page.set_viewport_size(PHONE)
    wide: list[tuple[str, str, int]] = []
    visited: set[str] = set()
    for user, slug in (
        ("urumqi-admin", "xj-urumqi"),
        ("urumqi-officer1", "xj-urumqi"),
        ("urumqi-qiye", "xj-urumqi"),
        ("taiyuan-officer1", "sx-taiyuan"),
    ):
        sign_in(page, user, slug)
        links = "els => els.map(e => e.getAttribute('href'))"
        todo = page.eval_on_selector_all("#main-nav a.nav-link", links)
        todo += page.eval_on_selector_all("main a", links)[:15]
        seen: set[str] = set()
        for href in todo:  # grows by the first links of each menu page
            if not href or not href.startswith("/") or href in seen:
                continue
            if any(skip in href for skip in ("logout", "format=", "export", "xlsx", "csv")):
                continue
            seen.add(href)
            try:
                page.goto(href)
            except Exception:  # noqa: BLE001 - a download link, not a page
                continue
            if href.count("/") <= 3:
                todo += page.eval_on_selector_all("main a", links)[:12]
            sw, iw = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if sw > iw:
                wide.append((user, href, sw))
                page.screenshot(path=str(artifacts / f"too-wide-{len(wide)}.png"))
        visited |= {f"{user}:{h}" for h in seen}
        page.context.clear_cookies()
    assert len(visited) > 30
    assert not wide, wide

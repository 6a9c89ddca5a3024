"""Issue 10, item 9: axe-core over every page of the demo, at 1366 px and at 390 px.

axe-core (tests/web/vendor/axe.min.js, from the npm registry: version and sha256 in
docs/testing.md) is injected by Playwright into each document before the page's own scripts
(``add_init_script``: not subject to the page's Content-Security-Policy, nothing added to the
app). The pages are those of the human-words test (tests/web/test_human_words.py: every GET page
of the url_map with real demo ids), one per endpoint and visitor, as the staff of both regions,
the province's auditor, the enterprise portal's users and an anonymous visitor (home, login,
registration, public pages). Each is checked at the desk width, then again after the window
narrows to a phone's: the navbar folds and the layout reflows without a reload.

The run fails on any violation of impact "serious" or "critical" and names the rule, the page,
the width and the element's selector; lesser findings are not failures.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tenant_app.demo import seed_demo_data
from tenant_app.extensions import db

from .test_browser_layout import DESK, PHONE, sign_in
from .test_human_words import _urls

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
FAIL_ON = ("serious", "critical")

# (region, user) as the browser tests sign in; None: anonymous (home, login, public pages).
VISITORS: list[tuple[str, str | None]] = [
    ("xj-urumqi", "urumqi-officer1"),
    ("xj-urumqi", "urumqi-admin"),
    ("xj-urumqi", "urumqi-principal"),
    ("xj", "xj-auditor"),
    ("xj-urumqi", "urumqi-qiye"),
    ("sx-taiyuan", "taiyuan-officer1"),
    ("sx-taiyuan", "taiyuan-qiye"),
    ("xj-urumqi", None),
    ("sx-taiyuan", None),
]
# Pages an anonymous visitor opens besides the public ones: the home page, login, registration.
ANONYMOUS_EXTRA = ("/", "/{slug}/login", "/{slug}/enterprise/register")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.flatMap(v => v.nodes.map(n => ({
    rule: v.id, impact: n.impact || v.impact, help: v.help,
    target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' '),
    html: n.html.slice(0, 160),
  })));
}"""


def test_the_vendored_axe_core_is_the_recorded_release() -> None:
    data = AXE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == AXE_SHA256
    head = data[:400].decode()
    assert head.startswith(f"/*! axe v{AXE_VERSION}") and "Mozilla Public" in head


def _endpoint_of(app: Flask, url: str) -> str:
    adapter = app.url_map.bind("localhost")
    endpoint, _args = adapter.match(url.split("?")[0])
    return str(endpoint)


def _pages(app: Flask, slug: str, user: str | None, seen: set[tuple[str, str]]) -> list[str]:
    """One URL per endpoint for this visitor (the first demo row), skipping an endpoint a
    visitor of the same region and kind (staff, enterprise, public) has had already."""
    kind = "public" if user is None else ("enterprise" if user.endswith("qiye") else "staff")
    out: list[str] = []
    extra = [u.format(slug=slug) for u in ANONYMOUS_EXTRA] if user is None else []
    for url in [*extra, *_urls(app, slug, user)]:
        key = (f"{slug.split('-')[0]}:{kind}", _endpoint_of(app, url))
        if key in seen:
            continue
        seen.add(key)
        out.append(url)
    return out


def _check(page: Any, url: str, width: int, found: list[str], report: list[str]) -> None:
    for v in page.evaluate(RUN_AXE):
        line = (
            f"{v['impact']} {v['rule']} at {width} px on {url}: {v['target']}"
            f"  ({v['help']}; {v['html']})"
        )
        report.append(line)
        if v["impact"] in FAIL_ON:
            found.append(line)


@pytest.fixture()
def demo(world: dict[str, Any]) -> dict[str, Any]:
    """The demo population, seeded before the live server starts (as test_browser_layout)."""
    seed_demo_data()
    db.session.commit()
    return world


def test_no_serious_or_critical_axe_violation_on_any_demo_page(
    demo: dict[str, Any], app: Flask, browser_page: Any, artifacts: Path
) -> None:
    page = browser_page
    page.context.add_init_script(path=str(AXE))
    found: list[str] = []
    report: list[str] = []  # every finding, lesser ones too: kept with the screenshots
    seen: set[tuple[str, str]] = set()
    checked = 0
    for slug, user in VISITORS:
        page.context.clear_cookies()
        page.set_viewport_size(DESK)
        if user is not None:
            sign_in(page, user, slug)
        for url in _pages(app, slug, user, seen):
            page.set_viewport_size(DESK)
            response = page.goto(url)
            if response is None or response.status != 200:
                continue
            if not re.match(r"text/html", response.headers.get("content-type", "")):
                continue
            if not response.text().lstrip().lower().startswith("<!doctype html"):
                continue  # a fragment htmx swaps into a page (picker results, job progress)
            _check(page, url, DESK["width"], found, report)
            page.set_viewport_size(PHONE)
            page.wait_for_timeout(100)  # the reflow of the narrower window
            _check(page, url, PHONE["width"], found, report)
            checked += 1
    # A refused form (tenant_app/ui/refused.py): the reason tied to its field, the field focused.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    sign_in(page, "taiyuan-officer1", "sx-taiyuan")
    page.goto("/sx-taiyuan/inspections/plans/")
    page.get_by_label("年度").fill("2031")
    page.locator("input[name=ratio_key]").fill("1.5")
    page.locator("input[name=cap_general]").fill("2")
    page.get_by_role("button", name="创建").click()
    page.locator("[data-field=ratio_key]").wait_for()
    focused = page.evaluate("[document.activeElement.name, document.activeElement.value]")
    assert focused == ["ratio_key", "1.5"]
    assert page.locator("input[name=cap_general]").input_value() == "2"
    described = page.locator("input[name=ratio_key]").get_attribute("aria-describedby")
    assert page.locator(f"#{described}").inner_text() == "超出范围（比例 0–1，次数 0–366）"
    page.screenshot(path=str(artifacts / "refused-plan-390.png"))
    _check(page, "refused plan form", PHONE["width"], found, report)

    (artifacts / "axe-report.txt").write_text(
        f"axe-core {AXE_VERSION}: {checked} pages at {DESK['width']} and {PHONE['width']} px\n"
        + "\n".join(report)
        + "\n",
        encoding="utf-8",
    )
    assert checked > 60, checked
    assert not found, f"{len(found)} serious or critical violations:\n" + "\n".join(found)

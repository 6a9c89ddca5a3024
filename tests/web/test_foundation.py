"""The front-end foundation without a browser (issue 10 items 1, 4, 7): Bootstrap and htmx come
from this server (never a CDN), the public pages are linked from the home and login pages, every
irreversible step asks first, and no pass or consent box is ticked in advance."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tenant_app.demo import seed_demo_data
from tenant_app.extensions import db
from tenant_app.models import ListingBatch
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import login, tenant

APP = Path(__file__).resolve().parents[2] / "tenant_app"
# every template: the page shell's and each feature's (<feature>/templates/)
TEMPLATES = sorted(APP.glob("**/templates/**/*.html"))


def test_bootstrap_and_htmx_are_served_by_the_app(app: Any, world: dict[str, Any]) -> None:
    client = app.test_client()
    html = client.get("/xj-urumqi/login").get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="([^"]+\.(?:css|js))"', html)
    assert any("bootstrap.min.css" in a for a in assets)
    assert any("bootstrap.bundle.min.js" in a for a in assets)
    assert any("htmx.min.js" in a for a in assets)
    for a in assets:
        assert a.startswith("/static/"), a  # no CDN: closed networks must get every file
        resp = client.get(a)
        assert resp.status_code == 200 and len(resp.get_data()) > 100, a
    assert 'name="viewport"' in html


def test_home_and_login_link_to_the_regions_public_pages(app: Any, world: dict[str, Any]) -> None:
    client = app.test_client()
    for page in ("/", "/xj-urumqi/login"):
        html = client.get(page).get_data(as_text=True)
        for href in (
            "/xj-urumqi/public/positive-list/",
            "/xj-urumqi/public/positive-list/notices",
            "/xj-urumqi/public/positive-list/publications",
            "/xj-urumqi/public/enforcement",
        ):
            assert f'href="{href}"' in html, (page, href)
            assert client.get(href).status_code == 200, href
    # The platform itself keeps no list: no public links under it.
    assert "/platform/public/" not in client.get("/").get_data(as_text=True)
    assert "/platform/public/" not in client.get("/platform/login").get_data(as_text=True)


def test_publish_and_file_buttons_name_their_consequence_and_the_way_back(
    app: Any, world: dict[str, Any]
) -> None:
    seed_demo_data()
    db.session.commit()
    with use_scope(system_scope()):
        ids = db.session.execute(
            select(ListingBatch.id, ListingBatch.state).where(
                ListingBatch.tenant_id == tenant("xj-urumqi").id
            )
        ).all()
        db.session.rollback()
    by_state = {state: bid for bid, state in ids}
    client = app.test_client()
    login(client, "xj-urumqi", "urumqi-officer1")
    notice = client.get(f"/xj-urumqi/listing/batches/{by_state['notice']}").get_data(as_text=True)
    assert re.search(r'data-confirm="正式发布后[^"]*不能撤回[^"]*"[^>]*>正式发布<', notice)
    published = client.get(f"/xj-urumqi/listing/batches/{by_state['published']}")
    assert re.search(r'data-confirm="报上级备案后[^"]*"[^>]*>报上级备案<', published.get_data(True))
    # The way back: the section and the dashboard, above the page's heading.
    crumbs = re.search(r'<ol class="breadcrumb[^"]*">(.*?)</ol>', notice, re.S)
    assert crumbs is not None
    assert re.findall(r'href="([^"]+)">([^<]+)<', crumbs.group(1)) == [
        ("/xj-urumqi/", "工作台"),
        ("/xj-urumqi/listing/", "正面清单"),
    ]
    # The English page asks in English.
    client.get("/lang/en")
    english = client.get(f"/xj-urumqi/listing/batches/{by_state['notice']}").get_data(True)
    assert 'data-confirm="Once published,' in english
    # A visitor's way back from a notice is the notices, not a staff page.
    visitor = app.test_client()
    public = visitor.get(f"/xj-urumqi/public/positive-list/notices/{by_state['notice']}")
    trail = re.search(r'<ol class="breadcrumb[^"]*">(.*?)</ol>', public.get_data(True), re.S)
    assert trail is not None
    assert re.findall(r'href="([^"]+)"', trail.group(1)) == [
        "/xj-urumqi/public/positive-list/notices"
    ]


def test_no_pass_or_consent_box_is_ticked_in_advance() -> None:
    assert len(TEMPLATES) > 50
    for path in TEMPLATES:
        for tag in re.findall(r"<input[^>]*>", path.read_text(encoding="utf-8")):
            if 'type="checkbox"' in tag:
                # ticked only from what the user (or the stored record) said, never by default
                bare = re.sub(r"{%\s*if.*?{%\s*endif\s*%}", "", tag)
                assert not re.search(r"\bchecked\b", bare), (path.name, tag)

"""Issue 10 item 6 in Chromium at 390 px (a phone at the plant gate): the officer records a
checklist item with one tap (saved at once, item by item), types its note (saved when the typing
pauses), takes a photo (a PNG made here) that uploads with a progress bar over a connection that
drops the first answer (the retry carries the same key: one attachment), the page never scrolls
sideways and its targets are a thumb wide; after a reload everything is still there."""

from __future__ import annotations

import re
import struct
import zlib

import pytest
from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.models import Inspection, InspectionEvidence
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import PASSWORD

from .test_field_record import running_inspection

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def png(width: int = 32, height: int = 24) -> bytes:
    """A real PNG (green, 8-bit RGB), as a phone camera would hand over a (much larger) JPEG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\x1d\x6f\x42" * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def no_sideways_scroll(page) -> None:
    sw, iw = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert sw <= iw, f"page is {sw} px wide in a {iw} px window"


def thumb_sized(locator) -> None:
    box = locator.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44, box


def test_recording_an_item_and_a_photo_on_a_phone(sx, browser_page, artifacts):
    iid = running_inspection(sx["officers"], name="太原手机记录测试有限公司")
    with use_scope(system_scope()):
        insp = db.session.get(Inspection, iid)
        assert insp is not None
        first = insp.checklist[0]["key"]
    db.session.commit()  # the live server writes next
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto("/sx-taiyuan/login")
    page.get_by_label("用户名").fill("taiyuan-officer1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/sx-taiyuan/$"))
    page.goto(f"/sx-taiyuan/inspections/{iid}/")
    no_sideways_scroll(page)

    item = page.locator(f"#item-{first}")
    compliant = item.locator("label", has_text=re.compile("^符合$"))
    thumb_sized(compliant)
    compliant.click()
    state = page.locator(f"#state-{first}")
    state.get_by_text(re.compile("已保存（")).wait_for()
    item.get_by_label("情况说明").fill("环评批复、验收材料齐全")
    page.wait_for_function(
        "k => document.querySelector('#item-' + k).hasAttribute('data-dirty') === false",
        arg=first,
    )
    state.get_by_text(re.compile("已保存（")).wait_for()

    # The photo: the first answer is lost on the way back (the server has stored it), the page
    # retries with the same key and is answered with the same attachment.
    dropped: list[str] = []

    def lose_first_answer(route) -> None:
        if not dropped:
            route.fetch()  # reaches the server, which stores the photo
            dropped.append("sent")
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(rf"/inspections/{iid}/evidence$"), lose_first_answer)
    photo = page.locator("#ev_photo")
    assert photo.get_attribute("accept") == "image/*"
    assert photo.get_attribute("capture") == "environment"
    thumb_sized(photo)
    thumb_sized(page.get_by_role("button", name="上传照片"))
    photo.set_input_files(files=[{"name": "gate.png", "mimeType": "image/png", "buffer": png()}])
    page.locator("#evidence-list").get_by_text("gate.png").wait_for(timeout=20_000)
    assert dropped, "the first upload was not intercepted"
    assert page.locator("#evidence .upload-state").first.inner_text() == "已上传"
    no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "inspection-record-phone-zh.png"), full_page=True)
    page.unroute(re.compile(rf"/inspections/{iid}/evidence$"))

    page.reload()
    assert page.locator(f"#result-{first}-compliant").is_checked()
    assert page.locator(f"#note-{first}").input_value() == "环评批复、验收材料齐全"
    assert page.locator("#evidence-list li", has_text="gate.png").count() == 1
    no_sideways_scroll(page)
    with use_scope(system_scope()):
        rows = db.session.execute(
            select(InspectionEvidence).where(InspectionEvidence.inspection_id == iid)
        ).scalars()
        assert [(r.filename, r.kind) for r in rows] == [("gate.png", "photo")]

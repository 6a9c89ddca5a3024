"""Issue 15 pages: the officer orders correction on a warning's page (SX-14), the enterprise
submits its plan and reports progress with a photo on its portal (SX-15), the officer records
help and verifies off-site; the list filters and pages; the timeline shows the order; the
reminders queue carries the deadline for both sides; a refusal names the field, never a 500."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.models import CorrectionOrder
from tenant_app.rectification.due import correction_deadlines
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import login, post_form, tenant

from .conftest import answered_warning, make_enterprise, make_enterprise_user, officer_ids

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


@pytest.mark.today("2026-09-28")
def test_SX_14_15_pages_from_warning_to_verified_rectification(
    world: Any, client: Any, app: Any
) -> None:
    e = make_enterprise("sx-taiyuan", name="整改页面测试企业")
    user = make_enterprise_user("sx-taiyuan", e, "rect-page-ent")
    wid = answered_warning("sx-taiyuan", e, date(2026, 9, 21))
    officer = app.test_client()
    login(officer, "sx-taiyuan", "taiyuan-officer1")
    wpage = f"/sx-taiyuan/warnings/{wid}/"
    assert 'id="correction-form"' in officer.get(wpage).get_data(as_text=True)
    r = post_form(
        officer,
        wpage,
        f"/sx-taiyuan/rectification/from-warning/{wid}",
        {"content": "", "finding": "数据缺失", "days": "5"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(wpage)
    flashed = officer.get(wpage).get_data(as_text=True)
    assert "请填写责令改正的内容" in flashed
    r = post_form(
        officer,
        wpage,
        f"/sx-taiyuan/rectification/from-warning/{wid}",
        {"content": "修复在线监测设备", "finding": "数据缺失72小时", "days": "5"},
    )
    assert r.status_code == 302
    t = tenant("sx-taiyuan")
    with use_scope(system_scope(t.id)):
        o = db.session.execute(
            select(CorrectionOrder).where(CorrectionOrder.warning_id == wid)
        ).scalar_one()
        oid, due = o.id, o.due_on
    assert due == date(2026, 10, 10)
    assert r.headers["Location"].endswith(f"/sx-taiyuan/rectification/{oid}/")
    # the warning now shows its order, not a second form (a second order would be refused)
    again = officer.get(wpage).get_data(as_text=True)
    assert 'id="correction-form"' not in again and f"/sx-taiyuan/rectification/{oid}/" in again
    assert "2026-10-10" in again
    listing = officer.get("/sx-taiyuan/rectification/?status=issued&source=warning")
    html = listing.get_data(as_text=True)
    assert f"#{oid}" in html and "整改页面测试企业" in html and "预警核实发现违法" in html
    assert "warning" not in html.split('id="order-count"')[1].split("</table>")[0]
    # The enterprise: its plan (a milestone past the deadline refused, by field), progress.
    ent = app.test_client()
    login(ent, "sx-taiyuan", "rect-page-ent")
    mine = f"/sx-taiyuan/enterprise/rectification/{oid}/"
    assert f"#{oid}" in ent.get("/sx-taiyuan/enterprise/rectification/").get_data(as_text=True)
    post_form(
        ent,
        mine,
        f"{mine}plan",
        {"measures": "更换数采仪", "responsible": "张工", "milestones": "2026-10-20 完成"},
    )
    assert "晚于改正期限" in ent.get(mine).get_data(as_text=True)
    post_form(
        ent,
        mine,
        f"{mine}plan",
        {
            "measures": "更换数采仪",
            "responsible": "张工",
            "milestones": "2026-09-30 采购\n2026-10-09 恢复联网",
        },
    )
    page = ent.get(mine).get_data(as_text=True)
    assert "已提交整改方案，整改中" in page and 'id="progress-form"' in page
    token_page = ent.get(mine).get_data(as_text=True)
    from tests.helpers import csrf_from

    r = ent.post(
        f"{mine}progress",
        data={
            "csrf_token": csrf_from(token_page),
            "text": "数采仪已到货",
            "file": (BytesIO(PNG), "arrival.png"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    mine_page = ent.get(mine).get_data(as_text=True)
    assert "arrival.png" in mine_page
    # the photo goes back to both sides as an attachment, from the link on their pages
    link = re.search(
        r'href="(/sx-taiyuan/enterprise/rectification/\d+/files/entry/\d+)"', mine_page
    )
    assert link
    got = ent.get(link.group(1))
    assert got.status_code == 200 and got.data == PNG
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    staff_link = link.group(1).replace("/enterprise/rectification/", "/rectification/")
    assert staff_link in officer.get(f"/sx-taiyuan/rectification/{oid}/").get_data(as_text=True)
    assert officer.get(staff_link).data == PNG
    assert officer.get(staff_link.replace("/files/entry/", "/files/nope/")).status_code == 404
    assert officer.get(staff_link.replace("/files/entry/", "/files/extension/")).status_code == 404
    stranger = app.test_client()
    login(stranger, "xj-urumqi", "urumqi-officer1")
    assert stranger.get(staff_link.replace("/sx-taiyuan/", "/xj-urumqi/")).status_code == 404
    # The reminders queue: the enterprise's and the officer's own item, due 2026-10-10.
    with use_scope(system_scope(t.id)):
        ctx = scope_context()
        items = correction_deadlines(ctx, user_id=None, horizon=date(2026, 10, 31))
        mine_items = [i for i in items if i.object_ref == f"correction_order:{oid}"]
        assert {(i.kind, i.assignee_id, i.due, i.rule_id) for i in mine_items} == {
            ("rectification.party", user.id, date(2026, 10, 10), "SX-15"),
            (
                "rectification.verify",
                officer_ids("taiyuan-officer1")[0],
                date(2026, 10, 10),
                "SX-15",
            ),
        }
        assert correction_deadlines(ctx, user_id=None, horizon=date(2026, 10, 9)) == []
    # The officer: help, then off-site verification closes it; the timeline shows it.
    show = f"/sx-taiyuan/rectification/{oid}/"
    post_form(officer, show, f"{show}help", {"text": "协调运维单位上门调试"})
    post_form(officer, show, f"{show}verify", {"method": "off_site", "outcome": "", "note": "x"})
    assert "请选择核查结论" in officer.get(show).get_data(as_text=True)
    post_form(
        officer,
        show,
        f"{show}verify",
        {"method": "off_site", "outcome": "done", "note": "联网数据连续7日正常"},
    )
    html = officer.get(show).get_data(as_text=True)
    assert "已完成整改" in html and "非现场核查" in html and 'id="verify-form"' not in html
    profile = officer.get(f"/sx-taiyuan/enterprises/{e.id}/").get_data(as_text=True)
    assert f"责令改正 #{oid}" in profile and "整改核查" in profile
    # Another enterprise's user gets a 404, never the order.
    other = make_enterprise("sx-taiyuan")
    make_enterprise_user("sx-taiyuan", other, "rect-page-other")
    stranger = app.test_client()
    login(stranger, "sx-taiyuan", "rect-page-other")
    assert stranger.get(mine).status_code == 404

"""The enforcement pages and API (issue 15): the party applies online with a bounded proof,
sees its surcharge; the principal head approves on the page; an officer records a payment and a
ladder step whose document prints; the 普法 list; another city sees nothing."""

from __future__ import annotations

import base64
from datetime import date
from io import BytesIO
from typing import Any

import pytest

from tests.helpers import bearer, csrf_from, login, post_form

from .conftest import make_enterprise, make_enterprise_user, served_fine

SX = "sx-taiyuan"
API = "/api/v1/tenants/sx-taiyuan"


@pytest.mark.today("2026-03-05")
def test_SX_13_party_applies_on_the_page_head_approves_officer_records(
    world: Any, client: Any, travel: Any
) -> None:
    e = make_enterprise(SX, name="缴款页面测试公司")
    make_enterprise_user(SX, e, "page-qiye")
    case_id = served_fine(SX, e, 6000, date(2026, 3, 2))
    login(client, SX, "page-qiye")
    mine = client.get("/sx-taiyuan/enterprise/enforcement/").get_data(as_text=True)
    assert "6,000.00" in mine and "2026-03-17" in mine
    page = f"/sx-taiyuan/enterprise/enforcement/cases/{case_id}"
    csrf = csrf_from(client.get(page).get_data(as_text=True))
    big = client.post(
        f"{page}/apply",
        data={
            "csrf_token": csrf,
            "kind": "instalments",
            "parts": "2",
            "reasons": "困难",
            "proof": (BytesIO(b"MZ"), "x.exe"),
        },
        content_type="multipart/form-data",
    )
    assert big.status_code == 422 and "只接受 PDF" in big.get_data(as_text=True)
    ok = client.post(
        f"{page}/apply",
        data={
            "csrf_token": csrf,
            "kind": "instalments",
            "parts": "2",
            "reasons": "资金困难",
            "proof": (BytesIO(b"%PDF-1.4 x"), "proof.pdf", "application/pdf"),
        },
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302, ok.get_data(as_text=True)[:500]
    client.get("/sx-taiyuan/logout")
    login(client, SX, "taiyuan-principal")
    staff_page = f"/sx-taiyuan/enforcement/cases/{case_id}/payment"
    html = client.get(staff_page).get_data(as_text=True)
    assert "作出决定" in html
    app_id = client.get(
        f"{API}/cases/{case_id}/payment-applications", headers=bearer("taiyuan-principal")
    ).get_json()[0]["id"]
    r = post_form(
        client,
        staff_page,
        f"/sx-taiyuan/enforcement/applications/{app_id}/decide",
        {"approve": "1", "note": "同意分两期"},
    )
    assert r.status_code == 302
    state = client.get(
        f"{API}/cases/{case_id}/payment", headers=bearer("taiyuan-officer1")
    ).get_json()
    assert [p["amount_fen"] for p in state["parts"]] == [300000, 300000]
    client.get("/sx-taiyuan/logout")
    login(client, SX, "taiyuan-officer1")
    bad = post_form(
        client,
        staff_page,
        f"/sx-taiyuan/enforcement/cases/{case_id}/payments",
        {"paid_on": "2026-03-05", "amount": "1.001", "reference": "R-1"},
    )
    assert bad.status_code == 422 and "两位小数" in bad.get_data(as_text=True)
    good = post_form(
        client,
        staff_page,
        f"/sx-taiyuan/enforcement/cases/{case_id}/payments",
        {"paid_on": "2026-03-05", "amount": "3000", "reference": "R-1"},
    )
    assert good.status_code == 302
    travel("2026-04-12")  # the second part (due 2026-04-17) not late yet; nothing owed extra
    mine_api = client.get(f"{API}/my-enterprise/fines", headers=bearer("page-qiye")).get_json()
    assert mine_api[0]["surcharge_fen"] == 0 and mine_api[0]["outstanding_fen"] == 300000


@pytest.mark.today("2026-05-11")
def test_SX_0_ladder_page_proposes_and_records_with_a_printable_document(
    world: Any, client: Any
) -> None:
    e = make_enterprise(SX, name="阶梯页面测试公司")
    login(client, SX, "taiyuan-officer1")
    page = f"/sx-taiyuan/enforcement/enterprises/{e.id}/ladder"
    html = client.get(page + "?flags=secret_discharge").get_data(as_text=True)
    assert "系统建议" in html and "行政处罚" in html and "偷排偷放" in html
    html = client.get(page).get_data(as_text=True)
    assert "教育引导" in html
    refused = post_form(
        client,
        page,
        page,
        {"origin": "inspection", "finding": "台账不全", "rung": "reasoned_warning"},
    )
    assert refused.status_code == 422 and "须写明理由" in refused.get_data(as_text=True)
    ok = post_form(
        client,
        page,
        page,
        {
            "origin": "inspection",
            "finding": "台账不全",
            "rung": "guidance",
            "document_title": "教育引导书",
            "document_body": "依据排污许可管理条例，请完善台账。",
        },
    )
    assert ok.status_code == 302
    api = client.get(
        f"{API}/enterprises/{e.id}/ladder", headers=bearer("taiyuan-officer1")
    ).get_json()
    assert api["position"] == "guidance" and api["proposal"]["rung"] == "reasoned_warning"
    doc = [h for h in api["history"] if h["rung"] == "guidance"][0]
    assert doc["title"] == "教育引导书"
    html = client.get(page).get_data(as_text=True)
    import re

    step_id = re.search(r"/enforcement/steps/(\d+)/document", html).group(1)
    printed = client.get(f"/sx-taiyuan/enforcement/steps/{step_id}/document").get_data(as_text=True)
    assert "依据排污许可管理条例" in printed and "阶梯页面测试公司" in printed


@pytest.mark.today("2026-05-11")
def test_SX_2_education_event_on_the_page_and_api(world: Any, client: Any) -> None:
    e = make_enterprise(SX, name="普法页面测试公司")
    login(client, SX, "taiyuan-officer1")
    page = "/sx-taiyuan/enforcement/education/"
    r = post_form(
        client,
        page,
        page,
        {
            "kind": "training",
            "topic": "排污许可培训",
            "held_on": "2026-05-10",
            "invited": str(e.id),
            "present": str(e.id),
        },
    )
    assert r.status_code == 302
    assert "排污许可培训" in client.get(page).get_data(as_text=True)
    bad = post_form(
        client,
        page,
        page,
        {"kind": "training", "topic": "x", "held_on": "2026-05-10", "invited": "abc"},
    )
    assert bad.status_code == 422
    r = client.post(
        f"{API}/education-events",
        headers=bearer("taiyuan-officer1"),
        json={
            "kind": "qa",
            "topic": "问题解答",
            "held_on": "2026-05-09",
            "invited": [e.id],
            "present": [],
        },
    )
    assert r.status_code == 201 and r.get_json()["present"] == 0


@pytest.mark.today("2026-03-05")
def test_isolation_another_city_and_another_enterprise_see_nothing(world: Any, client: Any) -> None:
    e = make_enterprise(SX, name="隔离缴款公司")
    other = make_enterprise(SX)
    make_enterprise_user(SX, other, "iso-pay-other")
    case_id = served_fine(SX, e, 1000, date(2026, 3, 2))
    xj = bearer("urumqi-officer1")
    assert client.get(f"{API}/cases/{case_id}/payment", headers=xj).status_code in (403, 404)
    assert (
        client.get(f"/api/v1/tenants/xj-urumqi/cases/{case_id}/payment", headers=xj).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/tenants/xj-urumqi/enterprises/{e.id}/ladder", headers=xj).status_code
        == 404
    )
    login(client, SX, "iso-pay-other")
    assert client.get(f"/sx-taiyuan/enterprise/enforcement/cases/{case_id}").status_code == 404
    r = client.post(
        f"{API}/my-enterprise/fines/{case_id}/applications",
        headers=bearer("iso-pay-other"),
        json={
            "kind": "deferral",
            "reasons": "x",
            "defer_until": "2026-05-01",
            "proof_name": "p.pdf",
            "proof_type": "application/pdf",
            "proof_base64": base64.b64encode(b"%PDF-1").decode(),
        },
    )
    assert r.status_code == 404


@pytest.mark.today("2026-04-20")
def test_payment_import_page_shows_row_errors_then_takes_an_xlsx(world: Any, client: Any) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    e = make_enterprise(SX, name="导入页面测试公司")
    case_id = served_fine(SX, e, 1200, date(2026, 3, 2))
    from tenant_app.enforcement.services.common import get_case

    from .conftest import as_user

    with as_user("taiyuan-officer1", SX):
        decision_no = get_case(case_id).decision_no
    login(client, SX, "taiyuan-officer1")
    page = "/sx-taiyuan/enforcement/payments/import"
    csrf = csrf_from(client.get(page).get_data(as_text=True))
    bad = client.post(
        page,
        data={
            "csrf_token": csrf,
            "file": (
                BytesIO(
                    f"决定书文号,缴款日期,缴款金额（元）,缴款流水号\n{decision_no},2026-03-10,-5,X-1\n".encode()
                ),
                "p.csv",
            ),
        },
        content_type="multipart/form-data",
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "第 2 行 缴款金额（元）" in html
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["决定书文号", "缴款日期", "缴款金额（元）", "缴款流水号"])
    ws.append([decision_no, "2026-03-10", "1200.00", "X-2"])
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    ok = client.post(
        page,
        data={"csrf_token": csrf, "file": (buf, "p.xlsx")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 200 and "1,200.00" in ok.get_data(as_text=True)
    state = client.get(
        f"{API}/cases/{case_id}/payment", headers=bearer("taiyuan-officer1")
    ).get_json()
    assert state["state"] == "paid"


@pytest.mark.today("2026-05-11")
def test_the_enterprise_reads_its_own_letter_only(world: Any, client: Any) -> None:
    e = make_enterprise(SX, name="文书测试公司")
    other = make_enterprise(SX)
    make_enterprise_user(SX, e, "doc-qiye")
    make_enterprise_user(SX, other, "doc-other")
    from tenant_app.enforcement.services import ladder
    from tenant_app.enforcement.services.common import get_enterprise

    from .conftest import as_user

    with as_user("taiyuan-officer1", SX) as ctx:
        step = ladder.record(
            ctx,
            get_enterprise(e.id),
            {
                "origin": "manual",
                "finding": "标识不规范",
                "rung": "guidance",
                "document_title": "教育引导书",
                "document_body": "请规范危险废物标识。",
            },
        )
        step_id = step.id
    login(client, SX, "doc-qiye")
    doc = client.get(f"/sx-taiyuan/enterprise/enforcement/steps/{step_id}/document")
    assert doc.status_code == 200 and "请规范危险废物标识" in doc.get_data(as_text=True)
    mine = client.get("/sx-taiyuan/enterprise/enforcement/").get_data(as_text=True)
    assert "教育引导书" in mine
    client.get("/sx-taiyuan/logout")
    login(client, SX, "doc-other")
    assert (
        client.get(f"/sx-taiyuan/enterprise/enforcement/steps/{step_id}/document").status_code
        == 404
    )


@pytest.mark.today("2026-05-11")
def test_SX_0_case_and_warning_pages_show_the_position_and_the_proposal(
    world: Any, client: Any
) -> None:
    """Where staff act on a new finding the enterprise's ladder position and proposal show."""
    e = make_enterprise(SX, name="阶梯提示测试公司")
    case_id = served_fine(SX, e, 3000, date(2026, 5, 4))
    login(client, SX, "taiyuan-officer1")
    html = client.get(f"/sx-taiyuan/cases/{case_id}/").get_data(as_text=True)
    assert 'id="ladder-position"' in html and "行政处罚" in html
    assert f"/sx-taiyuan/enforcement/enterprises/{e.id}/ladder?origin=case" in html
    assert f"/sx-taiyuan/enforcement/cases/{case_id}/payment" in html

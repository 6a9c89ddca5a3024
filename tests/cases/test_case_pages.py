"""Issue 14 (cases): the pages and the party's side. The officer opens a case from an inspection
page's link, records a violation with its factors and sees the proposal factor by factor, gives
notice; the enterprise sees its case online and files its statement within the window; another
enterprise and another tenant cannot; the API answers what the page shows (parity, OpenAPI)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from tenant_app.extensions import db
from tenant_app.models import Inspection, InspectionFinding
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import bearer, csrf_from, login, tenant

from .conftest import SX, XJ, Desk, make_enterprise, make_enterprise_user, officer_ids


def _done_inspection(slug: str, enterprise_id: int, officers: list[int]) -> int:
    t = tenant(slug)
    with use_scope(system_scope(t.id)):
        insp = Inspection(
            tenant_id=t.id,
            enterprise_id=enterprise_id,
            mode="on_site",
            trigger="proactive",
            planned_date=date(2026, 6, 30),
            status="done",
            officers=[{"id": i, "name": "执法", "certificate_no": "x"} for i in officers],
            conclusion="发现排放口未按规定设置",
        )
        db.session.add(insp)
        db.session.flush()
        db.session.add(
            InspectionFinding(
                tenant_id=t.id,
                inspection_id=insp.id,
                item_key="outlet",
                item_title="排放口设置",
                result="issue",
                note="废气排放口未设置采样平台",
            )
        )
        db.session.commit()
        return insp.id


def _post(client: Any, page: str, url: str, data: dict[str, Any]) -> Any:
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


@pytest.mark.today("2026-07-03")
def test_officer_opens_a_case_from_an_inspection_and_sees_the_proposal_factor_by_factor(
    client: Any, world: Any
) -> None:
    e = make_enterprise("sx-taiyuan", name="太原示例化工有限公司")
    ids = officer_ids("taiyuan-officer1", "taiyuan-officer2")
    insp_id = _done_inspection("sx-taiyuan", e.id, ids)
    assert login(client, "sx-taiyuan", "taiyuan-officer1").status_code == 302
    insp_page = client.get(f"/sx-taiyuan/inspections/{insp_id}/").get_data(as_text=True)
    link = re.search(r'id="open-case" href="([^"]+)"', insp_page)
    assert link, "the inspection page links to opening a case"
    form = client.get(link.group(1).replace("&amp;", "&"))
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and "废气排放口未设置采样平台" in html
    made = client.post(
        "/sx-taiyuan/cases/new",
        data={
            "csrf_token": csrf_from(html),
            "inspection_id": str(insp_id),
            "enterprise_id": str(e.id),
            "facts": "废气排放口未设置采样平台",
            "officer_ids": [str(i) for i in ids],
        },
    )
    assert made.status_code == 302, made.get_data(as_text=True)
    case_url = made.headers["Location"]
    case_id = int(re.search(r"/cases/(\d+)/", case_url).group(1))
    page = client.get(case_url).get_data(as_text=True)
    assert "立案调查中" in page and "NAT-APL-60" in page and "2026-10-08" in page
    r = _post(
        client,
        case_url,
        f"/sx-taiyuan/cases/{case_id}/violations",
        {
            "violation_key": "air_outlet",
            "violation_facts": "未设置采样平台",
            "level_harm": "general",
            "level_sensitive_area": "sensitive",
        },
    )
    assert r.status_code == 302
    page = client.get(case_url).get_data(as_text=True)
    # Each factor with its effect and source; the grade and range; the rule ids.
    assert "饮用水水源保护区、自然保护区等敏感区域" in page and "+2分" in page
    assert "平台默认基准" in page and "SX-12" in page
    assert "从重" in page  # score 1 + 2 = 3 → the heaviest grade
    # The refusal keeps what was typed: a fine outside the proposal without a reason.
    bad = _post(
        client,
        case_url,
        f"/sx-taiyuan/cases/{case_id}/notice",
        {f"v{_vid(page)}_outcome": "fine", f"v{_vid(page)}_fine": "50000"},
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'value="50000"' in html and "偏离裁量建议，请说明理由" in html
    assert "SX-12" in html


def _vid(page: str) -> int:
    return int(re.search(r'id="violation-(\d+)"', page).group(1))


@pytest.mark.today("2026-07-03")
def test_the_party_sees_its_case_and_files_its_statement_online_others_cannot(
    client: Any, app: Any, world: Any, travel: Any
) -> None:
    d = Desk(client, "sx-taiyuan")
    mine, other = make_enterprise("sx-taiyuan"), make_enterprise("sx-taiyuan")
    make_enterprise_user("sx-taiyuan", mine, "party-co")
    make_enterprise_user("sx-taiyuan", other, "other-co")
    xj = make_enterprise("xj-urumqi")
    make_enterprise_user("xj-urumqi", xj, "xj-co")
    case = d.open_case(mine.id, facts="超标排放")
    v = d.add_violation(case["id"], "air_outlet", {"harm": "general"})

    party = app.test_client()
    assert login(party, "sx-taiyuan", "party-co").status_code == 302
    # Before the notice the case is internal: not listed, and 404.
    assert case["title"] not in party.get("/sx-taiyuan/enterprise/cases/").get_data(as_text=True)
    assert party.get(f"/sx-taiyuan/enterprise/cases/{case['id']}/").status_code == 404
    assert (
        d.notify(
            case["id"], [{"violation_id": v["id"], "outcome": "fine", "fine": 100000}]
        ).status_code
        == 200
    )

    listing = party.get("/sx-taiyuan/enterprise/cases/").get_data(as_text=True)
    assert case["title"] in listing
    url = f"/sx-taiyuan/enterprise/cases/{case['id']}/"
    page = party.get(url).get_data(as_text=True)
    assert "100000" in page and "大气污染防治法" in page and "2026-07-10" in page
    assert "不得因您陈述、申辩而给予更重的处罚" in page
    r = party.post(
        f"{url}statements",
        data={
            "csrf_token": csrf_from(page),
            "kind": "statement",
            "content": "排放口已于7月5日整改完毕",
        },
    )
    assert r.status_code == 302
    assert "排放口已于7月5日整改完毕" in party.get(url).get_data(as_text=True)
    staff = d.get(f"/cases/{case['id']}").get_json()
    assert staff["statements"][0]["via"] == "portal"

    # Another enterprise of the tenant, and another tenant's enterprise: 404, page and API.
    other_user = app.test_client()
    assert login(other_user, "sx-taiyuan", "other-co").status_code == 302
    assert other_user.get(url).status_code == 404
    assert (
        other_user.post(
            f"{url}statements",
            data={
                "csrf_token": csrf_from(
                    other_user.get("/sx-taiyuan/enterprise/cases/").get_data(as_text=True)
                ),
                "kind": "statement",
                "content": "x",
            },
        ).status_code
        == 404
    )
    assert (
        client.get(f"{SX}/my-enterprise/cases/{case['id']}", headers=bearer("other-co")).status_code
        == 404
    )
    assert (
        client.get(f"{XJ}/my-enterprise/cases/{case['id']}", headers=bearer("xj-co")).status_code
        == 404
    )
    assert (
        client.get(f"{XJ}/cases/{case['id']}", headers=bearer("urumqi-officer1")).status_code == 404
    )
    assert client.get(f"{SX}/cases/{case['id']}", headers=bearer("other-co")).status_code == 403

    # After the window: refused with the rule and the day it ended.
    travel("2026-07-13")
    assert login(party, "sx-taiyuan", "party-co").status_code == 302  # a new day, a new session
    closed = party.get(url).get_data(as_text=True)
    assert "陈述、申辩期间已结束" in closed and 'id="statement-form"' not in closed
    late = party.post(
        f"{url}statements",
        data={"csrf_token": csrf_from(closed), "kind": "statement", "content": "补充"},
        follow_redirects=True,
    )
    assert "NAT-APL-64.1" in late.get_data(as_text=True) and "2026-07-10" in late.get_data(
        as_text=True
    )


@pytest.mark.today("2026-07-03")
def test_api_parity_with_the_pages_and_the_openapi_document(client: Any, world: Any) -> None:
    """The list page and the API count the same cases; the case page shows the API's proposal
    and deadlines; every case operation is in the OpenAPI document."""
    d = Desk(client, "sx-taiyuan")
    for _ in range(3):
        case = d.open_case(make_enterprise("sx-taiyuan").id)
    v = d.add_violation(case["id"], "water_self_monitoring", ORD)
    listed = d.get("/cases?limit=2").get_json()
    assert listed["total"] == 3 and len(listed["items"]) == 2 and listed["next_after"]
    assert len(d.get(f"/cases?limit=2&after={listed['next_after']}").get_json()["items"]) == 1
    web = client.application.test_client()
    assert login(web, "sx-taiyuan", "taiyuan-officer2").status_code == 302
    index = web.get("/sx-taiyuan/cases/").get_data(as_text=True)
    assert "共 3 件" in index
    page = web.get(f"/sx-taiyuan/cases/{case['id']}/").get_data(as_text=True)
    p = v["proposal"]
    assert f"{p['fine_low']} 元至 {p['fine_high']} 元" in page
    api_case = d.get(f"/cases/{case['id']}").get_json()
    assert api_case["deadlines"]["decision_limit"]["explanation"] in page
    assert api_case["next_steps"][0]["rule_id"] == "NAT-APL-60"
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path in (
        "/cases",
        "/cases/{case_id}",
        "/cases/catalogue",
        "/cases/{case_id}/notice",
        "/cases/{case_id}/decision",
        "/cases/{case_id}/review",
        "/my-enterprise/cases/{case_id}/statements",
    ):
        assert f"/api/v1/tenants/{{tenant}}{path}" in paths, path
    catalogue = d.get("/cases/catalogue").get_json()
    assert catalogue["rule_id"] == "SX-12" and "air_outlet" in catalogue["catalogue"]["violations"]


ORD = {"harm": "general"}


def test_the_new_case_page_finds_the_party_by_search_without_scripts(client: Any, world: Any):
    """The party is picked from the register by search (a register of 10,000 has no list): the
    picker's search button submits the form; the page comes back with the matches and what was
    typed, and no case is opened; the enterprise of another tenant is never offered."""
    mine = make_enterprise("sx-taiyuan", name="太原搜索测试化工有限公司")
    make_enterprise("xj-urumqi", name="乌市搜索测试化工有限公司")
    login(client, "sx-taiyuan", "taiyuan-officer1")
    html = client.get("/sx-taiyuan/cases/new").get_data(as_text=True)
    assert 'name="enterprise_id_q"' in html and '<select id="enterprise_id"' not in html
    r = client.post(
        "/sx-taiyuan/cases/new",
        data={
            "csrf_token": csrf_from(html),
            "pick": "enterprise_id",
            "enterprise_id_q": "搜索测试化工",
            "facts": "夜间偷排",
        },
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and f'value="{mine.id}"' in page and "夜间偷排" in page
    assert "乌市搜索测试化工" not in page
    cases = client.get("/api/v1/tenants/sx-taiyuan/cases", headers=bearer("taiyuan-officer1"))
    assert cases.get_json()["items"] == []

"""SX-12: "鼓励各市进一步细化量化裁量要素，拓展完善“轻微违法行为不予处罚”事项清单，并报省生态环境厅
备案" (issue 14 item 4: a city's extension of its list is a policy version filed with the
province). Shanxi's pack names the filed keys and the level (``discretion.filing``); Xinjiang's
names none. Filing is not approval: the version is in force from its date either way."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from policies import Policy, load_pack
from tenant_app.calendar import WorkCalendar
from tenant_app.extensions import db
from tenant_app.policy import service as policy_service
from tenant_app.tenancy.acting import scope_context
from tests.helpers import bearer, login
from tests.inspections.conftest import acting
from tests.oversight.conftest import add_user

pytestmark = pytest.mark.today("2026-07-03")

ENTRY = "未按照规定设置大气污染物排放口，首次被发现并于责令改正期限内改正的"


def _save(username: str, slug: str, overrides: dict[str, Any]) -> int:
    with acting(username, slug):
        v = policy_service.save_version(
            scope_context(),
            overrides=overrides,
            effective_from=date(2026, 7, 3),
            comment="拓展轻微违法行为不予处罚事项清单",
        )
        db.session.commit()
        return v.number


def test_SX_12_the_pack_names_the_filed_keys_and_xinjiang_files_nothing() -> None:
    sx = Policy(load_pack("shanxi"), "sx-v1", calendar=WorkCalendar())
    d = sx.policy_filing(["discretion.minor_violation_list", "reminders.lead_workdays"])
    assert (d.answer, d.rule_id) == ("province", "SX-12")
    assert d.facts["touched"] == ["discretion.minor_violation_list"]
    assert "报省生态环境厅备案" in d.explanation
    # a refined factor's level lies under a filed key
    assert sx.policy_filing(["discretion.factors.exceedance.levels"]).answer == "province"
    assert sx.policy_filing(["reminders.lead_workdays"]).answer is None
    xj = Policy(load_pack("xinjiang"), "xj-v1", calendar=WorkCalendar())
    assert xj.policy_filing(["discretion.minor_violation_list"]).answer is None


def test_SX_12_a_city_and_a_county_file_with_the_province_which_acknowledges_once(
    client: Any, world: Any
) -> None:
    _save("taiyuan-admin", "sx-taiyuan", {"discretion": {"minor_violation_list": [ENTRY]}})
    # a version is a whole snapshot: this one keeps the list and changes an unfiled key only
    _save(
        "taiyuan-admin",
        "sx-taiyuan",
        {"discretion": {"minor_violation_list": [ENTRY]}, "reminders": {"lead_workdays": 5}},
    )
    add_user("sx-taiyuan-xiaodian", "xiaodian-admin", ["tenant_admin"])
    _save(
        "xiaodian-admin", "sx-taiyuan-xiaodian", {"discretion": {"minor_violation_list": [ENTRY]}}
    )

    inbox = client.get("/api/v1/tenants/sx/policy/filings", headers=bearer("sx-auditor"))
    rows = inbox.get_json()
    assert [(r["tenant_name"], r["version_number"], r["rule_id"]) for r in rows] == [
        ("小店区", 1, "SX-12"),
        ("太原市", 1, "SX-12"),
    ]
    assert rows[1]["changes"] == [
        {"path": "discretion.minor_violation_list", "before": None, "after": [ENTRY]}
    ]
    # the city is not the county's filing address: the pack says province
    assert (
        client.get(
            "/api/v1/tenants/sx-taiyuan/policy/filings", headers=bearer("taiyuan-admin")
        ).get_json()
        == []
    )

    login(client, "sx-taiyuan", "taiyuan-admin")
    page = client.get("/sx-taiyuan/policy/").get_data(as_text=True)
    assert "已报山西省备案（SX-12）" in page and "待签收" in page

    taiyuan = rows[1]["id"]
    ack = client.post(
        f"/api/v1/tenants/sx/policy/filings/{taiyuan}/ack",
        json={"note": "已收悉"},
        headers=bearer("sx-auditor"),
    )
    assert ack.status_code == 200 and ack.get_json()["acknowledged_by_name"] == "省厅稽查员"
    again = client.post(
        f"/api/v1/tenants/sx/policy/filings/{taiyuan}/ack", json={}, headers=bearer("sx-auditor")
    )
    assert again.status_code == 409
    page = client.get("/sx-taiyuan/policy/").get_data(as_text=True)
    assert "已签收（省厅稽查员" in page and "已收悉" in page
    versions = client.get(
        "/api/v1/tenants/sx-taiyuan/policy/versions", headers=bearer("taiyuan-admin")
    ).get_json()
    assert [v["filed"] is not None for v in versions] == [False, True]  # newest first


def test_SX_12_filings_page_acknowledges_and_others_cannot_see_or_touch_them(
    client: Any, world: Any
) -> None:
    _save("taiyuan-admin", "sx-taiyuan", {"discretion": {"minor_violation_list": [ENTRY]}})
    filing_id = client.get(
        "/api/v1/tenants/sx/policy/filings", headers=bearer("sx-auditor")
    ).get_json()[0]["id"]
    # another province's receiving staff see nothing and cannot acknowledge it
    assert (
        client.get("/api/v1/tenants/xj/policy/filings", headers=bearer("xj-auditor")).get_json()
        == []
    )
    r = client.post(
        f"/api/v1/tenants/xj/policy/filings/{filing_id}/ack", json={}, headers=bearer("xj-auditor")
    )
    assert r.status_code == 404
    # a legal reviewer receives no filings
    login(client, "sx-taiyuan", "taiyuan-fazhi")
    assert client.get("/sx-taiyuan/policy/filings").status_code == 403

    login(client, "sx", "sx-auditor")
    page = client.get("/sx/policy/filings").get_data(as_text=True)
    assert "太原市" in page and "轻微违法不予处罚事项清单" in page and ENTRY in page
    assert "discretion." not in page  # words, not the pack's key paths
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(
        f"/sx/policy/filings/{filing_id}/ack", data={"csrf_token": token, "note": "同意备案"}
    )
    assert r.status_code == 302
    page = client.get("/sx/policy/filings").get_data(as_text=True)
    assert "同意备案" in page and 'action="/sx/policy/filings/' not in page

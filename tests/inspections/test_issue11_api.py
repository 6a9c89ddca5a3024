"""Issue 11 items 10, 11, 13 through the API (the same services as the pages): the campaign's
filing record, the inspection budget across levels, the two-party draw, and 404 before body.

Dates as in the service tests: 2026-04-27 (a campaign after the Labour Day holiday), 2026-03-02
(visits in March 2026), 2026-09-28 (a draw for 2026-10-12, after National Day).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.helpers import bearer

from .conftest import make_enterprise, make_enterprise_user
from .test_draws_two_party import OFFICER_SECRET, WITNESS_SECRET, _user

API = "/api/v1/tenants/sx-taiyuan"


@pytest.mark.today("2026-04-27")
def test_api_campaign_is_filed_then_published(client: Any, world: dict[str, Any]) -> None:
    for _ in range(3):
        make_enterprise("sx-taiyuan", industry_code="C2611")
    make_enterprise("sx-taiyuan", industry_code="C13")
    officer, principal = bearer("taiyuan-officer1"), bearer("taiyuan-principal")
    body = {
        "title": "化工专项",
        "content": "危废",
        "start_date": "2026-05-06",
        "end_date": "2026-05-29",
        "scope": {"industry_prefixes": ["C26"]},
    }
    r = client.post(f"{API}/campaigns", json=body, headers=officer)
    assert r.status_code == 201, r.get_json()
    cid = r.get_json()["id"]
    assert (
        client.post(f"{API}/campaigns/{cid}/approve", json={}, headers=principal).status_code == 200
    )
    assert client.post(f"{API}/campaigns/{cid}/publish", headers=principal).status_code == 409
    filed = client.post(
        f"{API}/campaigns/{cid}/file", json={"filing_ref": "备〔2026〕7号"}, headers=principal
    )
    assert filed.status_code == 200, filed.get_json()
    f = filed.get_json()
    assert (f["status"], f["filed_with"], f["filed_on"]) == (
        "filed",
        "山西省生态环境主管部门",
        "2026-04-27",
    )
    pub = client.post(f"{API}/campaigns/{cid}/publish", headers=principal)
    assert pub.status_code == 200 and pub.get_json()["status"] == "published"


@pytest.mark.today("2026-03-02")
def test_api_budget_across_levels(client: Any, world: dict[str, Any]) -> None:
    e = make_enterprise("sx-taiyuan")
    make_enterprise("sx-taiyuan-xiaodian", uscc=e.uscc)
    make_enterprise_user("sx-taiyuan", e, "api-coke")
    officer = bearer("taiyuan-officer1")
    r = client.post(
        f"{API}/external-visits",
        json={
            "enterprise_id": e.id,
            "department": "太原市生态环境局以外的市场监管局",
            "visit_date": "2026-03-02",
        },
        headers=officer,
    )
    assert r.status_code == 201, r.get_json()
    b = client.get(f"{API}/enterprises/{e.id}/inspection-budget", headers=officer).get_json()
    assert (b["count"], b["cap"], b["year"]) == (1, 2, 2026)
    mine = client.get(f"{API}/my-enterprise/inspection-budget", headers=bearer("api-coke"))
    assert mine.status_code == 200 and mine.get_json()["count"] == 1
    assert (
        client.get(
            f"{API}/enterprises/{e.id + 9999}/inspection-budget", headers=officer
        ).status_code
        == 404
    )


@pytest.mark.today("2026-09-28")
def test_api_two_party_draw(client: Any, world: dict[str, Any]) -> None:
    for i in range(12):
        make_enterprise("sx-taiyuan", key_discharger=i % 3 == 0)
    _user("sx-taiyuan", "taiyuan-legal", "legal_reviewer")
    officer, witness = bearer("taiyuan-officer1"), bearer("taiyuan-legal")
    commitment = hashlib.sha256(OFFICER_SECRET.encode()).hexdigest()
    r = client.post(
        f"{API}/draws",
        json={"planned_date": "2026-10-12", "ratios": {"general": 0.5}, "commitment": commitment},
        headers=officer,
    )
    assert r.status_code == 201, r.get_json()
    d = r.get_json()
    assert d["protocol"] == 2 and len(d["pool_hash"]) == 64 and d["seed"] is None
    did = d["id"]
    assert (
        client.post(
            f"{API}/draws/{did}/reveal", json={"secret": OFFICER_SECRET}, headers=officer
        ).status_code
        == 409
    )
    assert (
        client.post(f"{API}/draws/{did + 9999}/reveal", json={}, headers=officer).status_code == 404
    )
    w = client.post(f"{API}/draws/{did}/witness", json={"secret": WITNESS_SECRET}, headers=witness)
    assert w.status_code == 200 and w.get_json()["status"] == "sealed"
    bad = client.post(f"{API}/draws/{did}/reveal", json={"secret": "ff" * 32}, headers=witness)
    assert bad.status_code == 422
    client.post(f"{API}/draws/{did}/reveal", json={"secret": WITNESS_SECRET}, headers=witness)
    done = client.post(
        f"{API}/draws/{did}/reveal", json={"secret": OFFICER_SECRET}, headers=officer
    )
    assert done.status_code == 200 and done.get_json()["status"] == "drawn"
    pub = client.get(f"/sx-taiyuan/public/draws/{did}.json").get_json()
    assert pub["seed"] == done.get_json()["seed"] and pub["result"] == done.get_json()["result"]

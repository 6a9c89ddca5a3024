"""The API over the same services: preview, create, refusals with reasons, approvals by role,
conduct, feedback read by the enterprise, isolation, OpenAPI."""

from __future__ import annotations

import pytest

from tests.helpers import bearer

from .conftest import future, make_enterprise, make_enterprise_user

API = "/api/v1/tenants/sx-taiyuan"

# Planned dates are ``future()``: next year by the clock.
pytestmark = pytest.mark.date_sensitive


def test_api_flow_and_refusals(client, sx):
    e = make_enterprise("sx-taiyuan")
    make_enterprise_user("sx-taiyuan", e, "api-co")
    officer, principal, co = (
        bearer("taiyuan-officer1"),
        bearer("taiyuan-principal"),
        bearer("api-co"),
    )
    body = {
        "enterprise_id": e.id,
        "mode": "on_site",
        "trigger": "proactive",
        "planned_date": future(10, 12).isoformat(),
        "officer_ids": sx["officers"][:1],
    }
    pre = client.post(f"{API}/inspections/preview", json=body, headers=officer)
    assert pre.status_code == 200 and pre.get_json()["allowed"] is False
    refused = client.post(f"{API}/inspections", json=body, headers=officer)
    assert refused.status_code == 422 and "LAW-2OFF" in refused.get_json()["errors"]["rule_ids"]
    made = client.post(
        f"{API}/inspections", json={**body, "officer_ids": sx["officers"]}, headers=officer
    )
    assert made.status_code == 201, made.get_json()
    insp = made.get_json()
    assert insp["status"] == "pending" and insp["policy_version"] and "SX-5" in insp["rule_ids"]
    iid = insp["id"]
    assert client.post(f"{API}/inspections/{iid}/start", headers=officer).status_code == 409
    assert (
        client.post(f"{API}/inspections/{iid}/approve", json={}, headers=officer).status_code == 403
    )
    assert [
        i["id"] for i in client.get(f"{API}/inspections/inbox", headers=principal).get_json()
    ] == [iid]
    assert (
        client.post(
            f"{API}/inspections/{iid}/approve", json={"comment": "同意"}, headers=principal
        ).get_json()["status"]
        == "approved"
    )
    assert client.post(f"{API}/inspections/{iid}/start", headers=officer).status_code == 200
    keys = [i["key"] for i in insp["checklist"]]
    r = client.put(
        f"{API}/inspections/{iid}/findings",
        headers=officer,
        json={"findings": [{"item_key": k, "result": "compliant"} for k in keys]},
    )
    assert r.status_code == 200 and len(r.get_json()) == len(keys)
    assert (
        client.put(
            f"{API}/inspections/{iid}/findings",
            headers=officer,
            json={"findings": [{"item_key": "nope", "result": "compliant"}]},
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"{API}/inspections/{iid}/bodycam", json={"reference": "DSJ-9"}, headers=officer
        ).status_code
        == 201
    )
    done = client.post(
        f"{API}/inspections/{iid}/finish", json={"conclusion": "未见问题"}, headers=officer
    )
    assert done.status_code == 200 and done.get_json()["feedback_due"]
    client.post(
        f"{API}/inspections/{iid}/feedback", json={"feedback_text": "请保持"}, headers=officer
    )
    mine = client.get(f"{API}/my-enterprise/inspections", headers=co).get_json()
    assert [m["feedback_text"] for m in mine] == ["请保持"]
    # Staff endpoints are closed to the enterprise user; tenant B sees nothing of tenant A.
    assert client.get(f"{API}/inspections/{iid}", headers=co).status_code == 403
    foreign = client.get(
        f"/api/v1/tenants/xj-urumqi/inspections/{iid}", headers=bearer("urumqi-officer1")
    )
    missing = client.get(
        f"/api/v1/tenants/xj-urumqi/inspections/{iid + 1000}", headers=bearer("urumqi-officer1")
    )
    assert foreign.status_code == missing.status_code == 404
    assert foreign.get_json() == missing.get_json()


def test_api_bad_input_is_422_not_500(client, sx):
    h = bearer("taiyuan-officer1")
    for body in (
        {},
        {"enterprise_id": "x"},
        {"enterprise_id": 1, "mode": "fly", "trigger": "proactive", "planned_date": "2026-13-45"},
        {
            "enterprise_id": 2**62,
            "mode": "on_site",
            "trigger": "proactive",
            "planned_date": "2026-02-30",
        },
    ):
        r = client.post(f"{API}/inspections", json=body, headers=h)
        assert r.status_code in (404, 422), (body, r.status_code)
    r = client.post(
        f"{API}/campaigns",
        json={
            "title": "全覆盖",
            "content": "x",
            "start_date": "2026-01-01",
            "end_date": "2026-02-01",
            "scope": {},
        },
        headers=h,
    )
    assert r.status_code == 422 and "SX-4" in str(r.get_json())


def test_openapi_lists_inspection_paths(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/tenants/{tenant}/inspections/preview" in spec["paths"]
    assert "/api/v1/tenants/{tenant}/draws/{draw_id}/execute" in spec["paths"]

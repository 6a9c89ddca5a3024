"""Inputs the fuzzer (test_fuzz.py) found answering 500, pinned down one by one."""

from __future__ import annotations

import pytest

from tests.helpers import bearer, login


@pytest.mark.parametrize("name", ["a\x00b", "\ud901", "ok\udca5"])
def test_api_refuses_nul_and_lone_surrogates_in_json(client, world, name):
    resp = client.post("/api/v1/me/tokens", json={"name": name}, headers=bearer("admin"))
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["code"] == "bad_request"
    assert "NUL" in body["message"]


def test_api_refuses_raw_json_surrogate_escape(client, world):
    resp = client.post(
        "/api/v1/tenants/xj-urumqi/users",
        data=b'{"username": "\\ud800abc"}',
        headers={**bearer("admin"), "Content-Type": "application/json"},
    )
    assert resp.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/tenants/%00/users",
        "/api/v1/tenants/xj-urumqi/jobs/a%00",
        "/api/v1/tenants/xj-urumqi/audit?after=%00",
    ],
)
def test_api_refuses_nul_in_the_url(client, world, url):
    resp = client.get(url, headers=bearer("admin"))
    assert resp.status_code == 400
    assert set(resp.get_json()) == {"code", "message", "errors"}


def test_pages_refuse_nul_in_forms_and_urls(client, world):
    assert client.get("/%00/login").status_code == 400
    resp = login(client, "xj-urumqi", "urumqi\x00-officer1")
    assert resp.status_code == 400
    assert "无法处理的字符" in resp.get_data(as_text=True)
    assert login(client, "xj-urumqi", "urumqi-officer1").status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/me/tokens/986379620828645391698231296",
        "/api/v1/tenants/xj-urumqi/users/8652610874168261476352/roles/officer",
    ],
)
def test_ids_beyond_bigint_are_not_found(client, world, url):
    resp = client.delete(url, headers=bearer("admin"))
    assert resp.status_code == 404
    assert resp.get_json()["code"] == "not_found"


def test_calendar_answer_outside_the_representable_years_is_invalid(client, world):
    resp = client.get(
        "/api/v1/tenants/sx-taiyuan/calendar/answer",
        query_string={"date": "0004-07-17", "n": -203, "op": "add-months"},
        headers=bearer("admin"),
    )
    assert resp.status_code == 422
    assert list(resp.get_json()["errors"]) == ["n"]

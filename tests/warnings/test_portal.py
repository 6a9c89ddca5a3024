"""The enterprise's side of SX-1 warnings and their isolation: an enterprise sees, acknowledges and
answers only its own warnings (with one bounded evidence file), downloads its calendar as
iCalendar; staff of another tenant never see them; staff escalate and end a warning."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

import pytest

from tests.helpers import bearer, login, post_form

from .conftest import SX, XJ, enterprise, make_enterprise_user, run_scan, warnings_of

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


@pytest.fixture()
def two(world: Any) -> dict[str, Any]:
    a = enterprise(permit_class="registration", permit_valid_to=date(2026, 4, 1), name="甲公司")
    b = enterprise(permit_class="registration", permit_valid_to=date(2026, 4, 2), name="乙公司")
    make_enterprise_user("sx-taiyuan", a, "ent-a")
    make_enterprise_user("sx-taiyuan", b, "ent-b")
    run_scan()
    return {"a": a, "b": b, "wa": warnings_of(a.id)[0], "wb": warnings_of(b.id)[0]}


@pytest.mark.today("2026-03-02")
def test_SX_1_enterprise_sees_only_its_own_warnings(two: dict[str, Any], client: Any) -> None:
    login(client, "sx-taiyuan", "ent-a")
    page = client.get("/sx-taiyuan/enterprise/warnings/").get_data(as_text=True)
    assert "排污许可证有效期届满" in page and "2026-04-01" in page and "2026-04-02" not in page
    assert client.get(f"/sx-taiyuan/enterprise/warnings/{two['wb'].id}/").status_code == 404
    assert client.get(f"/sx-taiyuan/enterprise/warnings/{two['wa'].id}/").status_code == 200
    api = client.get(f"{SX}/my-enterprise/warnings", headers=bearer("ent-a")).get_json()
    assert [w["id"] for w in api] == [two["wa"].id]
    r = client.post(
        f"{SX}/my-enterprise/warnings/{two['wb'].id}/acknowledge", headers=bearer("ent-a")
    )
    assert r.status_code == 404


@pytest.mark.today("2026-03-02")
def test_another_tenant_never_sees_the_warnings(two: dict[str, Any], client: Any) -> None:
    xj = bearer("urumqi-officer1")
    assert client.get(f"{SX}/warnings/{two['wa'].id}", headers=xj).status_code in (403, 404)
    assert client.get(f"{XJ}/warnings/{two['wa'].id}", headers=xj).status_code == 404
    listed = client.get(f"{XJ}/warnings?status=open", headers=xj).get_json()
    assert two["wa"].id not in [w["id"] for w in listed["items"]]
    login(client, "xj-urumqi", "urumqi-officer1")
    assert client.get(f"/xj-urumqi/warnings/{two['wa'].id}/").status_code == 404


@pytest.mark.today("2026-03-02")
def test_SX_1_acknowledge_answer_with_evidence_then_staff_resolve(
    two: dict[str, Any], client: Any
) -> None:
    wid = two["wa"].id
    show = f"/sx-taiyuan/enterprise/warnings/{wid}/"
    login(client, "sx-taiyuan", "ent-a")
    post_form(client, show, f"/sx-taiyuan/enterprise/warnings/{wid}/acknowledge", {})
    assert warnings_of(two["a"].id)[0].status == "acknowledged"
    # Unhappy: no explanation, and an evidence file that is not what it claims.
    r = post_form(
        client,
        show,
        f"/sx-taiyuan/enterprise/warnings/{wid}/answer",
        {"explanation": "", "measure": "已申请延续", "evidence": (BytesIO(b"MZ..."), "a.png")},
    )
    assert r.status_code == 422 and "请填写情况说明" in r.get_data(as_text=True)
    assert warnings_of(two["a"].id)[0].status == "acknowledged"
    r = post_form(
        client,
        show,
        f"/sx-taiyuan/enterprise/warnings/{wid}/answer",
        {
            "explanation": "许可证将于4月1日到期",
            "measure": "已于3月1日提交延续申请",
            "evidence": (BytesIO(PNG), "receipt.png"),
        },
    )
    assert r.status_code == 302
    w = warnings_of(two["a"].id)[0]
    assert (w.status, w.evidence_name, w.measure) == (
        "answered",
        "receipt.png",
        "已于3月1日提交延续申请",
    )
    assert client.get(f"/sx-taiyuan/enterprise/warnings/{wid}/evidence").data == PNG
    # Staff read the answer and end the warning.
    officer = bearer("taiyuan-officer1")
    got = client.get(f"{SX}/warnings/{wid}", headers=officer).get_json()
    assert got["explanation"] == "许可证将于4月1日到期"
    r = client.post(
        f"{SX}/warnings/{wid}/finish", json={"outcome": "resolved", "note": ""}, headers=officer
    )
    assert r.status_code == 422 and "note" in r.get_json()["errors"]
    r = client.post(
        f"{SX}/warnings/{wid}/finish",
        json={"outcome": "resolved", "note": "已核实延续申请"},
        headers=officer,
    )
    assert r.status_code == 200 and r.get_json()["status"] == "resolved"
    again = client.post(f"{SX}/warnings/{wid}/escalate", json={"reason": "复查"}, headers=officer)
    assert again.status_code == 409
    # An enterprise cannot act as staff.
    r = client.post(
        f"{SX}/warnings/{two['wb'].id}/escalate", json={"reason": "x"}, headers=bearer("ent-a")
    )
    assert r.status_code == 403


@pytest.mark.today("2026-03-02")
def test_SX_1_officer_escalates_by_hand_with_the_rung_and_reason(
    two: dict[str, Any], client: Any
) -> None:
    wid = two["wb"].id
    login(client, "sx-taiyuan", "taiyuan-officer1")
    page = f"/sx-taiyuan/warnings/{wid}/"
    assert "乙公司" in client.get(page).get_data(as_text=True)
    post_form(client, page, f"/sx-taiyuan/warnings/{wid}/escalate", {"reason": "多次提醒未回应"})
    w = warnings_of(two["b"].id)[0]
    assert (w.status, w.rung) == ("escalated", "guidance")
    assert w.escalation_reason.startswith("多次提醒未回应") and "SX-1" in w.escalation_reason
    listing = client.get("/sx-taiyuan/warnings/?status=escalated").get_data(as_text=True)
    assert f"#{wid}" in listing and "行政指导" in listing


@pytest.mark.today("2026-03-02")
def test_SX_1_calendar_downloads_as_icalendar(two: dict[str, Any], client: Any) -> None:
    login(client, "sx-taiyuan", "ent-a")
    r = client.get("/sx-taiyuan/enterprise/warnings/calendar.ics")
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    body = r.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith(
        "END:VCALENDAR\r\n"
    )
    assert "DTSTART;VALUE=DATE:20260401" in body  # the permit's expiry
    assert "DTSTART;VALUE=DATE:20260316" in body  # the warning's answer day
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert "DTSTART;VALUE=DATE:20260402" not in body  # the other enterprise's permit

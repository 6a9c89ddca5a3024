"""Issue 14 item 1: a case can be opened from "a warning that went unanswered" (案件来源
"预警提醒后未整改"). SX-1's warning gives the enterprise until its answer day; only after it —
or once escalated, or answered in words the officer finds wanting — may the bureau open a case,
and only one per warning. The case names the warning and starts from its facts.

Dates: the permit of the enterprise runs out on 2026-04-01, so the scan of Monday 2026-03-02
warns it (90 days ahead) with an answer day 10 working days later, Monday 2026-03-16."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from tests.clock_fixtures import needs_holidays
from tests.helpers import bearer, login
from tests.warnings.conftest import enterprise, run_scan, warnings_of

from .conftest import Desk

pytestmark = [needs_holidays(2026), pytest.mark.today("2026-03-02")]


@pytest.fixture()
def warned(world: Any) -> tuple[int, int]:
    e = enterprise(permit_class="registration", permit_valid_to=date(2026, 4, 1))
    run_scan()
    (w,) = warnings_of(e.id)
    assert w.answer_due == date(2026, 3, 16)
    return e.id, w.id


def test_a_case_waits_for_the_answer_day_then_follows_the_unanswered_warning_once(
    client: Any, warned: tuple[int, int], travel: Callable[[str], None]
) -> None:
    eid, wid = warned
    desk = Desk(client, "sx-taiyuan")
    body = {"warning_id": wid, "facts": "逾期未答复。", "officer_ids": desk.officer_ids}
    travel("2026-03-16")  # the answer day itself is still the enterprise's
    r = desk.post("/cases", body)
    assert r.status_code == 422
    assert "2026-03-16" in r.get_json()["errors"]["warning_id"][0]
    travel("2026-03-17")
    run_scan()  # escalates it (the ladder's first rung)
    other = enterprise(permit_class="registration", permit_valid_to=date(2027, 1, 1))
    r = desk.post("/cases", {**body, "enterprise_id": other.id})
    assert r.status_code == 422 and "预警所涉企业" in r.get_json()["errors"]["enterprise_id"][0]
    case = desk.open_case(eid, warning_id=wid)
    assert (case["origin"], case["warning_id"], case["enterprise_id"]) == ("warning", wid, eid)
    again = desk.post("/cases", body)
    assert again.status_code == 422
    assert f"已据该预警立案（案件 #{case['id']}）" in again.get_json()["errors"]["warning_id"][0]


def test_pages_lead_from_the_warning_to_a_prefilled_case_and_back(
    client: Any, warned: tuple[int, int], travel: Callable[[str], None]
) -> None:
    eid, wid = warned
    travel("2026-03-16")
    login(client, "sx-taiyuan", "taiyuan-officer1")
    page = client.get(f"/sx-taiyuan/warnings/{wid}/").get_data(as_text=True)
    assert "升级" in page and 'id="open-case"' not in page  # the answer day: no case yet
    travel("2026-03-17")
    login(client, "sx-taiyuan", "taiyuan-officer1")  # a day later the session has lapsed
    page = client.get(f"/sx-taiyuan/warnings/{wid}/").get_data(as_text=True)
    assert f"/sx-taiyuan/cases/new?warning_id={wid}" in page
    form = client.get(f"/sx-taiyuan/cases/new?warning_id={wid}").get_data(as_text=True)
    assert "据预警立案" in form and "企业逾期未答复。" in form and "排污许可证有效期届满" in form
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    desk = Desk(client, "sx-taiyuan")
    r = client.post(
        "/sx-taiyuan/cases/new",
        data={
            "csrf_token": token,
            "warning_id": str(wid),
            "enterprise_id": str(eid),
            "facts": "预警逾期未答复，经核实许可证已过期仍排污。",
            "officer_ids": [str(i) for i in desk.officer_ids],
        },
    )
    assert r.status_code == 302
    case_page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "预警提醒后未整改" in case_page and f"/sx-taiyuan/warnings/{wid}/" in case_page
    page = client.get(f"/sx-taiyuan/warnings/{wid}/").get_data(as_text=True)
    assert 'id="warning-case"' in page and 'id="open-case"' not in page


def test_another_citys_warning_names_nothing(
    client: Any, warned: tuple[int, int], travel: Callable[[str], None]
) -> None:
    _eid, wid = warned
    travel("2026-03-17")
    desk = Desk(client, "xj-urumqi")
    r = desk.post("/cases", {"warning_id": wid, "officer_ids": desk.officer_ids})
    assert r.status_code == 404
    login(client, "xj-urumqi", "urumqi-officer1")
    assert client.get(f"/xj-urumqi/cases/new?warning_id={wid}").status_code == 404
    r = client.get("/api/v1/tenants/sx-taiyuan/cases", headers=bearer("urumqi-officer1"))
    assert r.status_code in (403, 404)

"""Issue 11 item 11: one enterprise, one inspection budget across levels (SX-3).

SX-3 (山西省生态环境厅实施意见 二(二)3)：合理确定检查比例和次数，最大限度减少入企检查频次。建立跨部门、
跨区域、跨层级的执法检查“综合一次查”协作机制…避免重复检查。The same enterprise (same unified
social credit code) is known to 太原市 (city) and to 小店区 (its county): a visit planned at either
level shows the other's visits nearby, the on-site cap counts the visits of every level and
department, and the enterprise sees its own count against its cap. A tenant outside the line
(another province) neither counts nor sees.

Dates: planned on Monday 2026-03-02 (after the Spring Festival holiday, 2026-02-15 to 02-23) for
visits in March and June 2026; the general-category cap is the Shanxi pack's 2 a year.
"""

from __future__ import annotations

from typing import Any

import pytest

from tenant_app.core.errors import ServiceError
from tenant_app.extensions import db
from tenant_app.inspections.services import plans, visits
from tenant_app.inspections.services.checks import preview
from tenant_app.models import Inspection
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import login

from .conftest import acting, make_enterprise, make_enterprise_user, officer_ids
from .test_draws_two_party import _user

CITY, COUNTY = "sx-taiyuan", "sx-taiyuan-xiaodian"


def _data(eid: int, officers: list[int], day: str, **kw: Any) -> dict[str, Any]:
    return {
        "enterprise_id": eid,
        "mode": "on_site",
        "trigger": "proactive",
        "planned_date": day,
        "officer_ids": officers,
        **kw,
    }


def _create(username: str, slug: str, data: dict[str, Any]) -> int:
    with acting(username, slug):
        insp = plans.create_inspection(scope_context(), data)
        db.session.commit()
        return insp.id


@pytest.fixture()
def line(world: dict[str, Any]) -> dict[str, Any]:
    city_e = make_enterprise(CITY, name="太原某焦化有限公司")
    county_e = make_enterprise(COUNTY, uscc=city_e.uscc, name="太原某焦化有限公司")
    stranger = make_enterprise("xj-urumqi", uscc=city_e.uscc)  # another province's registry
    _user(COUNTY, "xd-officer1", "officer", cert="14010520260001")
    _user(COUNTY, "xd-officer2", "officer", cert="14010520260002")
    return {
        "city": city_e,
        "county": county_e,
        "stranger": stranger,
        "city_officers": officer_ids("taiyuan-officer1", "taiyuan-officer2"),
        "county_officers": officer_ids("xd-officer1", "xd-officer2"),
        "xj_officers": officer_ids("urumqi-officer1", "urumqi-officer2"),
    }


@pytest.mark.today("2026-03-02")
def test_SX_3_cap_counts_every_level_and_the_others_visits_show_nearby(
    line: dict[str, Any],
) -> None:
    city_e, county_e = line["city"], line["county"]
    _create("taiyuan-officer1", CITY, _data(city_e.id, line["city_officers"], "2026-03-16"))
    # Another province's visit to the same credit code is outside the line: neither counted nor shown.
    _create(
        "urumqi-officer1",
        "xj-urumqi",
        _data(line["stranger"].id, line["xj_officers"], "2026-03-18", mode="off_site"),
    )
    # The county plans a visit four days later: it sees the city's visit (综合一次查) and counts it.
    with acting("xd-officer1", COUNTY):
        r = preview(scope_context(), _data(county_e.id, line["county_officers"], "2026-03-20"))
        levels = next(c for c in r.checks if c.key == "levels")
        assert (
            "太原市" in levels.text and "2026-03-16" in levels.text and "综合一次查" in levels.text
        )
        assert [v["date"] for v in levels.facts["visits"]] == ["2026-03-16"]
        cap = next(c for c in r.checks if c.key == "cap")
        assert cap.facts["done_this_year"] == 1 and r.allowed
    _create("xd-officer1", COUNTY, _data(county_e.id, line["county_officers"], "2026-03-20"))
    # A complaint visit by the county is not capped (SX-3: 投诉举报…不受频次上限限制).
    _create(
        "xd-officer1",
        COUNTY,
        _data(county_e.id, line["county_officers"], "2026-04-02", trigger="complaint"),
    )
    # Back at the city: the enterprise has had two counted visits this year (one per level).
    with acting("taiyuan-officer1", CITY):
        r = preview(scope_context(), _data(city_e.id, line["city_officers"], "2026-06-15"))
        cap = next(c for c in r.checks if c.key == "cap")
        assert cap.facts["done_this_year"] == 2 and cap.facts["cap"] == 2
        assert not r.allowed and "各层级、各部门已计2次" in cap.text
        with pytest.raises(ServiceError):
            plans.create_inspection(
                scope_context(), _data(city_e.id, line["city_officers"], "2026-06-15")
            )
        db.session.rollback()
    # The county cancels its visit: the budget frees up at once (the register follows the inspection).
    with use_scope(system_scope()):
        county_visit = db.session.execute(
            db.select(Inspection.id).where(
                Inspection.enterprise_id == county_e.id, Inspection.trigger == "proactive"
            )
        ).scalar_one()
    with acting("xd-officer1", COUNTY):
        plans.cancel(scope_context(), plans.get_inspection(county_visit), "并入市级检查")
        db.session.commit()
    with acting("taiyuan-officer1", CITY):
        assert preview(
            scope_context(), _data(city_e.id, line["city_officers"], "2026-06-15")
        ).allowed


@pytest.mark.today("2026-03-02")
def test_SX_3_other_departments_count_and_the_enterprise_sees_its_count(
    line: dict[str, Any], client: Any
) -> None:
    city_e, county_e = line["city"], line["county"]
    _create("xd-officer1", COUNTY, _data(county_e.id, line["county_officers"], "2026-03-20"))
    with acting("taiyuan-officer1", CITY):
        with pytest.raises(ServiceError):
            visits.record_external(
                scope_context(), {"enterprise_id": city_e.id, "visit_date": "2026-04-08"}
            )
        db.session.rollback()
        visits.record_external(
            scope_context(),
            {
                "enterprise_id": city_e.id,
                "department": "太原市市场监督管理局",
                "visit_date": "2026-04-08",
            },
        )
        db.session.commit()
        b = visits.enterprise_budget(scope_context(), city_e.id, 2026)
        assert (b["count"], b["cap"], b["remaining"]) == (2, 2, 0)
        assert {v["agency"] for v in b["visits"]} == {"小店区", "太原市"}
        assert not preview(
            scope_context(), _data(city_e.id, line["city_officers"], "2026-06-15")
        ).allowed
    # The county sees the city's record of the other department too.
    with acting("xd-officer1", COUNTY):
        assert visits.enterprise_budget(scope_context(), county_e.id, 2026)["count"] == 2
    # The enterprise, signed in at the city, sees its own count against its cap, every level.
    make_enterprise_user(CITY, city_e, "coke-user")
    login(client, CITY, "coke-user")
    page = client.get(f"/{CITY}/enterprise/inspections/").get_data(as_text=True)
    assert 'id="budget-count">2<' in page and 'id="budget-cap">2<' in page
    assert "太原市市场监督管理局" in page and "小店区" in page


@pytest.mark.today("2026-03-02")
def test_SX_3_staff_record_another_departments_visit_on_the_budget_page(
    line: dict[str, Any], client: Any
) -> None:
    from tests.helpers import csrf_from

    city_e = line["city"]
    _create("xd-officer1", COUNTY, _data(line["county"].id, line["county_officers"], "2026-03-20"))
    login(client, CITY, "taiyuan-officer1")
    page = client.get(f"/{CITY}/inspections/budget/?enterprise_id={city_e.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="budget-count">1<' in body and "小店区" in body
    token = csrf_from(body)
    r = client.post(
        f"/{CITY}/inspections/budget/external",
        data={"csrf_token": token, "enterprise_id": city_e.id, "visit_date": "2026-03-05"},
    )
    # The page again with the date as typed and the reason by the department's field.
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'data-field="department">请填写检查部门<' in body
    assert 'name="visit_date" value="2026-03-05"' in body
    client.post(
        f"/{CITY}/inspections/budget/external",
        data={
            "csrf_token": token,
            "enterprise_id": city_e.id,
            "department": "太原市应急管理局",
            "visit_date": "2026-03-05",
            "mode": "on_site",
        },
    )
    body = client.get(f"/{CITY}/inspections/budget/?enterprise_id={city_e.id}").get_data(
        as_text=True
    )
    assert 'id="budget-count">2<' in body and "太原市应急管理局" in body
    # A planned city visit now shows both other visits nearby and stops at the cap.
    with acting("taiyuan-officer1", CITY):
        r2 = preview(scope_context(), _data(city_e.id, line["city_officers"], "2026-03-12"))
        assert not r2.allowed
        levels = next(c for c in r2.checks if c.key == "levels")
        assert "太原市应急管理局" in levels.text and "小店区" in levels.text

"""The platform's working-day calendar: CLI answers on real dates, a year entered in the browser,
and provisional deadlines recomputed when it is (issue 3, items 6–8)."""

from __future__ import annotations

from datetime import date

from tenant_app.calendar import deadlines
from tenant_app.extensions import db
from tenant_app.models import Deadline
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..clock_fixtures import needs_holidays
from ..helpers import bearer, login, post_form, tenant


def _cli(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["calendar", *args])
    assert result.exit_code == 0, result.output
    return result.output.strip()


@needs_holidays(2025)
def test_national_day_2025_notice_of_5_working_days(app, world):
    # Oct 1–8 2025 off; Sat Oct 11 is a make-up working day (XJ-P notice ≥ 5 working days).
    assert _cli(app, "add-workdays", "2025-09-30", "5") == "2025-10-14"
    assert _cli(app, "is-workday", "2025-10-11") == "true"
    assert _cli(app, "is-workday", "2025-09-28") == "true"
    assert _cli(app, "is-workday", "2025-10-08") == "false"


@needs_holidays(2024, 2025, 2026)
def test_spring_festival_2026_and_month_ends(app, world):
    assert _cli(app, "add-workdays", "2026-02-13", "1") == "2026-02-14"  # Sat, a make-up day
    assert _cli(app, "add-workdays", "2026-02-14", "1") == "2026-02-24"
    assert _cli(app, "add-months", "2024-01-31", "1") == "2024-02-29"  # leap year
    assert _cli(app, "add-months", "2025-01-31", "1") == "2025-02-28"
    assert _cli(app, "add-months", "2025-09-01", "1") == "2025-10-09"  # Oct 1–8 off: rolls


def test_year_without_data_is_provisional(app, world, year_without_data):
    year_without_data(2027)
    assert _cli(app, "add-workdays", "2027-01-29", "3") == "2027-02-03 provisional"
    assert _cli(app, "is-workday", "2027-01-01") == "true provisional"


@needs_holidays(2026)
def test_superadmin_enters_2027_in_the_browser_and_deadlines_are_recomputed(
    client, app, world, year_without_data
):
    year_without_data(2027)  # before it is entered
    city = tenant("xj-urumqi")
    with use_scope(tenant_scope(city)):
        row = deadlines.schedule(
            subject_type="listing_batch",
            subject_id=7,
            rule_id="XJ-P",
            event_date=date(2026, 12, 31),
            amount=1,
            unit="workdays",
            policy_version="xinjiang@test",
        )
        db.session.commit()
        assert (row.due_date, row.provisional) == (date(2027, 1, 1), True)
    login(client, "platform", "admin")
    resp = post_form(
        client,
        "/platform/calendar/",
        "/platform/calendar/years",
        {
            "year": "2027",
            "source": "测试安排",
            "arrangement": "2027-01-01 休 元旦\n2027-02-06 班 春节调休\n2027-02-08 休 春节",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:1500]
    assert _cli(app, "is-workday", "2027-01-01") == "false"
    assert _cli(app, "is-workday", "2027-02-06") == "true"
    assert _cli(app, "add-workdays", "2027-01-29", "3") == "2027-02-03"
    with use_scope(tenant_scope(city)):
        db.session.expire_all()
        again = db.session.query(Deadline).one()
        assert (again.due_date, again.provisional) == (date(2027, 1, 4), False)


def test_bad_year_arrangement_is_refused_with_the_line(client, world):
    login(client, "platform", "admin")
    resp = post_form(
        client,
        "/platform/calendar/",
        "/platform/calendar/years",
        {"year": "2027", "arrangement": "2027-01-01 休\n2028-01-02 休\n2027-01-03 放假"},
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "第 2 行" in page or "2028-01-02" in page


def test_only_superadmins_enter_years(client, world):
    resp = client.put(
        "/api/v1/tenants/xj-urumqi/calendar/years/2027",
        headers=bearer("urumqi-admin"),
        json={"arrangement": "2027-01-01 休"},
    )
    assert resp.status_code == 403


def test_api_answers_with_the_provisional_flag(client, world, year_without_data):
    year_without_data(2027)
    headers = bearer("urumqi-officer1")
    resp = client.get(
        "/api/v1/tenants/xj-urumqi/calendar/answer?op=add-workdays&date=2027-01-29&n=3",
        headers=headers,
    )
    assert resp.get_json() == {"value": "2027-02-03", "provisional": True}
    bad = client.get(
        "/api/v1/tenants/xj-urumqi/calendar/answer?op=add-workdays&date=2027-02-30&n=3",
        headers=headers,
    )
    assert bad.status_code == 422 and "date" in bad.get_json()["errors"]

"""Records per kind, the timeline and calendar on the enterprise page, and facts_for."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tenant_app.clock import today
from tenant_app.registry.services import enterprise_facts
from tenant_app.registry.services.compliance_calendar import compliance_calendar
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import bearer, login, post_form, tenant
from .factory import add_record, make_enterprise

# Records, timelines and calendars are dated from the clock's today.
pytestmark = pytest.mark.date_sensitive


def _months_ago(n: int) -> date:
    on = today()
    y, m = divmod(on.year * 12 + on.month - 1 - n, 12)
    return date(y, m + 1, min(on.day, 28))


def test_facts_for_maps_records_ratings_and_permit(world):
    e = make_enterprise(
        "xj-urumqi",
        1,
        permit_valid_to=(today() + timedelta(days=365)).isoformat(),  # in force whatever today is
        key_discharger=True,
        facilities_running="是",
        online_monitoring_required=True,
        online_monitoring_installed=True,
        tags=["key_hazardous_chemical_unit"],
    )
    penalty_day = _months_ago(11)
    add_record(
        "xj-urumqi",
        e,
        "penalty",
        record_date=penalty_day,
        ref="乌环罚〔2025〕7号",
        fine_amount="50000",
        secret_discharge=True,
    )
    add_record("xj-urumqi", e, "complaint", record_date=_months_ago(2), verified="是")
    add_record("xj-urumqi", e, "incident", record_date=_months_ago(3), level="较大")
    add_record(
        "xj-urumqi",
        e,
        "credit_listing",
        record_date=_months_ago(6),
        list_name="abnormal_operations",
        end_date=_months_ago(1),
        summary="",
    )
    add_record(
        "xj-urumqi",
        e,
        "rectification",
        record_date=_months_ago(1),
        due_date=(today() + timedelta(days=20)).isoformat(),
    )
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        from tenant_app.registry.services import enterprises

        ctx = scope_context()
        enterprises.set_rating(
            ctx,
            e,
            {
                "kind": "integrity",
                "year": today().year - 1,
                "value": "环保诚信企业",
                "source": "新环发〔2025〕1号",
            },
        )
        enterprises.set_rating(
            ctx, e, {"kind": "performance", "year": today().year - 1, "value": "A", "source": "x"}
        )
        facts = enterprise_facts.facts_for(e, today())
    assert [(r.date, r.ref, r.malicious) for r in facts.penalties] == [
        (penalty_day, "乌环罚〔2025〕7号", True)
    ]
    assert facts.complaints[0].verified and facts.incidents[0].level == "larger"
    assert facts.credit_entries[0].list_name == "abnormal_operations"
    assert not facts.credit_entries[0].active_on(today())
    assert facts.permit_status == "permit" and facts.category == "key"
    assert facts.facilities_running is True and facts.pollutants_compliant is None
    assert facts.online_monitoring_installed and not facts.online_monitoring_networked
    assert (
        facts.integrity_ratings == {today().year - 1: "环保诚信企业"}
        and facts.performance_grade == "A"
    )
    assert facts.tags == frozenset({"key_hazardous_chemical_unit"})
    assert facts.industry_code == "C2822"
    # as of a day before the penalty, it is not yet known
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        assert enterprise_facts.facts_for(e, penalty_day - timedelta(days=1)).penalties == ()


def test_permit_status_follows_the_permit_columns(world):
    e = make_enterprise(
        "xj-urumqi", 1, permit_valid_to="2024-12-31", permit_valid_from="2020-01-01"
    )
    assert enterprise_facts.permit_status_of(e, date(2025, 1, 1)) == "expired"
    e.permit_no = ""
    assert enterprise_facts.permit_status_of(e, date(2024, 1, 1)) == "missing"


def test_record_validation_per_kind_names_fields(client, world):
    e = make_enterprise("xj-urumqi", 1)
    url = f"/api/v1/tenants/xj-urumqi/enterprises/{e.id}/records"
    headers = bearer("urumqi-officer1")
    resp = client.post(
        url, json={"kind": "penalty", "record_date": "2099-01-01", "source": "x"}, headers=headers
    )
    assert resp.status_code == 422
    assert set(resp.get_json()["errors"]) >= {"record_date", "ref", "summary"}
    resp = client.post(
        url,
        json={
            "kind": "rectification",
            "record_date": "2025-01-10",
            "source": "x",
            "summary": "整改",
            "due_date": "2025-01-01",
        },
        headers=headers,
    )
    assert "due_date" in resp.get_json()["errors"]
    resp = client.post(
        url,
        json={
            "kind": "execution_report",
            "record_date": "2025-01-10",
            "source": "平台",
            "period": "2025-Q5",
        },
        headers=headers,
    )
    assert "period" in resp.get_json()["errors"]
    ok = client.post(
        url,
        json={
            "kind": "incident",
            "record_date": "2025-01-10",
            "source": "x",
            "summary": "泄漏",
            "level": "general",
        },
        headers=headers,
    )
    assert ok.status_code == 201 and ok.get_json()["level"] == "general"


def test_enterprise_page_shows_the_timeline_newest_first_and_the_calendar(client, world):
    e = make_enterprise("xj-urumqi", 1, permit_valid_to=(today() + timedelta(days=100)).isoformat())
    for months in (14, 2, 7):
        add_record("xj-urumqi", e, "complaint", record_date=_months_ago(months))
    add_record(
        "xj-urumqi",
        e,
        "rectification",
        record_date=_months_ago(1),
        due_date=(today() + timedelta(days=10)).isoformat(),
        summary="补建雨污分流",
    )
    login(client, "xj-urumqi", "urumqi-officer1")
    html = client.get(f"/xj-urumqi/enterprises/{e.id}/").get_data(as_text=True)
    import re

    dates = re.findall(r'<tr data-date="([0-9-]+)">', html)
    assert len(dates) == 4 and dates == sorted(dates, reverse=True)
    assert "整改期限：补建雨污分流" in html and "排污许可证（登记）有效期届满" in html
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        kinds = [i.kind for i in compliance_calendar(e, today())]
    assert "rectification" in kinds and "permit_expiry" in kinds and "permit_renewal" in kinds


def test_record_form_adds_and_edits_a_rectification(client, world):
    e = make_enterprise("xj-urumqi", 1)
    login(client, "xj-urumqi", "urumqi-officer1")
    url = f"/xj-urumqi/enterprises/{e.id}/records/new/rectification"
    bad = post_form(
        client,
        url,
        url,
        {
            "record_date": "2025-01-10",
            "source": "现场检查",
            "summary": "整改事项甲",
            "due_date": "",
        },
    )
    assert bad.status_code == 422 and "请填写整改期限" in bad.get_data(as_text=True)
    ok = post_form(
        client,
        url,
        url,
        {
            "record_date": "2025-01-10",
            "source": "现场检查",
            "summary": "整改事项甲",
            "due_date": "2025-02-10",
        },
    )
    assert ok.status_code == 302
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        from tenant_app.registry.services.records import records_of

        rec = records_of(e)[0]
    edit = f"/xj-urumqi/enterprises/{e.id}/records/{rec.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert "整改事项甲" in page and "2025-02-10" in page
    done = post_form(
        client,
        edit,
        edit,
        {
            "record_date": "2025-01-10",
            "source": "现场检查",
            "summary": "整改事项甲",
            "due_date": "2025-02-10",
            "outcome": "completed",
            "closed_on": "2025-02-01",
        },
    )
    assert done.status_code == 302

"""XJ-C1..C7, XJ-D, XJ-X, XJ-R bans with real dates, on the one-enterprise path and the
set-based tenant path (which must agree)."""

from __future__ import annotations

from datetime import date

import pytest

from tenant_app.extensions import db
from tenant_app.listing.services import bulk_screening
from tenant_app.listing.services.screening import screen_one
from tenant_app.listing.services.verdicts import from_result
from tenant_app.policy.service import policy_for
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import tenant
from .factory import add_record, good_enterprise

ON = date(2025, 6, 15)  # the screening date
# Records are entered on 2026-01-05, after every date they name (the latest 2025-12-12; none may
# lie in the future), and screened as of ON.
pytestmark = pytest.mark.today("2026-01-05")


def _both(e, on=ON):
    t = tenant("xj-urumqi")
    with use_scope(tenant_scope(t)):
        ctx = scope_context()
        one = screen_one(ctx, db.session.merge(e), on)
        bulk = list(bulk_screening.screen_tenant(policy_for(t, on), t.id, on, [e.id]))
    assert len(bulk) == 1
    assert bulk[0].key() == from_result(e.id, one).key()
    return one, bulk[0]


def _cond(result, cid):
    return next(v for v in result.conditions if v.id == cid)


def test_c1_penalty_11_months_ago_fails_13_months_passes(world):
    recent = good_enterprise(1)
    add_record("xj-urumqi", recent, "penalty", record_date=date(2024, 7, 15))  # 11 months before
    old = good_enterprise(2)
    add_record("xj-urumqi", old, "penalty", record_date=date(2024, 5, 15))  # 13 months before
    one, bulk = _both(recent)
    assert (
        _cond(one, "C1").passed is False
        and "XJ-C1" in one.rule_ids
        and bulk.verdict == "not_eligible"
    )
    assert _cond(one, "C1").records[0]["date"] == "2024-07-15"
    one, bulk = _both(old)
    assert _cond(one, "C1").passed is True and one.answer is True and bulk.verdict == "eligible"


def test_c1_boundary_is_the_corresponding_day(world):
    e = good_enterprise(3)
    add_record("xj-urumqi", e, "coercive_measure", record_date=date(2024, 6, 15))
    one, _ = _both(e)  # 2024-06-15 + 12 months = 2025-06-15: still counts on that day
    assert _cond(one, "C1").passed is False
    one, _ = _both(e, date(2025, 6, 16))
    assert _cond(one, "C1").passed is True


def test_c2_permit_expired_fails(world):
    e = good_enterprise(4, permit_valid_to="2025-01-31")
    one, _ = _both(e)
    assert _cond(one, "C2").passed is False and one.answer is False


def test_c3_facilities_and_c4_monitoring(world):
    e = good_enterprise(5, facilities_running=False)
    assert _cond(_both(e)[0], "C3").passed is False
    e = good_enterprise(6, online_monitoring_required=True, online_monitoring_installed=True)
    assert _cond(_both(e)[0], "C4").passed is False
    e = good_enterprise(7, pollutants_compliant=None)
    one, bulk = _both(e)
    assert _cond(one, "C3").passed is None and bulk.conditions["C3"] is None


def test_c5_incident_and_c6_verified_complaint(world):
    e = good_enterprise(8)
    add_record("xj-urumqi", e, "incident", record_date=date(2025, 1, 3), level="general")
    assert _cond(_both(e)[0], "C5").passed is False
    e = good_enterprise(9)
    add_record("xj-urumqi", e, "complaint", record_date=date(2025, 3, 1), verified=False)
    assert _cond(_both(e)[0], "C6").passed is True  # not verified: does not count
    add_record("xj-urumqi", e, "complaint", record_date=date(2025, 3, 2), verified=True)
    assert _cond(_both(e)[0], "C6").passed is False


def test_c7_credit_list_while_on_it(world):
    e = good_enterprise(10)
    add_record(
        "xj-urumqi",
        e,
        "credit_listing",
        record_date=date(2023, 1, 1),
        list_name="abnormal_operations",
        end_date=date(2025, 7, 1),
    )
    assert _cond(_both(e)[0], "C7").passed is False
    assert _cond(_both(e, date(2025, 7, 2))[0], "C7").passed is True


def test_d_direct_inclusion_by_grade_a_or_two_integrity_years(world):
    from tenant_app.registry.services import enterprises

    e = good_enterprise(11)
    add_record("xj-urumqi", e, "penalty", record_date=date(2025, 1, 1))
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        enterprises.set_rating(
            scope_context(),
            db.session.merge(e),
            {"kind": "performance", "year": 2024, "value": "A", "source": "测试"},
        )
        db.session.commit()
    one, bulk = _both(e)
    assert one.route == "direct" and one.rule_id == "XJ-D" and bulk.verdict == "direct"
    e2 = good_enterprise(12, facilities_running=False)
    with use_scope(tenant_scope(tenant("xj-urumqi"))):
        for y in (2023, 2024):
            enterprises.set_rating(
                scope_context(),
                db.session.merge(e2),
                {"kind": "integrity", "year": y, "value": "环保诚信企业", "source": "测试"},
            )
        db.session.commit()
    assert _both(e2)[1].verdict == "direct"


def test_x_excluded_industries_and_tags(world):
    # N7724 危险废物治理 alone does not say 集中处置 (XJ-X names the centralised disposal): the
    # designation tag decides, the code only asks for a check.
    e = good_enterprise(12, industry_code="N7724")
    one, bulk = _both(e)
    assert one.answer is True and bulk.verdict == "eligible" and "待核实" in one.explanation
    e = good_enterprise(13, industry_code="N7724", tags=["centralised_hazardous_waste_disposal"])
    one, bulk = _both(e)
    assert (
        one.rule_id == "XJ-X"
        and bulk.verdict == "excluded"
        and bulk.excluded_by == ("hazardous_waste",)
    )
    e = good_enterprise(14, tags=["key_hazardous_chemical_unit"])
    assert _both(e)[1].verdict == "excluded"


def test_r_bans_malicious_3_years_criminal_5_years(world):
    e = good_enterprise(15)
    add_record("xj-urumqi", e, "penalty", record_date=date(2023, 3, 10), secret_discharge=True)
    one, bulk = _both(e)
    assert (
        one.barred_until == date(2026, 3, 10) and bulk.verdict == "barred" and one.rule_id == "XJ-R"
    )
    assert _both(e, date(2026, 3, 11))[1].verdict == "eligible"
    e = good_enterprise(16)
    add_record("xj-urumqi", e, "criminal_judgment", record_date=date(2021, 8, 31))
    assert _both(e)[0].barred_until == date(2026, 8, 31)
    e = good_enterprise(17)
    add_record("xj-urumqi", e, "penalty", record_date=date(2023, 3, 10))  # not malicious: no ban
    assert _both(e)[1].verdict == "eligible"


def test_bulk_equals_single_on_a_mixed_population(world):
    kinds = [
        ("penalty", {}),
        ("incident", {"level": "larger"}),
        ("complaint", {"verified": True}),
        ("penalty", {"falsified_records": True}),
        ("criminal_judgment", {}),
        ("judicial_transfer", {}),
    ]
    ents = []
    for n in range(30):
        fields = {}
        if n % 7 == 0:
            fields["industry_code"] = "D4620"
            fields["tags"] = ["centralised_urban_sewage_treatment"]
        if n % 11 == 0:
            fields["industry_code"] = "D4414"  # 核力发电: the code alone decides (code_basis)
        if n % 5 == 0:
            fields["procedures_complete"] = None
        if n % 6 == 0:
            fields["online_monitoring_required"] = True
        e = good_enterprise(100 + n, **fields)
        kind, extra = kinds[n % len(kinds)]
        if n % 3:
            add_record(
                "xj-urumqi",
                e,
                kind,
                record_date=date(2020 + n % 6, 1 + n % 12, 1 + n % 28),
                **extra,
            )
        ents.append(e)
    t = tenant("xj-urumqi")
    with use_scope(tenant_scope(t)):
        ctx = scope_context()
        pol = policy_for(t, ON)
        bulk = {v.enterprise_id: v.key() for v in bulk_screening.screen_tenant(pol, t.id, ON)}
        for e in ents:
            assert bulk[e.id] == from_result(e.id, screen_one(ctx, db.session.merge(e), ON)).key()
    assert len({k[1] for k in bulk.values()}) >= 4  # a mixed population indeed


def test_shanxi_runs_the_same_screening_with_its_own_pack(world):
    """No region is named in the code: Shanxi's pack drives both paths the same way."""
    t = tenant("sx-taiyuan")
    ents = [good_enterprise(200 + n, slug="sx-taiyuan") for n in range(4)]
    add_record("sx-taiyuan", ents[1], "penalty", record_date=date(2025, 1, 1))
    add_record("sx-taiyuan", ents[2], "criminal_judgment", record_date=date(2023, 1, 1))
    with use_scope(tenant_scope(t)):
        ctx = scope_context()
        pol = policy_for(t, ON)
        assert pol.version_id.startswith("shanxi@")
        bulk = {v.enterprise_id: v.key() for v in bulk_screening.screen_tenant(pol, t.id, ON)}
        for e in ents:
            assert bulk[e.id] == from_result(e.id, screen_one(ctx, db.session.merge(e), ON)).key()

"""Positive-list eligibility: XJ-C1..C7, XJ-D, XJ-X, XJ-R, with real dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from policies import CreditEntry, EnterpriseFacts, Policy, Record, load_pack
from tenant_app.calendar import WorkCalendar

XJ = Policy(load_pack("xinjiang"), "xj-v1", calendar=WorkCalendar())
ON = date(2025, 6, 15)
GOOD = EnterpriseFacts(
    name="某化纤有限公司",
    industry_code="C2822",
    permit_status="permit",
    procedures_complete=True,
    facilities_running=True,
    pollutants_compliant=True,
    online_monitoring_required=True,
    online_monitoring_installed=True,
    online_monitoring_networked=True,
)


def verdict(facts: EnterpriseFacts, cid: str, on: date = ON) -> bool | None:
    result = XJ.screen(facts, on)
    return next(v.passed for v in result.conditions if v.id == cid)


def test_clean_enterprise_is_eligible_by_screening() -> None:
    r = XJ.screen(GOOD, ON)
    assert r.answer is True and r.route == "screening" and r.rule_id == "XJ-C"
    assert [v.rule_id for v in r.conditions] == [f"XJ-C{i}" for i in range(1, 8)]
    assert r.policy_version == "xj-v1"


def test_XJ_C1_penalty_11_months_ago_fails() -> None:
    facts = replace(GOOD, penalties=(Record(date(2024, 7, 15), ref="新环罚〔2024〕7号"),))
    r = XJ.screen(facts, ON)
    assert r.answer is False
    c1 = r.conditions[0]
    assert c1.passed is False and c1.records[0]["ref"] == "新环罚〔2024〕7号"
    assert "XJ-C1 不满足" in r.explanation


def test_XJ_C1_penalty_13_months_ago_passes() -> None:
    assert verdict(replace(GOOD, penalties=(Record(date(2024, 5, 15)),)), "C1") is True


def test_XJ_C1_penalty_exactly_12_months_ago_still_counts_then_passes_next_day() -> None:
    facts = replace(GOOD, penalties=(Record(date(2024, 6, 15)),))
    assert verdict(facts, "C1", date(2025, 6, 15)) is False
    assert verdict(facts, "C1", date(2025, 6, 16)) is True


def test_XJ_C1_coercive_measure_and_judicial_transfer_count() -> None:
    assert verdict(replace(GOOD, coercive_measures=(Record(date(2025, 1, 2)),)), "C1") is False
    assert verdict(replace(GOOD, judicial_transfers=(Record(date(2025, 1, 2)),)), "C1") is False


def test_XJ_C2_permit_and_procedures() -> None:
    assert verdict(replace(GOOD, permit_status="expired"), "C2") is False
    assert verdict(replace(GOOD, procedures_complete=False), "C2") is False
    assert verdict(replace(GOOD, permit_status=None), "C2") is None
    assert XJ.screen(replace(GOOD, permit_status=None), ON).answer is False  # unknown = not met
    assert verdict(replace(GOOD, permit_status="registration"), "C2") is True


def test_XJ_C3_facilities_and_no_monitoring_exemption() -> None:
    assert verdict(replace(GOOD, facilities_running=False), "C3") is False
    assert verdict(replace(GOOD, pollutants_compliant=False), "C3") is False
    assert verdict(replace(GOOD, pollutants_compliant=None, needs_monitoring=False), "C3") is True


def test_XJ_C4_online_monitoring_networked() -> None:
    assert verdict(replace(GOOD, online_monitoring_networked=False), "C4") is False
    assert verdict(replace(GOOD, online_monitoring_installed=False), "C4") is False
    assert (
        verdict(
            replace(GOOD, online_monitoring_required=False, online_monitoring_installed=False), "C4"
        )
        is True
    )


def test_XJ_C5_incident_within_a_year() -> None:
    assert (
        verdict(replace(GOOD, incidents=(Record(date(2024, 12, 1), level="general"),)), "C5")
        is False
    )
    assert (
        verdict(replace(GOOD, incidents=(Record(date(2024, 6, 1), level="general"),)), "C5") is True
    )


def test_XJ_C6_only_verified_complaints_count() -> None:
    assert verdict(replace(GOOD, complaints=(Record(date(2025, 3, 1)),)), "C6") is True
    assert (
        verdict(replace(GOOD, complaints=(Record(date(2025, 3, 1), verified=True),)), "C6") is False
    )


def test_XJ_C7_credit_list_active_on_date() -> None:
    entry = CreditEntry("abnormal_operations", date(2024, 1, 1), exited=date(2025, 6, 1))
    assert verdict(replace(GOOD, credit_entries=(entry,)), "C7", date(2025, 5, 31)) is False
    assert verdict(replace(GOOD, credit_entries=(entry,)), "C7", date(2025, 6, 1)) is True


def test_XJ_D_integrity_two_years_running_direct_inclusion() -> None:
    facts = replace(
        GOOD,
        permit_status="expired",
        integrity_ratings={2023: "环保诚信企业", 2024: "环保诚信企业"},
    )
    r = XJ.screen(facts, ON)
    assert r.answer is True and r.route == "direct" and r.rule_id == "XJ-D"
    assert "可以直接纳入" in r.explanation
    one_year = replace(facts, integrity_ratings={2022: "环保诚信企业", 2024: "环保诚信企业"})
    assert XJ.screen(one_year, ON).answer is False


def test_XJ_D_performance_grade_A_direct_inclusion() -> None:
    facts = replace(GOOD, facilities_running=False, performance_grade="A")
    assert XJ.screen(facts, ON).route == "direct"
    assert XJ.screen(replace(facts, performance_grade="B"), ON).answer is False


def test_XJ_X_excluded_by_designation_beats_direct_inclusion_codes_only_ask_for_a_check() -> None:
    """XJ-X names units (集中处理, 重点…), not industries: a code decides only where the pack says
    why (核力发电); D4620, D4417, N7724, C26 alone are flagged for a check, not excluded."""
    facts = replace(
        GOOD,
        industry_code="D4620",
        tags=frozenset({"centralised_urban_sewage_treatment"}),
        performance_grade="A",
    )
    r = XJ.screen(facts, ON)
    assert r.answer is False and r.route == "refused" and r.rule_id == "XJ-X"
    assert r.excluded_by[0]["id"] == "sewage"
    for code, review in (
        ("D4620", "D4620"),
        ("D4417", "D4417"),
        ("N7724", "N7724"),
        ("C2614", "C26"),
        ("B0911", "B09"),
    ):
        alone = XJ.screen(replace(GOOD, industry_code=code), ON)
        assert alone.answer is True and alone.excluded_by == ()
        assert [x["review_code"] for x in alone.facts["exclusions_to_review"]] == [review]
    assert XJ.screen(replace(GOOD, industry_code="N7721"), ON).facts["exclusions_to_review"] == []
    nuclear = XJ.screen(replace(GOOD, industry_code="N7725"), ON)
    assert nuclear.answer is False and "放射性废物治理" in nuclear.excluded_by[0]["code_basis"]


def test_XJ_X_excluded_by_designation_tag() -> None:
    r = XJ.screen(replace(GOOD, tags=frozenset({"key_hazardous_chemical_unit"})), ON)
    assert r.answer is False and r.excluded_by[0]["matched_tag"] == "key_hazardous_chemical_unit"
    nuclear = XJ.screen(replace(GOOD, industry_code="D4414"), ON)
    assert (
        nuclear.excluded_by[0]["separate_rules"] is True and "按相关规定执行" in nuclear.explanation
    )


def test_XJ_R_malicious_penalty_bars_for_3_years() -> None:
    facts = replace(GOOD, penalties=(Record(date(2021, 8, 20), malicious=True),))
    r = XJ.screen(facts, date(2024, 8, 20))
    assert r.answer is False and r.barred_until == date(2024, 8, 20) and r.rule_id == "XJ-R"
    assert XJ.screen(facts, date(2024, 8, 21)).answer is True


def test_XJ_R_ordinary_penalty_is_no_ban() -> None:
    r = XJ.screen(replace(GOOD, penalties=(Record(date(2023, 8, 20)),)), ON)
    assert r.barred_until is None and r.answer is True


def test_XJ_R_criminal_judgment_bars_for_5_years_leap_day() -> None:
    facts = replace(GOOD, criminal_judgments=(Record(date(2020, 2, 29)),))
    r = XJ.screen(facts, date(2025, 2, 28))
    assert r.answer is False and r.barred_until == date(2025, 2, 28)
    assert "至 2025-02-28 止" in r.explanation
    assert XJ.screen(facts, date(2025, 3, 1)).answer is True


def test_screening_result_serialises_for_storage() -> None:
    stored = XJ.screen(replace(GOOD, penalties=(Record(date(2025, 1, 1)),)), ON).to_dict()
    assert stored["policy_version"] == "xj-v1" and stored["answer"] is False
    assert stored["facts"]["conditions"]["C1"]["records"][0]["date"] == "2025-01-01"

"""Inspection questions: SX-5, SX-10, XJ-S, SX-3, SX-4, SX-0, SX-1 and XJ-P/XJ-R deadlines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from policies import Policy, load_pack, merge
from tenant_app.calendar import WorkCalendar
from tests.clock_fixtures import needs_holidays

CAL = WorkCalendar()
XJ = Policy(load_pack("xinjiang"), "xj-v1", calendar=CAL)
SX = Policy(load_pack("shanxi"), "sx-v1", calendar=CAL)
TAIYUAN = Policy(
    merge(
        load_pack("shanxi"),
        {
            "inspection": {
                "quiet": {
                    "periods": [
                        {
                            "id": "monthly-1-10",
                            "kind": "monthly",
                            "start_day": 1,
                            "end_day": 10,
                            "categories": ["general"],
                        },
                        {
                            "id": "chem-2025-06",
                            "kind": "range",
                            "start": date(2025, 6, 6),
                            "end": date(2025, 6, 20),
                            "industries": ["C26"],
                        },
                    ]
                }
            }
        },
    ),
    "taiyuan-v3",
    calendar=CAL,
)


def roles(decision) -> list[tuple[str, tuple[str, ...]]]:  # type: ignore[no-untyped-def]
    return [(r.rule_id, r.any_of) for r in decision.details["requirements"]]


def plain(policy: Policy, level: str, **kw: object):  # type: ignore[no-untyped-def]
    args = {
        "in_quiet_period": False,
        "listed": False,
        "trigger": "random_draw",
        "on_site": True,
    } | kw
    return policy.approval_route(level, **args)  # type: ignore[arg-type]


def test_SX_5_province_deputy_or_principal_head() -> None:
    d = plain(SX, "province")
    assert d.answer is True and roles(d) == [("SX-5", ("deputy_head", "principal_head"))]


def test_SX_5_city_team_head_deputy_or_principal() -> None:
    assert roles(plain(SX, "city")) == [("SX-5", ("agency_head", "deputy_head", "principal_head"))]


def test_SX_5_county_branch_head() -> None:
    """县级入企执法检查由分局局长（队长）审批: the branch head (principal_head of the county
    tenant) and the head of its enforcement team (agency_head) may each approve (issue 11 item 12)."""
    d = plain(SX, "county")
    assert roles(d) == [("SX-5", ("principal_head", "agency_head"))] and "分局局长" in d.explanation


def test_SX_10_quiet_period_monthly_for_category_in_taiyuan() -> None:
    assert TAIYUAN.quiet_period(date(2025, 7, 10), "C3011", "general").answer is True
    assert TAIYUAN.quiet_period(date(2025, 7, 11), "C3011", "general").answer is False
    assert TAIYUAN.quiet_period(date(2025, 7, 5), "C3011", "key").answer is False
    assert SX.quiet_period(date(2025, 7, 5), "C3011", "general").answer is False  # province: none


def test_SX_10_quiet_period_explicit_range_limited_to_industry() -> None:
    d = TAIYUAN.quiet_period(date(2025, 6, 20), "C2614", "key")
    assert d.answer is True and d.details["periods"] == ["chem-2025-06"] and d.rule_id == "SX-10"
    assert TAIYUAN.quiet_period(date(2025, 6, 20), "C3011", "key").answer is False
    assert TAIYUAN.quiet_period(date(2025, 6, 21), "C2614", "key").answer is False


def test_SX_10_inside_quiet_period_needs_principal_head() -> None:
    on = date(2025, 7, 3)
    quiet = TAIYUAN.quiet_period(on, "C3011", "general").answer
    d = plain(TAIYUAN, "county", in_quiet_period=quiet)
    assert d.answer is True
    assert roles(d) == [("SX-5", ("principal_head", "agency_head")), ("SX-10", ("principal_head",))]
    # The county branch head (principal_head) meets both SX-5 and SX-10 at once.
    assert d.rule_ids == ("SX-5", "SX-10") and d.details["single_approver_roles"] == [
        "principal_head"
    ]
    city = plain(TAIYUAN, "city", in_quiet_period=True)
    assert city.details["single_approver_roles"] == ["principal_head"]


def test_SX_10_off_site_check_in_quiet_period_needs_no_extra_approval() -> None:
    assert roles(plain(TAIYUAN, "city", in_quiet_period=True, on_site=False)) == [
        ("SX-5", ("agency_head", "deputy_head", "principal_head"))
    ]


def test_XJ_S_listed_enterprise_proactive_on_site_refused() -> None:
    d = plain(XJ, "city", listed=True, trigger="proactive")
    assert (
        d.answer is False
        and d.rule_id == "XJ-S"
        and "不对正面清单企业主动进行现场检查" in d.explanation
    )


def test_XJ_S_listed_random_draw_and_campaign_off_site_only() -> None:
    assert plain(XJ, "city", listed=True, trigger="random_draw").answer is False
    assert plain(XJ, "city", listed=True, trigger="special_campaign").answer is False
    assert plain(XJ, "city", listed=True, trigger="random_draw", on_site=False).answer is True


def test_XJ_S_listed_complaint_needs_agency_head() -> None:
    d = plain(XJ, "city", listed=True, trigger="complaint")
    assert d.answer is True and ("XJ-S", ("agency_head",)) in roles(d)


def test_XJ_S_monitoring_anomaly_requires_reviewed_self_inspection_report() -> None:
    before = plain(XJ, "city", listed=True, trigger="monitoring_anomaly")
    assert before.answer is False and "自查" in before.explanation
    after = plain(
        XJ, "city", listed=True, trigger="monitoring_anomaly", self_inspection_reviewed=True
    )
    assert after.answer is True and after.details["preconditions"] == [
        "self_inspection_report_reviewed"
    ]
    assert ("XJ-S", ("agency_head",)) in roles(after)


def test_XJ_S_joint_visit_needs_prior_notice() -> None:
    d = plain(XJ, "city", listed=True, trigger="joint")
    assert d.answer is True and d.details["preconditions"] == ["prior_notice_to_enterprise"]


def test_SX_9_and_SX_10_combined_for_listed_enterprise_in_quiet_period() -> None:
    d = plain(TAIYUAN, "city", listed=True, trigger="complaint", in_quiet_period=True)
    assert [r for r, _ in roles(d)] == ["SX-5", "SX-9", "SX-10"]


def test_unknown_level_or_trigger_answers_false_not_raises() -> None:
    assert plain(SX, "township").answer is False
    assert plain(SX, "city", trigger="whim").answer is False


def test_SX_3_cap_and_cap_exempt_triggers() -> None:
    assert SX.inspection_cap("general").answer == 2
    assert TAIYUAN.inspection_cap("nonexistent").answer is None
    for trigger in (
        "complaint",
        "assignment",
        "data_lead",
        "monitoring_anomaly",
        "enterprise_request",
    ):
        assert SX.cap_exempt(trigger) is True
    assert SX.cap_exempt("random_draw") is False and SX.cap_exempt("proactive") is False


def test_SX_4_special_campaign_rules() -> None:
    d = SX.special_campaign_rules()
    assert d.rule_id == "SX-4" and d.answer["blanket_scope_forbidden"] is True
    assert d.answer["approving_roles"] == ["principal_head"] and "县级以上人民政府" in d.explanation
    assert XJ.special_campaign_rules().answer is None


def test_SX_0_enforcement_ladder_in_order() -> None:
    d = SX.enforcement_ladder()
    assert [s["id"] for s in d.answer] == [
        "education",
        "guidance",
        "reasoned_warning",
        "penalty",
        "rectification",
    ]
    assert d.explanation == "SX-0：普法宣传—教育引导—告诫说理—行政处罚—监督整改"


def test_SX_1_warning_lead_days() -> None:
    def lead(kind: str) -> object:
        return SX.warning_lead_days(kind).answer

    assert lead("permit_expiry") == {"n": 90, "unit": "days"}
    assert lead("execution_report") == {"n": 10, "unit": "workdays"}
    assert lead("monitoring_anomaly") == {"n": 0, "unit": "days"}
    assert lead("unknown") is None
    assert set(XJ.warning_kinds().answer) == {"permit_expiry", "monitoring_anomaly"}


@needs_holidays(2026)
def test_SX_1_answer_due_counts_working_days_over_national_day_2026() -> None:
    # Sent Mon 2026-09-28: 10 working days skip the 国庆 holiday (Oct 1-7) and land on Oct 16.
    d = SX.warning_answer_due(date(2026, 9, 28))
    assert d.answer == date(2026, 10, 16) and d.rule_id == "SX-1" and not d.provisional


def test_SX_1_escalation_ladder_repeats_its_last_rung() -> None:
    assert [SX.warning_next_rung(n).answer["id"] for n in range(4)] == [
        "guidance",
        "reasoned_warning",
        "inspection_lead",
        "inspection_lead",
    ]
    assert XJ.warning_next_rung(1).answer["id"] == "inspection_lead"


@needs_holidays(2025)
def test_XJ_P_notice_publication_filing_across_national_day_2025() -> None:
    notice = XJ.step_due("notice_min_end", date(2025, 9, 30))
    assert (
        notice.answer == date(2025, 10, 14) and notice.rule_id == "XJ-P" and not notice.provisional
    )
    assert XJ.step_due("publication", date(2025, 10, 14)).answer == date(2025, 10, 21)
    # From Mon Sep 29: Tue Sep 30, Thu Oct 9, Fri Oct 10.
    assert XJ.step_due("filing", date(2025, 9, 29)).answer == date(2025, 10, 10)
    # From Fri Sep 26: the make-up Sunday Sep 28 counts: Sep 28, 29, 30.
    assert XJ.step_due("filing", date(2025, 9, 26)).answer == date(2025, 9, 30)


def test_XJ_P_filing_in_2027_is_provisional(year_without_data: Callable[[int], int]) -> None:
    year_without_data(2027)
    d = XJ.step_due("filing", date(2027, 9, 30))
    assert d.provisional is True and "暂定" in d.explanation


@needs_holidays(2026)
def test_XJ_R_removal_within_one_month_rolls_past_spring_festival() -> None:
    d = XJ.step_due("removal", date(2026, 1, 16))
    assert d.answer == date(2026, 2, 24) and d.rule_id == "XJ-R"
    assert XJ.step_due("nonexistent", date(2026, 1, 16)).answer is None


def test_XJ_V_validity_three_years() -> None:
    assert XJ.validity_end(date(2025, 10, 14)).answer == date(2028, 10, 14)

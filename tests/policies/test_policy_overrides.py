"""Inheritance, overrides and versions."""

from __future__ import annotations

from datetime import date

import pytest

from policies import (
    PackError,
    Policy,
    PolicyVersion,
    explain_sources,
    load_pack,
    merge,
    version_in_force,
)
from tenant_app.calendar import WorkCalendar

SX = load_pack("shanxi")
XJ = load_pack("xinjiang")
CAL = WorkCalendar()
# A Taiyuan-like city: the 1st-10th of every month is a quiet period for general enterprises,
# plus an explicit range for chemicals (C26) around an exam week.
TAIYUAN = {
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
                    "id": "gaokao-2025",
                    "kind": "range",
                    "start": date(2025, 6, 6),
                    "end": date(2025, 6, 10),
                    "industries": ["C26"],
                },
            ]
        },
        "caps": {"per_year": {"general": 1}},
    }
}


def test_child_inherits_parent_pack_unchanged() -> None:
    assert merge(SX, {}) == SX


def test_SX_10_city_override_sets_quiet_periods() -> None:
    eff = merge(SX, TAIYUAN)
    assert [p["id"] for p in eff["inspection"]["quiet"]["periods"]] == [
        "monthly-1-10",
        "gaokao-2025",
    ]
    assert eff["inspection"]["caps"]["per_year"] == {
        "key": 4,
        "general": 1,
        "special": 12,
        "listed": 0,
    }
    assert eff["inspection"]["approval"] == SX["inspection"]["approval"]  # inherited


def test_SX_5_override_of_non_overridable_key_refused() -> None:
    with pytest.raises(PackError) as exc:
        merge(SX, {"inspection": {"approval": {"levels": {"county": {"roles": ["officer"]}}}}})
    assert "inspection.approval.levels.county.roles" in exc.value.errors
    assert "不可覆盖" in exc.value.errors["inspection.approval.levels.county.roles"]


def test_meta_never_overridable() -> None:
    with pytest.raises(PackError) as exc:
        merge(SX, {"meta": {"effective_from": date(2020, 1, 1)}})
    assert "meta.effective_from" in exc.value.errors


def test_XJ_C1_not_overridable_in_xinjiang() -> None:
    with pytest.raises(PackError) as exc:
        merge(XJ, {"screening": {"conditions": {"C1": {"lookback_months": 6}}}})
    assert "screening.conditions.C1.lookback_months" in exc.value.errors


def test_SX_9_positive_list_default_overridable_but_still_validated() -> None:
    eff = merge(SX, {"screening": {"conditions": {"C1": {"lookback_months": 24}}}})
    assert eff["screening"]["conditions"]["C1"]["lookback_months"] == 24
    with pytest.raises(PackError) as exc:
        merge(SX, {"screening": {"conditions": {"C1": {"lookback_months": 0}}}})
    assert "screening.conditions.C1.lookback_months" in exc.value.errors


def test_SX_10_invalid_override_refused_after_merge() -> None:
    bad = {
        "inspection": {
            "quiet": {"periods": [{"id": "x", "kind": "monthly", "start_day": 11, "end_day": 3}]}
        }
    }
    with pytest.raises(PackError) as exc:
        merge(SX, bad)
    assert "inspection.quiet.periods.0.start_day" in exc.value.errors


def test_grandchild_chain_and_sources_explained() -> None:
    county = {"inspection": {"caps": {"per_year": {"key": 3}}}}
    eff = merge(SX, [TAIYUAN, county])
    assert eff["inspection"]["caps"]["per_year"]["key"] == 3
    assert eff["inspection"]["caps"]["per_year"]["general"] == 1
    sources = explain_sources([("pack", SX), ("太原市", TAIYUAN), ("own", county)])
    assert sources["inspection.caps.per_year.key"] == "own"
    assert sources["inspection.caps.per_year.general"] == "太原市"
    assert sources["inspection.caps.per_year.special"] == "pack"
    assert sources["inspection.quiet.periods"] == "太原市"
    assert sources["inspection.approval.levels.city.roles"] == "pack"


def test_version_in_force_on_date_asked() -> None:
    v1 = PolicyVersion(1, date(2025, 3, 3), SX)
    v2 = PolicyVersion(2, date(2025, 7, 1), merge(SX, TAIYUAN))
    versions = [v2, v1]
    assert version_in_force(versions, date(2025, 3, 2)) is None
    assert version_in_force(versions, date(2025, 6, 30)) is v1
    assert version_in_force(versions, date(2025, 7, 1)) is v2


def test_SX_10_decision_answered_under_version_in_force_and_keeps_version_id() -> None:
    v1 = PolicyVersion("sx-v1", date(2025, 3, 3), SX)
    v2 = PolicyVersion("sx-v2", date(2025, 7, 1), merge(SX, TAIYUAN))
    for on, expected, version in (
        (date(2025, 6, 5), False, "sx-v1"),
        (date(2025, 7, 5), True, "sx-v2"),
    ):
        policy = Policy.from_version(version_in_force([v1, v2], on), CAL)
        d = policy.quiet_period(on, "C3011", "general")
        assert d.answer is expected and d.policy_version == version
        assert d.to_dict()["policy_version"] == version

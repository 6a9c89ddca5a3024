"""Issue 14 (cases): the pack side. The violation catalogue (the laws' own provisions, read in
their text), the benchmark's factors and grades (platform default), the national no-penalty
rules against a violation's facts, and the case periods counted by the calendar."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from policies import PackError, Policy, load_pack, validate_pack
from policies.cases import grade_range
from policies.loader import PACKS_DIR, parse_toml, with_national
from tenant_app.calendar.workdays import WorkCalendar

SX_TEXT = (PACKS_DIR / "shanxi" / "pack.toml").read_text(encoding="utf-8")


def policy(pack: dict[str, Any] | None = None) -> Policy:
    return Policy(pack or load_pack("shanxi"), "test", calendar=WorkCalendar())


def shanxi_with(**sections: Any) -> dict[str, Any]:
    data = parse_toml(SX_TEXT)
    data.update(sections)
    return validate_pack(with_national(data, "shanxi"))


@pytest.mark.parametrize("pack", ["shanxi", "xinjiang"])
def test_the_catalogue_cites_the_laws_provisions_and_their_ranges(pack: str) -> None:
    p = load_pack(pack)
    hearing = p["national"]["rules"]["hearing"]
    items = set(hearing["penalties"]["value"]) | set(hearing["penalties_environment"]["value"])
    for key, v in p["cases"]["violations"].items():
        assert v["basis"] == "law", key
        assert v["law"].startswith("《中华人民共和国") and v["penalty_provision"].startswith("第")
        assert 0 < v["fine_min"] < v["fine_max"], key
    for key, m in p["cases"]["measures"].items():
        assert not m.get("hearing_item") or m["hearing_item"] in items, key
    air99 = p["cases"]["violations"]["air_unpermitted"]
    assert (air99["fine_min"], air99["fine_max"]) == (100000, 1000000)
    assert "十万元以上一百万元以下" in air99["quote"]


def test_grades_cut_the_statutory_range_in_whole_hundreds() -> None:
    assert grade_range(20000, 200000, 0.3, 0.7) == (74000, 146000)
    assert grade_range(100000, 1000000, 0.7, 1.0) == (730000, 1000000)
    assert grade_range(10000, 100000, 0.0, 0.3) == (10000, 37000)


def test_unrecorded_factors_count_at_their_default_level_and_say_so() -> None:
    b = policy().discretion_benchmark("air_outlet", {"harm": "serious"})
    rows = {r["factor"]: r for r in b.answer["factors"]}
    assert not rows["harm"]["defaulted"] and rows["harm"]["points"] == 3
    assert rows["history"]["defaulted"] and rows["history"]["level"] == "first"
    assert b.answer["score"] == 3 and b.answer["grade"] == "heavier"
    assert b.rule_id == "SX-12" and "从重" in b.explanation


def test_national_no_penalty_rules_against_the_facts() -> None:
    p = policy()
    assert p.no_penalty_grounds({"minor_harm", "corrected_promptly", "no_harm"}).answer == "shall"
    first = p.no_penalty_grounds({"first_violation", "minor_harm", "corrected_promptly"})
    assert first.answer == "may" and first.rule_id == "NAT-APL-33.1-first"
    assert first.details["education"]["rule_id"] == "NAT-APL-33.3"
    assert p.no_penalty_grounds({"first_violation"}).answer is None
    # A region may make 首违不罚 mandatory (the national layer's at_least mode).
    data = parse_toml(SX_TEXT)
    data["national"] = {"rules": {"no_penalty": {"first_violation": {"value": "shall"}}}}
    strict = policy(validate_pack(with_national(data, "shanxi")))
    assert (
        strict.no_penalty_grounds({"first_violation", "minor_harm", "corrected_promptly"}).answer
        == "shall"
    )


def test_case_periods_by_the_calendar_and_provisional_without_data(year_without_data: Any) -> None:
    p = policy()
    window = p.case_deadline("hearing.request_days", date(2026, 9, 30))
    assert window.answer == date(2026, 10, 13) and window.rule_id == "NAT-APL-64.1"
    assert not window.provisional
    year_without_data(2027)
    later = Policy(load_pack("shanxi"), "test", calendar=WorkCalendar()).case_deadline(
        "hearing.request_days", date(2027, 9, 30)
    )
    assert later.provisional and "暂定" in later.explanation


def test_the_schema_refuses_a_bad_catalogue_or_benchmark() -> None:
    good = parse_toml(SX_TEXT)
    cases = copy.deepcopy(good["cases"])
    cases["violations"]["air_outlet"]["measures"] = ["no_such_measure"]
    with pytest.raises(PackError) as exc:
        shanxi_with(cases=cases)
    assert any("no_such_measure" in m for m in exc.value.errors.values())
    cases = copy.deepcopy(good["cases"])
    cases["violations"]["air_outlet"]["fine_min"] = 300000
    with pytest.raises(PackError) as exc:
        shanxi_with(cases=cases)
    assert "cases.violations.air_outlet.fine_min" in exc.value.errors
    disc = copy.deepcopy(good["discretion"])
    disc["grades"]["general"]["max_score"] = -5
    with pytest.raises(PackError) as exc:
        shanxi_with(discretion=disc)
    assert "discretion.grades.general.max_score" in exc.value.errors
    disc = copy.deepcopy(good["discretion"])
    disc["factors"]["harm"]["default"] = "catastrophic"
    with pytest.raises(PackError) as exc:
        shanxi_with(discretion=disc)
    assert "discretion.factors.harm.default" in exc.value.errors

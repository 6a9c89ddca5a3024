"""pack.toml validation: unknown keys, wrong types and impossible values are refused with the key path."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from policies import PackError, load_pack, validate_pack

XJ = load_pack("xinjiang")
SX = load_pack("shanxi")


def refused(pack: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(PackError) as exc:
        validate_pack(pack)
    return exc.value.errors


def mutated(base: dict[str, Any] | None = None) -> dict[str, Any]:
    return copy.deepcopy(base or XJ)


def test_shipped_packs_validate_and_round_trip() -> None:
    assert validate_pack(copy.deepcopy(XJ)) == XJ
    assert validate_pack(copy.deepcopy(SX)) == SX
    assert XJ["meta"]["id"] == "xinjiang" and SX["meta"]["id"] == "shanxi"


def test_unknown_key_refused_with_path() -> None:
    pack = mutated()
    pack["screening"]["conditions"]["C1"]["lookback_monthz"] = 12
    errors = refused(pack)
    assert "screening.conditions.C1.lookback_monthz" in errors
    assert "未知的键" in errors["screening.conditions.C1.lookback_monthz"]


def test_unknown_top_level_section_refused() -> None:
    pack = mutated()
    pack["bonus"] = {}
    assert "bonus" in refused(pack)


def test_XJ_C1_wrong_type_refused() -> None:
    pack = mutated()
    pack["screening"]["conditions"]["C1"]["lookback_months"] = "12"
    assert "应为整数" in refused(pack)["screening.conditions.C1.lookback_months"]


def test_XJ_C1_negative_lookback_refused() -> None:
    pack = mutated()
    pack["screening"]["conditions"]["C1"]["lookback_months"] = -1
    assert "应在 1 到 120 之间" in refused(pack)["screening.conditions.C1.lookback_months"]


def test_bool_must_be_boolean() -> None:
    pack = mutated()
    pack["supervision"]["proactive_on_site"] = 0
    assert "supervision.proactive_on_site" in refused(pack)


def test_unknown_condition_kind_refused() -> None:
    pack = mutated()
    pack["screening"]["conditions"]["C2"]["kind"] = "looks_fine"
    assert "未知的规则类型" in refused(pack)["screening.conditions.C2.kind"]


def test_XJ_P_notice_below_five_workdays_refused() -> None:
    pack = mutated()
    pack["procedure"]["periods"]["notice_min_end"]["n"] = 4
    assert "不得少于5个工作日" in refused(pack)["procedure.periods.notice_min_end.n"]


def test_XJ_P_negative_period_refused() -> None:
    pack = mutated()
    pack["procedure"]["periods"]["filing"]["n"] = -3
    assert "procedure.periods.filing.n" in refused(pack)


def test_SX_10_quiet_day_range_start_after_end_refused() -> None:
    pack = mutated(SX)
    pack["inspection"]["quiet"]["periods"] = [
        {"id": "q", "kind": "monthly", "start_day": 20, "end_day": 10}
    ]
    assert "开始不能晚于结束" in refused(pack)["inspection.quiet.periods.0.start_day"]


def test_SX_10_quiet_day_over_31_refused() -> None:
    pack = mutated(SX)
    pack["inspection"]["quiet"]["periods"] = [
        {"id": "q", "kind": "monthly", "start_day": 1, "end_day": 32}
    ]
    assert "inspection.quiet.periods.0.end_day" in refused(pack)


def test_SX_10_duplicate_quiet_period_ids_refused() -> None:
    pack = mutated(SX)
    q = {"id": "q", "kind": "monthly", "start_day": 1, "end_day": 10}
    pack["inspection"]["quiet"]["periods"] = [q, dict(q)]
    assert "重复" in refused(pack)["inspection.quiet.periods.1.id"]


def test_SX_10_quiet_unknown_category_refused() -> None:
    pack = mutated(SX)
    pack["inspection"]["quiet"]["periods"] = [
        {"id": "q", "kind": "monthly", "start_day": 1, "end_day": 10, "categories": ["vip"]}
    ]
    assert "inspection.quiet.periods.0.categories" in refused(pack)


def test_SX_5_unknown_role_refused() -> None:
    pack = mutated(SX)
    pack["inspection"]["approval"]["levels"]["city"]["roles"] = ["mayor"]
    assert "未知的角色" in refused(pack)["inspection.approval.levels.city.roles.0"]


def test_SX_5_unknown_level_refused() -> None:
    pack = mutated(SX)
    pack["inspection"]["approval"]["levels"]["township"] = {"title": "乡", "roles": ["agency_head"]}
    assert "inspection.approval.levels.township" in refused(pack)


def test_SX_3_unknown_trigger_refused() -> None:
    pack = mutated(SX)
    pack["inspection"]["caps"]["exempt_triggers"] = ["complaint", "whim"]
    assert "未知的检查事由" in refused(pack)["inspection.caps.exempt_triggers.1"]


def test_SX_3_duplicate_trigger_refused() -> None:
    pack = mutated(SX)
    pack["inspection"]["caps"]["exempt_triggers"] = ["complaint", "complaint"]
    assert "重复" in refused(pack)["inspection.caps.exempt_triggers"]


@pytest.mark.parametrize("code", ["D44171", "Z12", "44X", "C4417", "d4417"])
def test_XJ_X_bad_industry_code_refused(code: str) -> None:
    pack = mutated()
    pack["exclusions"]["industries"]["sewage"]["codes"] = [code]
    assert "GB/T 4754-2017" in refused(pack)["exclusions.industries.sewage.codes.0"]


def test_SX_1_negative_warning_lead_refused() -> None:
    pack = mutated(SX)
    pack["inspection"]["warnings"]["kinds"]["permit_expiry"]["lead_days"] = -1
    assert "inspection.warnings.kinds.permit_expiry.lead_days" in refused(pack)


def test_overridable_path_must_exist() -> None:
    pack = mutated()
    pack["overridable"] = ["inspection.nothing_here", "meta.name"]
    errors = refused(pack)
    assert "overridable.0" in errors and "overridable.1" in errors


def test_missing_required_section_refused() -> None:
    pack = mutated()
    del pack["removal"]
    assert "缺少必填项" in refused(pack)["removal"]


def test_bad_toml_and_missing_pack() -> None:
    from policies import parse_toml

    with pytest.raises(PackError) as exc:
        parse_toml("[meta\nid=1")
    assert "(toml)" in exc.value.errors
    with pytest.raises(PackError):
        load_pack("atlantis")

"""The national layer under every regional pack (issue 14): national law with its source article,
inherited by every province; a region overrides only what the law leaves to it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from policies import PackError, available_packs, explain_sources, load_pack, merge, validate_pack
from policies.loader import PACKS_DIR, load_national, parse_toml, validate_text, with_national
from policies.national_layer import (
    NATIONAL_LABEL,
    adjustable,
    inherit,
    national_rule,
    pack_chain,
    validate_national,
)

SX_TEXT = (PACKS_DIR / "shanxi" / "pack.toml").read_text(encoding="utf-8")
NAT_TEXT = (PACKS_DIR / "national" / "pack.toml").read_text(encoding="utf-8")

# (key, value, rule id, source article): the values the brief and DESIGN.md (NL-*) name.
LAW = [
    ("correction.order_correction", True, "NAT-APL-28.1", "行政处罚法第二十八条第一款"),
    ("no_penalty.minor_corrected_no_harm", "shall", "NAT-APL-33.1", "行政处罚法第三十三条第一款"),
    ("no_penalty.first_violation", "may", "NAT-APL-33.1-first", "行政处罚法第三十三条第一款"),
    ("no_penalty.no_fault", "shall", "NAT-APL-33.2", "行政处罚法第三十三条第二款"),
    ("no_penalty.education", True, "NAT-APL-33.3", "行政处罚法第三十三条第三款"),
    ("notice.before_decision", True, "NAT-APL-44", "行政处罚法第四十四条"),
    ("notice.statement_and_defence", True, "NAT-APL-45.1", "行政处罚法第四十五条第一款"),
    ("hearing.request_days", 5, "NAT-APL-64.1", "行政处罚法第六十四条第一项"),
    ("hearing.notice_days_before", 7, "NAT-APL-64.2", "行政处罚法第六十四条第二项"),
    ("review.collective_discussion_cases", ["情节复杂的违法行为", "重大违法行为"], "NAT-APL-57.2",
     "行政处罚法第五十七条第二款"),
    ("time_limit.decision_days", 90, "NAT-APL-60", "行政处罚法第六十条"),
    ("service.deliver_days", 7, "NAT-APL-61.1", "行政处罚法第六十一条第一款"),
    ("payment.deferral_or_instalments", True, "NAT-APL-66.2", "行政处罚法第六十六条第二款"),
    ("payment.period_days", 15, "NAT-APL-67.3", "行政处罚法第六十七条第三款"),
    ("payment.surcharge_rate_per_day", 0.03, "NAT-APL-72.1", "行政处罚法第七十二条第一款第一项"),
    ("payment.surcharge_cap", 1.0, "NAT-APL-72.1-cap", "行政处罚法第七十二条第一款第一项"),
    ("limitation.years", 2, "NAT-APL-36.1", "行政处罚法第三十六条第一款"),
    ("limitation.years_life_health_finance", 5, "NAT-APL-36.1-long", "行政处罚法第三十六条第一款"),
]  # fmt: skip


def shanxi_with(national: dict[str, Any] | None = None, **sections: Any) -> dict[str, Any]:
    """The Shanxi pack as ``load_pack`` builds it, with a ``[national]`` table and other
    sections of its pack.toml replaced."""
    data = parse_toml(SX_TEXT)
    if national is not None:
        data["national"] = national
    data.update(sections)
    return validate_pack(with_national(data, "shanxi"))


def refused(national: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(PackError) as exc:
        shanxi_with(national)
    return exc.value.errors


# --- the national pack ----------------------------------------------------------------------


def test_national_pack_validates_alone() -> None:
    nat = load_national()
    assert nat["meta"]["id"] == "national" and nat["meta"]["version"] == "nat-2023.1"
    # 行政复议法 and 行政诉讼法 (issue 14 item 7: the remedies a decision states) joined later.
    assert set(nat["laws"]) == {"APL", "MEE", "ARL", "ALL"}
    assert nat["laws"]["APL"]["text_read"] is True  # the 2021 law was read whole
    assert validate_text(NAT_TEXT)["meta"]["level"] == "national"  # the CLI's way in
    rules = [r for items in nat["rules"].values() for r in items.values()]
    assert len(rules) >= 30
    for rule in rules:
        assert rule["rule_id"].startswith(("NAT-APL-", "NAT-MEE-", "NAT-ARL-", "NAT-ALL-"))
        assert rule["source"].startswith(
            ("行政处罚法第", "生态环境行政处罚办法", "行政复议法第", "行政诉讼法第")
        )
        assert rule["set_by"] == "national" and rule["national_value"] == rule["value"]
        if rule["act"] == "APL":  # read: basis text (or default) and the article's sentence
            assert rule["basis"] in ("text", "default") and rule["quote"]
        else:  # the 2023 measures could not be read: never passed off as text
            assert rule["basis"] == "unverified" and "未" in rule["source"]


def test_national_layer_is_not_a_pack_a_tenant_can_choose() -> None:
    assert "national" not in available_packs()
    assert {"shanxi", "xinjiang"} <= set(available_packs())
    with pytest.raises(PackError) as exc:
        load_pack("national")
    assert "国家法律层" in exc.value.errors["(pack)"]


def test_national_pack_refuses_a_rule_without_its_article_or_with_a_regional_id() -> None:
    def errors_of(data: dict[str, Any]) -> dict[str, str]:
        with pytest.raises(PackError) as exc:
            validate_national(data)
        return exc.value.errors

    data = parse_toml(NAT_TEXT)
    rules = data["rules"]
    del rules["hearing"]["request_days"]["source"]
    rules["payment"]["surcharge_cap"]["rule_id"] = "SX-13"
    rules["payment"]["surcharge_rate_per_day"]["value"] = {"rate": 3}
    errors = errors_of(data)
    assert "缺少必填项" in errors["rules.hearing.request_days.source"]
    assert "NAT-" in errors["rules.payment.surcharge_cap.rule_id"]
    assert "字符串列表" in errors["rules.payment.surcharge_rate_per_day.value"]
    data = parse_toml(NAT_TEXT)
    data["rules"]["payment"]["period_days"]["act"] = "XYZ"
    assert "未知的法规代号" in errors_of(data)["rules.payment.period_days.act"]
    data = parse_toml(NAT_TEXT)
    data["rules"]["payment"]["deferral_or_instalments"]["national_value"] = True
    errors = errors_of(data)
    assert "由加载时生成" in errors["rules.payment.deferral_or_instalments.national_value"]


def test_the_list_of_what_a_region_may_change() -> None:
    modes = adjustable(load_national())
    assert modes["hearing.request_days"] == "at_least"
    assert modes["payment.surcharge_cap"] == "at_most"
    assert modes["no_penalty.minor_violation_list"] == "extend"
    assert modes["no_penalty.first_violation"] == "at_least"  # 可以 -> 应当, never back
    assert "payment.surcharge_rate_per_day" not in modes  # fixed by law
    assert "limitation.years" not in modes


# --- inherited by both provinces --------------------------------------------------------------


@pytest.mark.parametrize("region", ["shanxi", "xinjiang"])
@pytest.mark.parametrize(("key", "value", "rule_id", "source"), LAW)
def test_both_regional_packs_carry_the_national_values_with_sources(
    region: str, key: str, value: Any, rule_id: str, source: str
) -> None:
    pack = load_pack(region)
    topic, name = key.split(".")
    rule = pack["national"]["rules"][topic][name]
    assert (rule["value"], rule["rule_id"], rule["source"]) == (value, rule_id, source)
    assert rule["set_by"] == "national" and rule["basis"] == "text"
    decision = national_rule(pack, key, "v1")
    assert decision.answer == value and decision.rule_id == rule_id
    assert source in decision.explanation and decision.policy_version == "v1"
    assert decision.details["law"] == "中华人民共和国行政处罚法"


@pytest.mark.parametrize("region", ["shanxi", "xinjiang"])
def test_the_pack_version_names_the_national_version(region: str) -> None:
    pack = load_pack(region)
    assert pack["meta"]["version"].endswith("+nat-2023.1")
    assert pack["national"]["meta"]["version"] == "nat-2023.1"
    text = (PACKS_DIR / region / "pack.toml").read_text(encoding="utf-8")
    assert validate_text(text)["meta"]["version"] == pack["meta"]["version"]  # the CLI's way in


def test_NAT_APL_66_deferral_holds_in_xinjiang_whose_text_is_silent() -> None:
    xj = load_pack("xinjiang")
    assert xj["discretion"]["fine_deferral_allowed"] is False  # the regional text says nothing
    assert national_rule(xj, "payment.deferral_or_instalments").answer is True  # the law does


def test_unverified_values_say_so() -> None:
    decision = national_rule(load_pack("shanxi"), "publicity.decision_workdays")
    assert decision.answer == 7 and decision.rule_id == "NAT-MEE-65"
    assert decision.details["basis"] == "unverified" and "未能核实" in decision.explanation
    assert national_rule(load_pack("shanxi"), "no.such").answer is None


# --- what a region may not do -----------------------------------------------------------------


def test_NAT_APL_64_region_cannot_shorten_the_hearing_window() -> None:
    errors = refused({"rules": {"hearing": {"request_days": {"value": 3}}}})
    reason = errors["national.rules.hearing.request_days.value"]
    assert "听证申请期限不得少于法律规定的5个工作日" in reason
    assert "行政处罚法第六十四条第一项" in reason


def test_NAT_APL_64_refused_in_the_pack_file_itself() -> None:
    text = SX_TEXT + "\n[national.rules.hearing.request_days]\nvalue = 4\n"
    with pytest.raises(PackError) as exc:
        validate_text(text)
    assert "national.rules.hearing.request_days.value" in exc.value.errors


def test_NAT_APL_72_region_cannot_raise_the_surcharge_cap_or_change_the_rate() -> None:
    errors = refused(
        {
            "rules": {
                "payment": {
                    "surcharge_cap": {"value": 1.5},
                    "surcharge_rate_per_day": {"value": 0.05},
                }
            }
        }
    )
    cap = errors["national.rules.payment.surcharge_cap.value"]
    assert "加处罚款上限不得超过法律规定的罚款数额的100%" in cap
    assert "行政处罚法第七十二条第一款第一项" in cap
    rate = errors["national.rules.payment.surcharge_rate_per_day.value"]
    assert "由法律规定为罚款数额的3%，地区不得变更" in rate


def test_region_cannot_turn_shall_into_may_nor_change_types() -> None:
    errors = refused(
        {
            "rules": {
                "no_penalty": {"minor_corrected_no_harm": {"value": "may"}},
                "hearing": {"notice_days_before": {"value": "seven"}},
            }
        }
    )
    assert "地区不得变更" in errors["national.rules.no_penalty.minor_corrected_no_harm.value"]
    assert "类型应与法律值一致" in errors["national.rules.hearing.notice_days_before.value"]


def test_region_cannot_rewrite_a_source_or_invent_a_national_rule() -> None:
    errors = refused(
        {
            "meta": {"version": "x"},
            "rules": {
                "hearing": {"request_days": {"source": "地方规定", "value": 5}},
                "payment": {"discount": {"value": 0.5}},
            },
        }
    )
    assert "国家法律包固定" in errors["national.meta"]
    assert "只能设置 value 与 note" in errors["national.rules.hearing.request_days.source"]
    assert "没有该项" in errors["national.rules.payment.discount"]


def test_a_contradiction_is_refused_however_it_reaches_the_pack() -> None:
    """The schema checks the law's value kept in the effective pack: a hand-edited pack fails."""
    pack = copy.deepcopy(load_pack("shanxi"))
    pack["national"]["rules"]["hearing"]["request_days"]["value"] = 2
    pack["national"]["rules"]["hearing"]["penalties"]["value"] = ["较大数额罚款"]
    with pytest.raises(PackError) as exc:
        validate_pack(pack)
    assert "不得少于" in exc.value.errors["national.rules.hearing.request_days.value"]
    assert "不得删除法律规定的事项" in exc.value.errors["national.rules.hearing.penalties.value"]


def test_no_tenant_override_reaches_national_law() -> None:
    sx = load_pack("shanxi")
    with pytest.raises(PackError) as exc:
        merge(sx, {"national": {"rules": {"hearing": {"request_days": {"value": 10}}}}})
    assert "不可覆盖" in exc.value.errors["national.rules.hearing.request_days.value"]
    data = parse_toml(SX_TEXT)
    data["overridable"] = [*data["overridable"], "national.rules"]
    with pytest.raises(PackError) as exc:
        validate_pack(with_national(data, "shanxi"))
    assert "不是可覆盖的键路径" in exc.value.errors[f"overridable.{len(data['overridable']) - 1}"]


# --- what a region may do ---------------------------------------------------------------------


def test_region_may_lengthen_the_hearing_window_and_lower_the_cap() -> None:
    pack = shanxi_with(
        {
            "rules": {
                "hearing": {"request_days": {"value": 10, "note": "省厅规定"}},
                "payment": {"surcharge_cap": {"value": 0.5}},
            }
        }
    )
    rule = pack["national"]["rules"]["hearing"]["request_days"]
    assert (rule["value"], rule["national_value"], rule["set_by"]) == (10, 5, "shanxi")
    assert rule["region_note"] == "省厅规定"
    decision = national_rule(pack, "hearing.request_days")
    assert (
        decision.answer == 10
        and "由 shanxi 在法律规定的5个工作日基础上规定" in decision.explanation
    )
    assert pack["national"]["rules"]["payment"]["surcharge_cap"]["value"] == 0.5


def test_region_may_turn_may_into_shall_for_first_violations() -> None:
    pack = shanxi_with({"rules": {"no_penalty": {"first_violation": {"value": "shall"}}}})
    assert national_rule(pack, "no_penalty.first_violation").answer == "shall"


def test_region_may_extend_a_national_list() -> None:
    pack = shanxi_with({"rules": {"hearing": {"penalties": {"value": ["责令停产整治"]}}}})
    value = pack["national"]["rules"]["hearing"]["penalties"]["value"]
    assert value[:5] == load_national()["rules"]["hearing"]["penalties"]["value"]
    assert value[5:] == ["责令停产整治"]


def test_NAT_APL_33_region_may_extend_the_minor_violation_list() -> None:
    """The minor-violation list is extended in discretion.minor_violation_list (SX-12: cities
    extend it too); whichever layer replaces the list keeps the national items."""
    item = "未按规定公开排污信息，首次且及时改正"
    pack = shanxi_with(
        discretion={**parse_toml(SX_TEXT)["discretion"], "minor_violation_list": [item]}
    )
    assert pack["discretion"]["minor_violation_list"] == [item]  # the national floor is empty
    # With a national item (a future national list), the region's list keeps it first...
    national = load_national()
    rule = national["rules"]["no_penalty"]["minor_violation_list"]
    rule["value"] = rule["national_value"] = ["国家事项"]
    data = parse_toml(SX_TEXT)
    data["discretion"]["minor_violation_list"] = [item]
    pack = validate_pack(inherit(data, national, "shanxi"))
    assert pack["discretion"]["minor_violation_list"] == ["国家事项", item]
    # ...a city may add to it, never drop the national item.
    city = merge(pack, {"discretion": {"minor_violation_list": ["国家事项", item, "市级事项"]}})
    assert city["discretion"]["minor_violation_list"][-1] == "市级事项"
    with pytest.raises(PackError) as exc:
        merge(pack, {"discretion": {"minor_violation_list": [item, "市级事项"]}})
    reason = exc.value.errors["discretion.minor_violation_list"]
    assert "不得删除法律规定的事项：国家事项" in reason


def test_the_minor_violation_list_is_not_set_on_the_national_rule() -> None:
    errors = refused({"rules": {"no_penalty": {"minor_violation_list": {"value": ["x"]}}}})
    assert (
        "discretion.minor_violation_list"
        in errors["national.rules.no_penalty.minor_violation_list.value"]
    )


# --- where each value came from ----------------------------------------------------------------


def test_sources_name_the_national_layer_the_region_and_the_city() -> None:
    pack = shanxi_with({"rules": {"hearing": {"request_days": {"value": 10}}}})
    taiyuan = {"inspection": {"caps": {"per_year": {"key": 3}}}}
    sources = explain_sources([*pack_chain(pack), ("太原市", taiyuan)])
    assert sources["national.rules.hearing.notice_days_before.value"] == NATIONAL_LABEL
    assert sources["national.rules.hearing.notice_days_before.source"] == NATIONAL_LABEL
    assert sources["national.rules.hearing.request_days.value"] == "政策包"
    assert sources["national.rules.hearing.request_days.set_by"] == "政策包"
    assert sources["inspection.caps.per_year.general"] == "政策包"
    assert sources["inspection.caps.per_year.key"] == "太原市"

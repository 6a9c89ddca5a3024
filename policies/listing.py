"""Positive-list questions beside screening: who compiles and files the list, the procedure's
order and notice content (XJ-P), validity and health-check visits (XJ-V), the rule id of each
section. The core cites these rule ids in its records and messages; it never writes one."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from .decision import Decision
from .vocab import LEVELS

# schema_listing.PROCEDURE_STEPS in words, for explanations and messages.
STEP_TITLES = {
    "screening": "申请/推荐（筛选）",
    "site_verification": "现场核查",
    "opinions": "征求意见",
    "commitment": "守法承诺",
    "notice": "社会公示",
    "publication": "正式发布",
    "filing": "备案登记",
}
# schema_listing.NOTICE_FIELDS in words.
NOTICE_FIELD_TITLES = {
    "name": "企业名称",
    "location": "所在地",
    "uscc": "统一社会信用代码",
    "industry": "所属行业",
    "permit_no": "排污许可证编号（排污登记编号）",
    "list_type": "正面清单类型",
    "validity": "正面清单有效期",
    "complaint_channel": "投诉举报途径",
}


@dataclass(frozen=True)
class ListingRuleIds:
    """The rule id of each positive-list section of a pack (each section's ``rule_id``)."""

    screening: str
    direct_inclusion: str
    exclusions: str
    procedure: str
    listing: str
    removal: str


def rule_ids(pack: dict[str, Any]) -> ListingRuleIds:
    return ListingRuleIds(
        screening=pack["screening"]["rule_id"],
        direct_inclusion=pack["direct_inclusion"]["rule_id"],
        exclusions=pack["exclusions"]["rule_id"],
        procedure=pack["procedure"]["rule_id"],
        listing=pack["listing"]["rule_id"],
        removal=pack["removal"]["rule_id"],
    )


def table(section: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """A copy of an id → parameters table, in pack order: callers may keep it, never alter the
    pack through it."""
    return {k: copy.deepcopy(dict(v)) for k, v in (section or {}).items()}


def _decision(
    answer: Any, rule_id: str, facts: dict[str, Any], text: str, version: Any
) -> Decision:
    return Decision(answer, rule_id, facts, version, text, rule_ids=(rule_id,) if rule_id else ())


def level(pack: dict[str, Any], version: str | int | None, key: str) -> Decision:
    """``listing.compiled_by`` or ``listing.filed_with``, decided under the procedure's rule."""
    rid = pack["procedure"]["rule_id"]
    value = pack["listing"][key]
    name = LEVELS.get(value, value)
    text = (
        f"{rid}：正面清单由{name}生态环境部门编制。"
        if key == "compiled_by"
        else f"{rid}：正面清单正式发布后报{name}生态环境部门备案。"
    )
    return _decision(value, rid, {"key": f"listing.{key}"}, text, version)


def procedure_order(pack: dict[str, Any], version: str | int | None) -> Decision:
    proc = pack["procedure"]
    order = tuple(proc["order"])
    text = f"{proc['rule_id']}：" + " → ".join(STEP_TITLES.get(s, s) for s in order) + "。"
    return _decision(order, proc["rule_id"], {}, text, version)


def notice_content(pack: dict[str, Any], version: str | int | None) -> Decision:
    proc = pack["procedure"]
    fields = tuple(proc["notice_content"])
    names = "、".join(NOTICE_FIELD_TITLES.get(f, f) for f in fields)
    return _decision(
        fields, proc["rule_id"], {}, f"{proc['rule_id']}：公示内容包括{names}。", version
    )


def validity_years(pack: dict[str, Any], version: str | int | None) -> Decision:
    listing = pack["listing"]
    years = listing["validity_years"]
    text = f"{listing['rule_id']}：正面清单有效期{years}年，自正式发布之日起算。"
    return _decision(years, listing["rule_id"], {}, text, version)


def health_check_visits(pack: dict[str, Any], version: str | int | None) -> Decision:
    listing = pack["listing"]
    n = listing["health_check_visits_per_year"]
    text = f"{listing['rule_id']}：对纳入正面清单的企业每年至少开展{n}次体检式帮扶。"
    return _decision(n, listing["rule_id"], {}, text, version)

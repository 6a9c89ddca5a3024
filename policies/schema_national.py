"""Schema of the national layer (``policies/national/pack.toml``, and the ``national`` section the
loader puts into every regional pack): laws, and rules each with its source article, its value
and what a region may do with it (``regional``).

In an effective pack every rule also carries ``national_value`` (the law's value) and ``set_by``
(``national`` or the region's pack id), so the schema itself refuses a value that contradicts
the law however it got there (a region's pack, a merged override): ``law_conflict``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from .schema_fields import (
    KEY_RE,
    Bool,
    Date,
    Name,
    Nested,
    OneOf,
    Str,
    StrictSchema,
    Table,
    check_re,
)
from .vocab import ROLES

NATIONAL = "national"

NAT_RULE_ID_RE = r"^NAT-[A-Z]{2,5}-[0-9A-Za-z][0-9A-Za-z.\-]*$"

BASES: dict[str, str] = {
    "text": "条文已读",
    "default": "法律未规定，平台默认",
    "unverified": "未能核实原文",
}

# What a region may do with a national value.
REGIONAL_MODES: dict[str, str] = {
    "fixed": "由法律规定，地区不得变更",
    "at_least": "地区可以延长或提高，不得低于法律",
    "at_most": "地区可以缩短或降低，不得高于法律",
    "extend": "地区可以增加事项，不得删除",
    "open": "法律许可地区另行规定",
}

UNITS: dict[str, str] = {
    "days": "日",
    "workdays": "个工作日",
    "years": "年",
    "months": "个月",
    "yuan": "元",
    "persons": "人",
    "fine_share": "罚款数额的",
    "obligation": "",
    "role": "",  # a staff role of policies.vocab.ROLES (issue 15: who approves deferral)
}
INT_UNITS = ("days", "workdays", "months", "years", "yuan", "persons")
OBLIGATIONS: tuple[str, ...] = ("may", "shall")  # ordered: 可以 < 应当
OBLIGATION_ZH = {"may": "可以", "shall": "应当"}


class LawValue(fields.Field):
    """A national value: a boolean, a number, a string or a list of strings (nothing else)."""

    default_error_messages = {
        "invalid": "应为 true/false、数字、字符串或字符串列表 (bool, number, string or list)"
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Any:
        if isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            if len(set(value)) != len(value):
                raise ValidationError("列表中有重复的事项 (duplicate item)")
            return list(value)
        raise self.make_error("invalid")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "str"
    return "list"


def fmt(value: Any, unit: str | None) -> str:
    """A value as a Chinese phrase: ``5`` workdays -> ``5个工作日``, 0.03 -> ``罚款数额的3%``."""
    if unit == "fine_share" and isinstance(value, int | float):
        return f"罚款数额的{value * 100:g}%"
    if unit == "obligation":
        return f"“{OBLIGATION_ZH.get(value, value)}”"
    if unit == "role":
        return ROLES.get(value, value) if isinstance(value, str) else f"{value}"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value) if value else "（无）"
    if unit:
        return f"{value:g}{UNITS[unit]}" if isinstance(value, int | float) else f"{value}"
    return f"{value}"


def value_problem(rule: Mapping[str, Any], value: Any) -> str | None:
    """Why ``value`` does not fit the rule's unit (shape only), or None."""
    unit = rule.get("unit") or None
    if unit in INT_UNITS and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        return "应为不小于 0 的整数 (a non-negative integer)"
    if unit == "fine_share" and (
        not isinstance(value, int | float) or isinstance(value, bool) or value < 0
    ):
        return "应为不小于 0 的数字（罚款数额的倍数，0.03 = 3%）(a non-negative number)"
    if unit == "role" and (value not in ROLES or value in ("superadmin", "enterprise")):
        return "应为本单位工作人员的角色编号，如 principal_head（主要负责人）(a staff role)"
    if unit == "obligation" and value not in OBLIGATIONS:
        return "应为 may（可以）或 shall（应当）"
    return None


def _order(value: Any, unit: str | None) -> Any:
    return OBLIGATIONS.index(value) if unit == "obligation" else value


def law_conflict(rule: Mapping[str, Any], value: Any, national: Any) -> str | None:
    """Why ``value`` contradicts the law's ``national`` value for ``rule`` (a Chinese sentence
    naming the law's value and its source), or None. The shape is checked first."""
    if _kind(value) != _kind(national):
        return f"类型应与法律值一致：法律规定为{fmt(national, rule.get('unit'))} (same type as the law)"
    if shape := value_problem(rule, value):
        return shape
    unit, mode = rule.get("unit") or None, rule["regional"]
    title, source = rule.get("title", ""), rule.get("source", "")
    law = fmt(national, unit)
    if mode == "fixed" and value != national:
        return f"{title}由法律规定为{law}，地区不得变更（{source}）(fixed by law)"
    if mode == "at_least" and _order(value, unit) < _order(national, unit):
        return (
            f"{title}不得少于法律规定的{law}（{source}）：地区只能延长或提高，不得与法律相抵触"
            " (may not be below the law)"
        )
    if mode == "at_most" and _order(value, unit) > _order(national, unit):
        return (
            f"{title}不得超过法律规定的{law}（{source}）：地区只能缩短或降低，不得与法律相抵触"
            " (may not exceed the law)"
        )
    if mode == "extend":
        missing = [x for x in national if x not in value]
        if missing:
            return (
                f"{title}不得删除法律规定的事项：{'、'.join(missing)}（{source}）；地区只能增加"
                " (may only add items)"
            )
    return None


def _optional(*validators: Any) -> fields.String:
    """An optional string that stays absent when not given (no empty default)."""
    return fields.String(
        required=False,
        validate=list(validators),
        error_messages={"invalid": "应为字符串 (not a string)"},
    )


class NationalMetaSchema(StrictSchema):
    id = Str(validate=validate.Equal(NATIONAL, error=f"国家法律层的编号应为“{NATIONAL}”"))
    name = Str()
    version = Str()
    level = Name((NATIONAL,), "层级")
    effective_from = Date()
    note = Str(required=False)


class LawSchema(StrictSchema):
    title = Str()
    revision = Str()
    effective_from = Date()
    text_read = Bool()
    note = Str(required=False)


class RuleSchema(StrictSchema):
    rule_id = Str(
        validate=validate.Regexp(
            NAT_RULE_ID_RE,
            error="国家层规则编号格式应为“NAT-法规代号-条款”，如 NAT-APL-33.1 (bad rule id)",
        )
    )
    act = Str()  # a key of ``laws``
    source = Str()  # the article, in Chinese: 行政处罚法第三十三条第一款
    basis = Name(BASES, "依据")
    title = Str()
    quote = Str(required=False)  # the article's key sentence (empty when not read)
    value = LawValue(
        required=True, error_messages={"required": "缺少必填项 (missing required key)"}
    )
    unit = _optional(OneOf(UNITS, "单位"))
    regional = Name(REGIONAL_MODES, "地区权限")
    extended_at = _optional()  # the regional list where an ``extend`` rule is extended
    note = Str(required=False)
    # Added by the loader in an effective pack:
    national_value = LawValue(required=False)
    set_by = _optional()
    region_note = _optional()

    @validates_schema
    def _shape(self, data: dict[str, Any], **kw: Any) -> None:
        errors: dict[str, list[str]] = {}
        value, mode, unit = data["value"], data["regional"], data.get("unit") or None
        if problem := value_problem(data, value):
            errors["value"] = [problem]
        if mode in ("at_least", "at_most") and unit is None:
            errors["unit"] = [f"{mode} 需要单位（可比较的数值）(needs a unit)"]
        if mode == "extend" and not isinstance(value, list):
            errors["value"] = ["extend 的值应为事项列表 (extend needs a list)"]
        if data.get("extended_at") and mode != "extend":
            errors["extended_at"] = ["只有 extend 可以指定 extended_at"]
        if data.get("set_by") and not check_re(data["set_by"], KEY_RE):
            errors["set_by"] = ["应为包编号 (a pack id)"]
        if (
            not errors
            and "national_value" in data
            and (conflict := law_conflict(data, value, data["national_value"]))
        ):
            errors["value"] = [conflict]
        if errors:
            raise ValidationError(errors)


class NationalSchema(StrictSchema):
    """The national pack file, and the ``national`` section of an effective regional pack."""

    meta = Nested(NationalMetaSchema)
    laws = Table(Nested(LawSchema), min_len=1)
    rules = Table(Table(Nested(RuleSchema), min_len=1), min_len=1)

    @validates_schema
    def _acts_known(self, data: dict[str, Any], **kw: Any) -> None:
        laws = data["laws"]
        bad = {
            topic: {name: {"act": [f"未知的法规代号（应为 {', '.join(sorted(laws))} 之一）"]}}
            for topic, items in data["rules"].items()
            for name, rule in items.items()
            if rule["act"] not in laws
        }
        if bad:
            raise ValidationError({"rules": bad})


def rules_of(section: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``"topic.item"`` -> rule, for every rule of a national section."""
    return {
        f"{topic}.{name}": rule
        for topic, items in (section.get("rules") or {}).items()
        for name, rule in items.items()
    }


def _at(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data


def _nested(path: str, message: str) -> dict[str, Any]:
    out: Any = [message]
    for part in reversed(path.split(".")):
        out = {part: out}
    return dict(out)


def extension_errors(pack: Mapping[str, Any]) -> dict[str, Any]:
    """An ``extend`` rule with ``extended_at`` is extended in the regional list at that path: the
    list must keep every national item (a city override can add, never drop). Nested errors."""
    section = pack.get(NATIONAL)
    if not section:
        return {}
    for rule in rules_of(section).values():
        where = rule.get("extended_at")
        if not where:
            continue
        have = _at(pack, where)
        national = rule.get("national_value", rule["value"])
        if have is None and not national:
            continue
        if not isinstance(have, list):
            return _nested(where, f"应为列表，扩展国家法律层的“{rule['title']}”")
        if conflict := law_conflict(rule, have, national):
            return _nested(where, conflict)
    return {}

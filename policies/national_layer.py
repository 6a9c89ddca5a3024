"""The national layer under every regional pack (issue 14).

``policies/national/pack.toml`` holds national law (行政处罚法 2021, 生态环境行政处罚办法 2023):
rules with their source article, value, and what a region may do with the value (``regional``:
fixed, at_least, at_most, extend, open). ``inherit`` puts it under a regional pack as the section
``national``: every rule gets ``national_value`` (the law's) and ``set_by`` (``national``, or the
region's pack id where the region set its own value). A region sets a value in its own pack.toml
at the same path, ``[national.rules.<topic>.<item>] value = …`` (and ``note``), and only as far as
the mode allows: a hearing window shorter than the law's or a surcharge cap above the fine is
refused with a ``PackError`` naming the key. An ``extend`` rule with ``extended_at`` (the
minor-violation list) is extended in that regional list, which always keeps the national items.

The core asks ``national_rule(pack, "hearing.request_days")`` (a ``Decision``); the loader
(``policies.loader``) reads the file and calls ``inherit``, so the app gets the layer with every
regional pack it loads.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import ValidationError

from .decision import Decision
from .errors import PackError
from .schema import flatten_errors
from .schema_national import (
    BASES,
    NATIONAL,
    REGIONAL_MODES,
    NationalSchema,
    fmt,
    law_conflict,
    rules_of,
)

NATIONAL_LABEL = "国家法律层"
# What a region may write for a national rule in its own pack.toml.
REGION_SETTABLE = ("value", "note")

__all__ = [
    "NATIONAL",
    "NATIONAL_LABEL",
    "adjustable",
    "inherit",
    "national_rule",
    "pack_chain",
    "validate_national",
]


def validate_national(data: Any) -> dict[str, Any]:
    """The validated national pack; each rule gains ``national_value`` and ``set_by = national``.

    Raises ``PackError`` (dotted key path -> reason) like ``validate_pack``.
    """
    if not isinstance(data, dict):
        raise PackError({"(root)": "国家法律层应为表 (must be a table)"})
    try:
        section: dict[str, Any] = NationalSchema().load(data)
    except ValidationError as exc:
        raise PackError(flatten_errors(exc.messages)) from None
    errors = {
        f"rules.{key}.{name}": "国家法律包只写法律的值；该键由加载时生成 (set by the loader)"
        for key, rule in rules_of(section).items()
        for name in ("national_value", "set_by", "region_note")
        if name in rule
    }
    if errors:
        raise PackError(errors)
    for rule in rules_of(section).values():
        rule["national_value"] = copy.deepcopy(rule["value"])
        rule["set_by"] = NATIONAL
    return section


def adjustable(section: Mapping[str, Any]) -> dict[str, str]:
    """``"topic.item"`` -> mode, for every national rule a region may act on (mode not fixed)."""
    return {
        key: rule["regional"]
        for key, rule in rules_of(section).items()
        if rule["regional"] != "fixed"
    }


def _apply_region(own: Any, rules: dict[str, dict[str, Any]], region_id: str) -> dict[str, str]:
    """Set the region's values on ``rules`` (in place); errors by dotted path."""
    if not isinstance(own, Mapping):
        return {NATIONAL: "应为表 (not a table)"}
    errors: dict[str, str] = {}
    for key in own:
        if key != "rules":
            errors[f"{NATIONAL}.{key}"] = (
                f"国家法律层的 {key} 由国家法律包固定；地区只能在 {NATIONAL}.rules 下为法律许可的项"
                "设置 value、note (fixed by the national pack)"
            )
    table = own.get("rules", {})
    if not isinstance(table, Mapping):
        return {**errors, f"{NATIONAL}.rules": "应为表 (not a table)"}
    for topic, items in table.items():
        if not isinstance(items, Mapping):
            errors[f"{NATIONAL}.rules.{topic}"] = "应为表 (not a table)"
            continue
        for name, adj in items.items():
            path = f"{NATIONAL}.rules.{topic}.{name}"
            rule = rules.get(f"{topic}.{name}")
            if rule is None:
                errors[path] = "国家法律层没有该项 (no such national rule)"
                continue
            if not isinstance(adj, Mapping):
                errors[path] = "应为表 (not a table)"
                continue
            errors.update(_apply_one(path, rule, adj, region_id))
    return errors


def _apply_one(
    path: str, rule: dict[str, Any], adj: Mapping[str, Any], region_id: str
) -> dict[str, str]:
    errors = {
        f"{path}.{key}": (
            "地区只能设置 value 与 note：规则编号、来源、法律值与地区权限由国家法律包固定"
            " (only value and note)"
        )
        for key in adj
        if key not in REGION_SETTABLE
    }
    if "note" in adj:
        if isinstance(adj["note"], str):
            rule["region_note"] = adj["note"]
        else:
            errors[f"{path}.note"] = "应为字符串 (not a string)"
    if "value" not in adj:
        return errors
    value, national = adj["value"], rule["national_value"]
    if rule.get("extended_at"):
        errors[f"{path}.value"] = (
            f"{rule['title']}在 {rule['extended_at']} 中扩展：请在那里增加事项"
            f" (extended at {rule['extended_at']})"
        )
        return errors
    if rule["regional"] == "extend" and isinstance(value, list):
        value = [*national, *(x for x in value if x not in national)]
    if problem := law_conflict(rule, value, national):
        errors[f"{path}.value"] = problem
    elif value != national:
        rule["value"] = copy.deepcopy(value)
        rule["set_by"] = region_id
    return errors


def _extend_lists(data: dict[str, Any], rules: Iterable[Mapping[str, Any]]) -> None:
    """Put the national items first in each regional list that extends a national one."""
    for rule in rules:
        where, national = rule.get("extended_at"), rule["national_value"]
        if not where or not national:
            continue
        *parents, last = where.split(".")
        holder: Any = data
        for part in parents:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if not isinstance(holder, dict):
            continue  # the section is missing: the schema names it
        have = holder.get(last, [])
        if isinstance(have, list):
            holder[last] = [*national, *(x for x in have if x not in national)]


def inherit(data: Any, national: Mapping[str, Any], region_id: str) -> Any:
    """A regional pack's data (TOML-loaded, not yet validated) with the national layer under it.

    ``national`` is ``validate_national``'s result. The region's own ``national`` table (values
    for national rules) is applied within each rule's mode; anything else there, or a value that
    contradicts the law, raises ``PackError`` naming the key. ``meta.version`` gains the national
    version (``sx-2025.2+nat-2023.1``) so that every stored decision names both.
    """
    if not isinstance(data, dict):
        return data  # validate_pack refuses it with its own message
    out = copy.deepcopy(data)
    section = copy.deepcopy(dict(national))
    rules = rules_of(section)
    own = out.pop(NATIONAL, None)
    if own is not None and (errors := _apply_region(own, rules, region_id)):
        raise PackError(errors)
    _extend_lists(out, rules.values())
    out[NATIONAL] = section
    meta = out.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("version"), str):
        meta["version"] = f"{meta['version']}+{section['meta']['version']}"
    return out


def pack_chain(
    pack: Mapping[str, Any], national_label: str = NATIONAL_LABEL, region_label: str = "政策包"
) -> list[tuple[str, Mapping[str, Any]]]:
    """The two layers of an effective pack for ``overrides.explain_sources``: the national layer,
    then the region (every other section, and the national values the region set). Put the
    tenant layers after them and each leaf names the layer that set it."""
    section = pack.get(NATIONAL)
    if not section:
        return [(region_label, pack)]
    region: dict[str, Any] = {k: v for k, v in pack.items() if k != NATIONAL}
    adjusted: dict[str, dict[str, Any]] = {}
    for topic, items in section["rules"].items():
        for name, rule in items.items():
            mine = {k: rule[k] for k in ("value", "set_by", "region_note") if k in rule}
            if rule.get("set_by", NATIONAL) != NATIONAL or "region_note" in rule:
                adjusted.setdefault(topic, {})[name] = mine
    if adjusted:
        region[NATIONAL] = {"rules": adjusted}
    return [(national_label, {NATIONAL: section}), (region_label, region)]


def national_rule(pack: Mapping[str, Any], key: str, version: str | int | None = None) -> Decision:
    """The national rule ``"topic.item"`` of an effective pack: ``answer`` is its value, with the
    rule id, the source article, who set it and (``details``) the law's own value and the mode.
    An unknown key answers None."""
    section = pack.get(NATIONAL) or {}
    rule = rules_of(section).get(key)
    if rule is None:
        return Decision(None, "", {"key": key}, version, f"国家法律层没有“{key}”。")
    unit = rule.get("unit") or None
    national = rule.get("national_value", rule["value"])
    set_by = rule.get("set_by") or NATIONAL
    text = f"{rule['rule_id']}：{rule['title']}为{fmt(rule['value'], unit)}（{rule['source']}）"
    if set_by != NATIONAL:
        text += f"；由 {set_by} 在法律规定的{fmt(national, unit)}基础上规定"
    if rule["basis"] == "unverified":
        text += "；该值未能核实原文，须按原文核对"
    law = section["laws"][rule["act"]]
    return Decision(
        rule["value"],
        rule["rule_id"],
        {"key": key},
        version,
        text + "。",
        details={
            "source": rule["source"],
            "quote": rule.get("quote", ""),
            "law": law["title"],
            "basis": rule["basis"],
            "basis_title": BASES[rule["basis"]],
            "unit": unit,
            "regional": rule["regional"],
            "regional_title": REGIONAL_MODES[rule["regional"]],
            "national_value": national,
            "set_by": set_by,
            "region_note": rule.get("region_note", ""),
        },
    )

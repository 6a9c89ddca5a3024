"""Discretion (SX-11/12/13, XJ-T/H), hook registry, and a third province as just data."""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from policies import (
    REGISTRY,
    DuplicateHookError,
    EnterpriseFacts,
    HookRegistry,
    PackError,
    Policy,
    Record,
    load_pack,
    validate_pack,
)
from policies.conditions import ConditionKind
from policies.schema_fields import Str
from tenant_app.calendar import WorkCalendar

XJ = Policy(load_pack("xinjiang"), "xj-v1", calendar=WorkCalendar())
SX = Policy(load_pack("shanxi"), "sx-v1", calendar=WorkCalendar())


def test_SX_13_first_and_minor_not_penalised_with_correction() -> None:
    d = SX.penalty_treatment({"first_violation", "minor_harm", "corrected_promptly"})
    assert d.answer == "no_penalty" and d.rule_id == "SX-13"
    assert d.details["consequences"] == ["order_correction", "education"]  # SX-14


def test_SX_11_serious_violation_heavier_and_more_frequent() -> None:
    d = SX.penalty_treatment(
        {"first_violation", "minor_harm", "corrected_promptly", "secret_discharge"}
    )
    assert (
        d.answer == "heavier"
        and d.rule_id == "SX-11"
        and "raise_frequency" in d.details["consequences"]
    )


def test_SX_12_benchmark_by_default_with_instalments() -> None:
    d = SX.penalty_treatment(set())
    assert d.answer == "standard" and d.rule_id == "SX-12" and "分期缴纳" in d.explanation


def test_XJ_T_error_tolerance_needs_exemption_list_and_the_positive_list() -> None:
    flags = {"listed", "non_intentional", "self_reported", "promptly_eliminated"}
    assert XJ.penalty_treatment(flags).answer == "standard"
    d = XJ.penalty_treatment(flags | {"on_exemption_list"})
    assert d.answer == "no_or_reduced" and d.rule_id == "XJ-T"
    # 正面清单企业: not for an enterprise off the positive list (tests/cases/test_case_error_tolerance.py)
    off_list = XJ.penalty_treatment((flags - {"listed"}) | {"on_exemption_list"})
    assert off_list.answer == "standard"


def test_XJ_H_malice_heavier_removal_special_supervision() -> None:
    d = XJ.penalty_treatment({"listed", "malicious"})
    assert d.answer == "heavier" and d.rule_id == "XJ-H"
    assert {"removal", "special_supervision_object", "disclosure"} <= set(d.details["consequences"])


def test_XJ_H_is_for_positive_list_enterprises_only() -> None:
    """XJ-H: "正面清单企业或项目……恶意违法" — off the list, XJ-H does not apply."""
    assert XJ.penalty_treatment({"malicious"}).rule_id != "XJ-H"
    assert XJ.penalty_treatment({"unreported_exceedance"}).rule_id != "XJ-H"


def test_two_hooks_claiming_the_same_name_fail_loudly() -> None:
    reg = HookRegistry()
    reg.register("condition", "x", object())
    with pytest.raises(DuplicateHookError):
        reg.register("condition", "x", object())
    # A pack's registry can add kinds but never replace a built-in one.
    with pytest.raises(DuplicateHookError):
        REGISTRY.child().register("condition", "no_records_within", object())


class HasTag(ConditionKind):
    """A third province's own condition kind (what its rules.py would register)."""

    name = "has_tag"

    class Params(ConditionKind.Params):
        tag = Str()

    def evaluate(self, params: dict[str, Any], facts: EnterpriseFacts, on: date, cal: Any) -> Any:
        return params["tag"] in facts.tags, f"标签 {params['tag']}", ()


def third_province() -> dict[str, Any]:
    """A third province reusing the built-in kinds with other parameters, plus one own kind."""
    pack = copy.deepcopy(load_pack("xinjiang"))
    pack["meta"].update(id="third", name="第三省", division_code="990000")
    c1 = pack["screening"]["conditions"]["C1"]
    c1.update(rule_id="TP-1", lookback_months=24)
    pack["screening"]["conditions"] = {
        "C1": c1,
        "Z": {"rule_id": "TP-Z", "kind": "has_tag", "title": "示范企业", "tag": "model"},
    }
    return pack


def test_third_province_reuses_kinds_and_adds_a_hook() -> None:
    with pytest.raises(PackError) as exc:  # the global registry doesn't know "has_tag"
        validate_pack(third_province())
    assert "screening.conditions.Z.kind" in exc.value.errors
    reg = REGISTRY.child()
    reg.register("condition", "has_tag", HasTag)
    policy = Policy(
        validate_pack(third_province(), reg), "tp-1", hooks=reg, calendar=WorkCalendar()
    )
    facts = EnterpriseFacts(industry_code="C3011", tags=frozenset({"model"}))
    assert policy.screen(facts, date(2025, 6, 1)).answer is True
    old = replace(facts, penalties=(Record(date(2024, 1, 10)),))
    r = policy.screen(old, date(2025, 6, 1))  # 17 months ago: inside the 24-month look-back
    assert r.answer is False and r.conditions[0].rule_id == "TP-1" and r.rule_id == "XJ-C"
    assert policy.screen(replace(facts, tags=frozenset()), date(2025, 6, 1)).answer is False


def _code_strings_and_names(source: str) -> list[tuple[int, str]]:
    """Every identifier and non-docstring string literal in a module, with its line."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            out.append((node.lineno, node.value))
        elif isinstance(node, ast.Name):
            out.append((node.lineno, node.id))
        elif isinstance(node, ast.Attribute):
            out.append((node.lineno, node.attr))
    return out


def test_core_never_tests_a_region_name() -> None:
    """Region names and their rule ids live only in the packs' data, never in the core's code."""
    root = Path(__file__).resolve().parents[2] / "policies"
    pattern = re.compile(r"xinjiang|shanxi|新疆|山西|自治区|(XJ|SX)-", re.IGNORECASE)
    offenders = [
        f"{path.name}:{line}: {text!r}"
        for path in root.glob("*.py")
        for line, text in _code_strings_and_names(path.read_text(encoding="utf-8"))
        if pattern.search(text)
    ]
    assert offenders == []

"""Issue 18 item 4 for inspections: every rule id the inspection work cites comes from the
tenant's pack. A Xinjiang refusal never cites a Shanxi rule (the issue: a Xinjiang campaign error
cited "SX-4", every draw recorded "SX-3"), Shanxi keeps its ids, and the code and templates of
the feature hold no region rule-id literal."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from policies import Policy, load_pack
from tenant_app.calendar import WorkCalendar
from tenant_app.core.errors import ServiceError
from tenant_app.inspections.services import campaigns
from tenant_app.inspections.services.checks import preview
from tenant_app.tenancy.acting import scope_context

from .conftest import acting, future, make_enterprise, officer_ids

ROOT = Path(__file__).resolve().parents[2]
REGION_RULE = re.compile(r"\b(SX|XJ)-[A-Z0-9]+")
SX = Policy(load_pack("shanxi"), "sx", calendar=WorkCalendar())
XJ = Policy(load_pack("xinjiang"), "xj", calendar=WorkCalendar())

pytestmark = pytest.mark.date_sensitive


def test_the_policy_names_the_inspection_rules_of_its_own_region() -> None:
    assert SX.inspection_plan_defaults().rule_id == "SX-3"
    assert XJ.inspection_plan_defaults().rule_id == "XJ-S"
    assert SX.inspection_plan_defaults().answer["ratios"]["key"] == 0.2
    city = SX.approval_by_level("city")
    assert city.rule_id == "SX-5" and "agency_head" in city.answer and city.details["title"]
    assert XJ.approval_by_level("county").answer == ["agency_head"]
    assert SX.listed_supervision().rule_id == "SX-9"
    assert XJ.listed_supervision().rule_id == "XJ-S"
    assert SX.obligation("joint_inspection").rule_id == "SX-3"
    assert SX.obligation("non_site").rule_id == "SX-8"
    assert XJ.obligation("joint_inspection").rule_id == ""  # no 综合一次查 in the Xinjiang text
    assert XJ.obligation("non_site").answer is None
    assert SX.feedback_workdays() is None and XJ.feedback_workdays() is None


def test_a_xinjiang_refusal_cites_no_shanxi_rule(world: dict[str, object]) -> None:
    e = make_enterprise("xj-urumqi")
    officers = officer_ids("urumqi-officer1", "urumqi-officer2")
    base = {
        "title": "水泥专项",
        "content": "检查除尘设施",
        "start_date": future(3, 1).isoformat(),
        "end_date": future(3, 31).isoformat(),
    }
    with acting("urumqi-officer1", "xj-urumqi"):
        with pytest.raises(ServiceError) as exc:
            campaigns.create_campaign(scope_context(), {**base, "scope": {}})
        assert "全覆盖" in exc.value.errors["scope"][0]
        assert not REGION_RULE.search(str(exc.value.errors))
        report = preview(
            scope_context(),
            {
                "enterprise_id": e.id,
                "mode": "off_site",
                "trigger": "data_lead",
                "planned_date": future(3, 10).isoformat(),
                "officer_ids": officers,
            },
        )
        source = next(c for c in report.checks if c.key == "data_source")
        assert source.rule_ids == [] and "数据来源" in source.text
        assert not any(r.startswith("SX-") for r in report.rule_ids)


def _code_strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_the_inspection_feature_holds_no_region_rule_id() -> None:
    """Comments and docstrings cite rule ids (wanted); code and templates take them from the pack."""
    feature = ROOT / "tenant_app" / "inspections"
    models = [ROOT / "tenant_app" / "models" / name for name in ("inspection.py", "visit.py")]
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in [*feature.rglob("*.py"), *models]
        for line, text in _code_strings(path)
        if REGION_RULE.search(text)
    ]
    offenders += [
        f"{path.relative_to(ROOT)}:{n}"
        for path in feature.rglob("*.html")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if REGION_RULE.search(line)
    ]
    assert offenders == []

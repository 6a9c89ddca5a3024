"""XJ-T 容错纠错 (issue 14 item 4) is a positive-list rule: "正面清单企业或项目……可以不予行政处罚或
减轻行政处罚" (xinjiang-positive-list-rules.txt, 四（四）2). It applies only to an enterprise on
the positive list on the day of the proposal and only when one of its three condition sets holds
together with the 免予处罚事项清单; the proposal says which set matched and which facts it used,
and for an enterprise not listed it says why XJ-T does not apply."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from policies import Policy, load_pack
from tenant_app.calendar import WorkCalendar
from tests.cases.test_case_consequences import _listed

from .conftest import Desk, make_enterprise

# First violation, minor harm, corrected promptly, an item of the 2022 exemption list.
SECOND_SET = {
    "harm": "minor",
    "correction": "promptly",
    "history": "first",
    "exemption_list": "listed_item",
}


def test_XJ_T_policy_needs_the_positive_list_and_names_the_condition_set() -> None:
    xj = Policy(load_pack("xinjiang"), "xj-v1", calendar=WorkCalendar())
    facts = {"first_violation", "minor_harm", "corrected_promptly", "on_exemption_list"}
    assert xj.penalty_treatment(facts).answer == "standard"  # not listed
    d = xj.penalty_treatment(facts | {"listed"})
    assert (d.answer, d.rule_id) == ("no_or_reduced", "XJ-T")
    assert d.facts["matched"] == {
        "treatment": "error_tolerance",
        "flags": [
            "listed",
            "first_violation",
            "minor_harm",
            "corrected_promptly",
            "on_exemption_list",
        ],
        "set": 2,
        "sets": 3,
    }
    assert "符合第2组条件，共3组" in d.explanation and "正面清单企业" in d.explanation
    # Listed, but not an item of the exemption list: no tolerance.
    no_item = xj.penalty_treatment(
        {"listed", "first_violation", "minor_harm", "corrected_promptly"}
    )
    assert no_item.answer == "standard"
    # Third set: risk reported and handled, no harm.
    third = xj.penalty_treatment(
        {"listed", "risk_reported_handled", "no_harm", "on_exemption_list"}
    )
    assert third.answer == "no_or_reduced" and third.facts["matched"]["set"] == 3


@pytest.mark.today("2026-07-03")
def test_XJ_T_listed_enterprise_gets_no_or_reduced_penalty_explained(
    client: Any, world: Any
) -> None:
    d = Desk(client, "xj-urumqi")
    e = make_enterprise("xj-urumqi", name="乌鲁木齐正面清单企业")
    _listed("xj-urumqi", e, date(2026, 1, 15))
    case = d.open_case(e.id)
    p = d.add_violation(case["id"], "air_dust_materials", SECOND_SET)["proposal"]
    assert p["treatment"] == "no_or_reduced" and p["treatment_rule_id"] == "XJ-T"
    assert p["listed"] and "listed" in p["flags"]
    assert p["treatment_matched"]["set"] == 2
    assert p["outcome"] == "no_penalty" and p["allowed"] == ["no_penalty", "fine"]
    text = "\n".join(p["lines"])
    assert "XJ-T" in text and "符合第2组条件" in text
    assert "正面清单企业、初次违法、危害后果轻微、及时改正" in text
    assert "仅适用于正面清单企业" not in text
    # The page shows the same reasoning.
    from ..helpers import login

    c = client.application.test_client()
    assert login(c, "xj-urumqi", "urumqi-officer1").status_code == 302
    html = c.get(f"/xj-urumqi/cases/{case['id']}/").get_data(as_text=True)
    assert "符合第2组条件" in html and "免予处罚事项清单" in html


@pytest.mark.today("2026-07-03")
def test_XJ_T_not_for_an_enterprise_off_the_list_or_before_its_listing(
    client: Any, world: Any
) -> None:
    d = Desk(client, "xj-urumqi")
    never = make_enterprise("xj-urumqi", name="未入清单企业")
    later = make_enterprise("xj-urumqi", name="下月才入清单企业")
    _listed("xj-urumqi", later, date(2026, 8, 1))  # listed after the proposal's day
    for e in (never, later):
        case = d.open_case(e.id)
        p = d.add_violation(case["id"], "air_dust_materials", SECOND_SET)["proposal"]
        assert p["treatment"] == "standard" and not p["listed"], e.name
        assert "listed" not in p["flags"] and p["treatment_matched"] is None
        text = "\n".join(p["lines"])
        assert "XJ-T" in text and "仅适用于正面清单企业" in text, text
        assert "XJ-T" in p["rule_ids"]
    # Listed, but the conduct is not an item of the exemption list: no tolerance and no
    # "only for listed enterprises" line (the list is what is missing).
    listed = make_enterprise("xj-urumqi", name="清单企业非清单事项")
    _listed("xj-urumqi", listed, date(2026, 1, 15))
    case = d.open_case(listed.id)
    p = d.add_violation(
        case["id"], "air_dust_materials", {**SECOND_SET, "exemption_list": "not_listed"}
    )["proposal"]
    assert p["treatment"] == "standard" and p["listed"]
    assert "仅适用于正面清单企业" not in "\n".join(p["lines"])

"""Issue 14 (cases, first slice): each rule with the real dates it is about, through the API.

Calendar facts used below (chinese-calendar 2026): National Day and Mid-Autumn holidays run
2026-10-01 to 2026-10-07; Saturday 2026-10-10 is a make-up working day; 2026-11-07 is a
Saturday. 行政处罚法第八十五条 makes the law's "五日", "七日" working days.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.models import AuditEntry
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from .conftest import Desk, make_enterprise
from .test_case_consequences import _listed

MINOR_FIRST_CORRECTED = {"harm": "minor", "correction": "promptly", "history": "first"}
ORDINARY = {"harm": "general", "correction": "when_ordered", "history": "first"}


def _penalty(v: dict[str, Any], outcome: str, fine: int | None = None, **kw: Any) -> dict[str, Any]:
    return {"violation_id": v["id"], "outcome": outcome, "fine": fine, **kw}


def _decide(d: Desk, case_id: int, penalties: list[dict[str, Any]], **kw: Any) -> Any:
    body = {"penalties": penalties, "correction_order": "立即改正违法行为", **kw}
    return d.post(f"/cases/{case_id}/decision", body, d.head)


def _actions(case_id: int) -> list[str]:
    with use_scope(system_scope()):
        return list(
            db.session.execute(
                select(AuditEntry.action)
                .where(AuditEntry.object_type == "case", AuditEntry.object_id == str(case_id))
                .order_by(AuditEntry.id)
            ).scalars()
        )


@pytest.mark.today("2026-07-03")
def test_SX_13_minor_first_violation_corrected_no_penalty_with_education_and_correction(
    client: Any, world: Any, travel: Any
) -> None:
    """SX-13 / NAT-APL-33.1-first: a first violation (an outlet not set up as required, 大气污染
    防治法第一百条第（五）项), harm minor, corrected promptly → the proposal is no penalty, citing
    SX-13 and 第三十三条; the decision needs the education record (第三十三条第三款) and a
    correction order (第二十八条): 免罚不免责."""
    d = Desk(client, "sx-taiyuan")
    e = make_enterprise("sx-taiyuan")
    case = d.open_case(e.id)
    v = d.add_violation(case["id"], "air_outlet", MINOR_FIRST_CORRECTED)
    p = v["proposal"]
    assert p["outcome"] == "no_penalty" and p["allowed"] == ["no_penalty"]
    assert {"SX-13", "NAT-APL-33.1-first", "NAT-APL-33.3", "NAT-APL-28.1"} <= set(p["rule_ids"])
    assert p["requires"] == ["correction_order", "education"]
    assert any(line.startswith("SX-13：") for line in p["lines"])
    assert d.notify(case["id"], [_penalty(v, "no_penalty")]).status_code == 200
    # 2026-07-03 is a Friday: five working days end on Friday 2026-07-10.
    assert d.get(f"/cases/{case['id']}").get_json()["statement_due"] == "2026-07-10"

    travel("2026-07-13")
    no_education = _decide(d, case["id"], [_penalty(v, "no_penalty")])
    assert no_education.status_code == 422
    assert no_education.get_json()["errors"]["rule_ids"] == ["NAT-APL-33.3"]
    no_correction = _decide(
        d, case["id"], [_penalty(v, "no_penalty")], correction_order="", education_record="当面教育"
    )
    assert no_correction.status_code == 422
    assert no_correction.get_json()["errors"]["rule_ids"] == ["NAT-APL-28.1"]
    done = _decide(
        d,
        case["id"],
        [_penalty(v, "no_penalty")],
        education_record="2026-07-13 当面宣讲大气污染防治法第二十条，企业负责人签字确认",
        correction_days=5,
    )
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["stage"] == "decided" and body["total_fine"] == 0
    assert body["violations"][0]["outcome"] == "no_penalty"
    assert body["correction_order"] and body["education_record"]
    # SX-14/15: decided 2026-07-13 (Mon), 5 working days (Shanxi's unit) → 2026-07-20.
    assert body["correction_due"] == "2026-07-20"
    assert "case.decided" in _actions(case["id"])


@pytest.mark.today("2026-07-03")
def test_NAT_APL_33_1_minor_no_harm_corrected_is_no_penalty_in_xinjiang_too(
    client: Any, world: Any
) -> None:
    """第三十三条第一款 is national (fixed): minor, corrected in time and no harmful
    consequences → no penalty in Xinjiang as well, although XJ-T alone would need the
    exemption list."""
    d = Desk(client, "xj-urumqi")
    e = make_enterprise("xj-urumqi")
    case = d.open_case(e.id)
    v = d.add_violation(
        case["id"],
        "air_dust_materials",
        {"harm": "none", "correction": "promptly", "history": "repeat"},
    )
    p = v["proposal"]
    assert p["outcome"] == "no_penalty" and p["no_penalty"] == "shall"
    assert "NAT-APL-33.1" in p["rule_ids"] and "XJ-T" in p["rule_ids"]


@pytest.mark.today("2026-07-03")
def test_SX_12_decision_outside_the_proposal_needs_a_reason_and_goes_to_legal_review(
    client: Any, world: Any, travel: Any
) -> None:
    """SX-12 (类案同罚): an ordinary outlet violation proposes the "一般" grade, 74000–146000
    yuan of 第一百条's 20000–200000. Deciding 30000 without a reason is refused naming SX-12;
    with a reason the case is routed to legal review (kept), decided only after it passes."""
    d = Desk(client, "sx-taiyuan")
    e = make_enterprise("sx-taiyuan")
    case = d.open_case(e.id)
    v = d.add_violation(case["id"], "air_outlet", ORDINARY)
    p = v["proposal"]
    assert (p["outcome"], p["fine_low"], p["fine_high"], p["grade"]) == (
        "fine",
        74000,
        146000,
        "general",
    )
    assert [f["factor"] for f in p["factors"] if f["defaulted"]]  # unrecorded factors named
    assert d.notify(case["id"], [_penalty(v, "fine", 100000)]).status_code == 200
    travel("2026-07-13")
    bare = _decide(d, case["id"], [_penalty(v, "fine", 30000)])
    assert bare.status_code == 422 and bare.get_json()["errors"]["rule_ids"] == ["SX-12"]
    assert "reason" in "".join(bare.get_json()["errors"])
    routed = _decide(d, case["id"], [_penalty(v, "fine", 30000, reason="企业已停产，经济确有困难")])
    assert routed.status_code == 409, routed.get_json()
    assert routed.get_json()["code"] == "routed_to_legal_review"
    assert "SX-12" in routed.get_json()["errors"]["rule_ids"]
    now = d.get(f"/cases/{case['id']}").get_json()
    assert now["stage"] == "review" and now["review_required"]
    assert any(r["rule_id"] == "SX-12" for r in now["review_reasons"])
    # The head cannot review; the legal reviewer can, and sees the decision tried.
    assert (
        d.post(
            f"/cases/{case['id']}/review", {"verdict": "passed", "opinion": "同意"}, d.head
        ).status_code
        == 403
    )
    reviewed = d.post(
        f"/cases/{case['id']}/review",
        {"verdict": "passed", "opinion": "理由充分，同意减轻"},
        d.reviewer,
    )
    assert reviewed.status_code == 200, reviewed.get_json()
    done = _decide(d, case["id"], [_penalty(v, "fine", 30000, reason="企业已停产，经济确有困难")])
    assert done.status_code == 200, done.get_json()
    decided = done.get_json()
    assert decided["total_fine"] == 30000 and decided["violations"][0]["outside_proposal"]
    acts = _actions(case["id"])
    assert (
        acts.index("case.review_routed") < acts.index("case.reviewed") < acts.index("case.decided")
    )


@pytest.mark.today("2026-09-30")
def test_NAT_APL_64_hearing_window_counted_in_working_days_over_national_day(
    client: Any, world: Any, travel: Any
) -> None:
    """第六十四条: 告知后五日内 (working days, 第八十五条). Noticed 2026-09-30: 10-08, 10-09,
    10-10 (make-up Saturday), 10-12, 10-13 → the window ends 2026-10-13. A fine of 200000
    yuan or more is 较大数额 for an organisation (national layer, 生态环境行政处罚办法第八十九条),
    so the party may ask for a hearing; on 10-13 it may, on 10-14 it may not. The hearing is
    notified at least seven working days ahead (第六十四条第二项)."""
    d = Desk(client, "sx-taiyuan")
    e1, e2 = make_enterprise("sx-taiyuan"), make_enterprise("sx-taiyuan")
    from .conftest import make_enterprise_user

    make_enterprise_user("sx-taiyuan", e1, "hearing-co1")
    make_enterprise_user("sx-taiyuan", e2, "hearing-co2")
    from tests.helpers import bearer

    cases = []
    for e in (e1, e2):
        case = d.open_case(e.id)
        v = d.add_violation(case["id"], "air_exceeding", ORDINARY)
        assert v["proposal"]["treatment"] == "heavier"
        r = d.notify(case["id"], [_penalty(v, "fine", 800000)])
        assert r.status_code == 200 and r.get_json()["hearing_eligible"]
        assert r.get_json()["statement_due"] == "2026-10-13"
        assert "NAT-APL-64.1" in r.get_json()["deadlines"]["statement"]["explanation"]
        cases.append(case["id"])
    travel("2026-10-13")
    ok = client.post(
        f"{d.api}/my-enterprise/cases/{cases[0]}/statements",
        json={"kind": "hearing_request"},
        headers=bearer("hearing-co1"),
    )
    assert ok.status_code == 201, ok.get_json()
    travel("2026-10-14")
    late = client.post(
        f"{d.api}/my-enterprise/cases/{cases[1]}/statements",
        json={"kind": "hearing_request"},
        headers=bearer("hearing-co2"),
    )
    assert late.status_code == 409 and "NAT-APL-64.1" in late.get_json()["errors"]["rule_ids"]
    assert "2026-10-13" in late.get_json()["message"]
    # Notified on 2026-10-14, the hearing is held no earlier than 2026-10-23.
    early = d.post(
        f"/cases/{cases[0]}/hearing", {"hearing_date": "2026-10-22", "hearing_place": "市局听证室"}
    )
    assert early.status_code == 409 and early.get_json()["errors"]["rule_ids"] == ["NAT-APL-64.2"]
    assert "2026-10-23" in early.get_json()["message"]
    assert (
        d.post(
            f"/cases/{cases[0]}/hearing",
            {"hearing_date": "2026-10-23", "hearing_place": "市局听证室"},
        ).status_code
        == 200
    )
    # No decision while the requested hearing has not been held.
    refused = _decide(d, cases[0], [{"violation_id": 1, "outcome": "fine", "fine": 1}])
    assert refused.status_code == 409


@pytest.mark.today("2026-07-03")
def test_NAT_APL_60_ninety_days_from_filing_and_the_extension(
    client: Any, world: Any, travel: Any
) -> None:
    """第六十条: 立案之日起九十日内. Filed 2026-07-03, the 90th day is 2026-10-01 (National
    Day) → the limit rolls to 2026-10-08. A decision on 10-09 is refused naming NAT-APL-60; a
    case extended before its limit (30 days from 10-08 → Saturday 11-07 → Monday 11-09) may
    be decided on 10-09; an extension after the limit is refused."""
    d = Desk(client, "sx-taiyuan")
    ids = []
    for _ in range(3):
        e = make_enterprise("sx-taiyuan")
        case = d.open_case(e.id)
        assert case["limit_due"] == "2026-10-08"
        assert "顺延" in case["deadlines"]["decision_limit"]["explanation"]
        v = d.add_violation(case["id"], "air_outlet", ORDINARY)
        assert d.notify(case["id"], [_penalty(v, "fine", 100000)]).status_code == 200
        ids.append((case["id"], v))
    travel("2026-10-08")
    ext = d.post(f"/cases/{ids[1][0]}/extension", {"reason": "需补充监测"}, d.head)
    assert ext.status_code == 200, ext.get_json()
    assert ext.get_json()["limit_due"] == "2026-11-09"
    assert ext.get_json()["deadlines"]["extension"]["rule_id"] == "NAT-MEE-ext"
    travel("2026-10-09")
    late = _decide(d, ids[0][0], [_penalty(ids[0][1], "fine", 100000)])
    assert late.status_code == 409 and late.get_json()["errors"]["rule_ids"] == ["NAT-APL-60"]
    assert "2026-10-08" in late.get_json()["message"]
    assert _decide(d, ids[1][0], [_penalty(ids[1][1], "fine", 100000)]).status_code == 200
    too_late = d.post(f"/cases/{ids[2][0]}/extension", {"reason": "补充调查"}, d.head)
    assert too_late.status_code == 409 and too_late.get_json()["errors"]["rule_ids"] == [
        "NAT-APL-60"
    ]


@pytest.mark.today("2026-07-03")
def test_SX_11_serious_violation_moves_to_the_heavier_range_with_the_reason(
    client: Any, world: Any
) -> None:
    """SX-11: exceeding the standards (大气污染防治法第九十九条第（二）项, 100000–1000000) is
    a serious violation: the proposal is the heaviest grade (70–100%: 730000–1000000) with
    SX-11's reason, even with mild factors, and the case goes to collective discussion
    (第五十七条第二款, platform default)."""
    d = Desk(client, "sx-taiyuan")
    case = d.open_case(make_enterprise("sx-taiyuan").id)
    v = d.add_violation(case["id"], "air_exceeding", MINOR_FIRST_CORRECTED)
    p = v["proposal"]
    assert (p["treatment"], p["grade"], p["fine_low"], p["fine_high"]) == (
        "heavier",
        "heavier",
        730000,
        1000000,
    )
    assert p["allowed"] == ["fine"] and "SX-11" in p["rule_ids"]
    assert any(line.startswith("SX-11：") for line in p["lines"])
    assert any("不属于“违法行为轻微”" in line for line in p["lines"])
    r = d.notify(case["id"], [_penalty(v, "fine", 800000)])
    assert r.get_json()["discussion_required"]
    assert r.get_json()["discussion_reasons"][0]["rule_id"] == "NAT-APL-57.2"


@pytest.mark.today("2026-07-03")
def test_XJ_H_malice_moves_to_the_heavier_range(client: Any, world: Any) -> None:
    """XJ-H: a positive-list enterprise (listed 2026-01-15) violates maliciously (恶意违法) →
    依法从严从重处罚: the heavier grade, XJ-H cited."""
    d = Desk(client, "xj-urumqi")
    e = make_enterprise("xj-urumqi")
    _listed("xj-urumqi", e, date(2026, 1, 15))
    case = d.open_case(e.id)
    v = d.add_violation(case["id"], "water_self_monitoring", {"fault": "malicious"})
    p = v["proposal"]
    assert (p["treatment"], p["grade"], p["fine_low"], p["fine_high"]) == (
        "heavier",
        "heavier",
        146000,
        200000,
    )
    assert "XJ-H" in p["rule_ids"]


@pytest.mark.today("2026-07-03")
def test_XJ_H_does_not_reach_an_enterprise_off_the_positive_list(client: Any, world: Any) -> None:
    """XJ-H names "正面清单企业或项目": the same malice by an unlisted enterprise is weighed by the
    benchmark's fault factor (its points may still reach 从重), and the proposal says why XJ-H, its
    removal and special supervision do not apply."""
    d = Desk(client, "xj-urumqi")
    case = d.open_case(make_enterprise("xj-urumqi").id)
    v = d.add_violation(case["id"], "water_self_monitoring", {"fault": "malicious"})
    p = v["proposal"]
    assert p["treatment"] == "standard"
    xj_h = [line for line in p["lines"] if line.startswith("XJ-H：")]
    assert xj_h and "仅适用于正面清单企业" in xj_h[0] and xj_h[0].endswith("不适用。")


@pytest.mark.today("2026-07-03")
def test_each_step_refused_out_of_order_naming_its_rule(
    client: Any, world: Any, travel: Any
) -> None:
    """第四十二条 (two certified officers), 第四十四条 (no decision before the notice), 第六十二
    条 (not within the party's window), 第四十五条 (statements reviewed first; never heavier
    than noticed), roles (the officer does not decide)."""
    d = Desk(client, "sx-taiyuan")
    e = make_enterprise("sx-taiyuan")
    alone = d.post(
        "/cases", {"enterprise_id": e.id, "facts": "x", "officer_ids": d.officer_ids[:1]}
    )
    assert alone.status_code == 409 and alone.get_json()["errors"]["rule_ids"] == ["NAT-APL-42"]
    case = d.open_case(e.id)
    v = d.add_violation(case["id"], "air_outlet", ORDINARY)
    early = _decide(d, case["id"], [_penalty(v, "fine", 100000)])
    assert early.status_code == 409 and early.get_json()["errors"]["rule_ids"] == ["NAT-APL-44"]
    assert d.notify(case["id"], [_penalty(v, "fine", 100000)]).status_code == 200
    in_window = _decide(d, case["id"], [_penalty(v, "fine", 100000)])
    assert (
        in_window.status_code == 409 and "NAT-APL-62" in in_window.get_json()["errors"]["rule_ids"]
    )
    statement = d.post(
        f"/cases/{case['id']}/statements", {"kind": "statement", "content": "已整改"}
    )
    assert statement.status_code == 201
    travel("2026-07-13")
    unanswered = _decide(d, case["id"], [_penalty(v, "fine", 100000)])
    assert unanswered.status_code == 409 and unanswered.get_json()["errors"]["rule_ids"] == [
        "NAT-APL-45.1"
    ]
    sid = statement.get_json()["id"]
    assert (
        d.post(
            f"/cases/{case['id']}/statements/{sid}/answer", {"answer": "已核实整改，不改变处罚"}
        ).status_code
        == 200
    )
    heavier = _decide(d, case["id"], [_penalty(v, "fine", 120000)])
    assert heavier.status_code == 409 and heavier.get_json()["errors"]["rule_ids"] == [
        "NAT-APL-45.2"
    ]
    by_officer = d.post(
        f"/cases/{case['id']}/decision",
        {"penalties": [_penalty(v, "fine", 100000)], "correction_order": "改正"},
    )
    assert by_officer.status_code == 403
    assert _decide(d, case["id"], [_penalty(v, "fine", 100000)]).status_code == 200
    served = d.post(f"/cases/{case['id']}/service", {"method": "electronic"})
    assert served.status_code == 409 and served.get_json()["errors"]["rule_ids"] == ["NAT-APL-61.2"]
    assert d.post(f"/cases/{case['id']}/service", {"method": "in_person"}).status_code == 200
    unpaid = d.post(f"/cases/{case['id']}/close", {"note": "已整改"})
    assert unpaid.status_code == 409 and "罚款尚未缴清" in unpaid.get_json()["message"]
    paid = d.post(
        f"/cases/{case['id']}/payments",
        {"paid_on": "2026-07-13", "amount": "100000", "reference": "CR-CLOSE-1"},
    )
    assert paid.status_code == 201
    assert d.post(f"/cases/{case['id']}/close", {"note": "已整改"}).get_json()["stage"] == "closed"


@pytest.mark.today("2026-07-03")
def test_SX_12_a_citys_minor_violation_list_entry_is_cited_in_the_no_penalty_proposal(
    client: Any, world: Any
) -> None:
    """SX-12/13: 太原 extends the minor-violation list (a policy version of its own); a violation
    the officer files under that entry is proposed no penalty, citing the entry, SX-13 and the
    national list rule (第三十三条、第三十四条) — even with ordinary factors."""
    from tenant_app.policy import service as policy_service
    from tenant_app.tenancy.acting import scope_context

    from .conftest import acting

    entry = "未按照规定设置大气污染物排放口，首次被发现并于责令改正期限内改正的"
    with acting("taiyuan-admin", "sx-taiyuan"):
        policy_service.save_version(
            scope_context(),
            overrides={"discretion": {"minor_violation_list": [entry]}},
            effective_from=date(2026, 7, 3),
            comment="太原市拓展轻微违法行为不予处罚事项清单（报省厅备案）",
        )
        db.session.commit()
    d = Desk(client, "sx-taiyuan")
    case = d.open_case(make_enterprise("sx-taiyuan").id)
    unknown = d.post(
        f"/cases/{case['id']}/violations",
        {"violation_key": "air_outlet", "levels": ORDINARY, "list_entry": "清单之外的事项"},
    )
    assert unknown.status_code == 422
    v = d.add_violation(case["id"], "air_outlet", ORDINARY, list_entry=entry)
    p = v["proposal"]
    assert p["outcome"] == "no_penalty" and p["list_entry"] == entry
    assert {"SX-13", "NAT-APL-33.1-list"} <= set(p["rule_ids"])
    assert any(entry in line for line in p["lines"])

"""Issue 14 item 3 (third slice): similar cases, same penalty (类案同罚), with real dates.

太原 decides six ordinary outlet violations (大气污染防治法第一百条, 20000–200000 yuan; profile
"一般", proposal 74000–146000) on 2026-07-13 after notices of 2026-07-03. A seventh case noticed
at 74000 — inside the proposal, below the 10th percentile of the six — is flagged far (Shanxi
pack: discretion.similar, SX-12, platform default 10th–90th, at least 5 cases) on the case and in
the review step, and stays flagged once decided for oversight (so does the sixth, 140000, above
the 90th percentile of the five decided before it). The province-wide distribution
sums the tenants' aggregate rows: the province's own row counts, Xinjiang's does not.
"""

from __future__ import annotations

from typing import Any

import pytest

from tenant_app.cases.services import similar
from tenant_app.extensions import db
from tenant_app.models import CaseDecisionStat
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import login, tenant
from .conftest import Desk, make_enterprise

ORDINARY = {"harm": "general", "correction": "when_ordered", "history": "first"}
PAST = [90000, 95000, 100000, 105000, 110000, 140000]


def _open(d: Desk, fine: int) -> tuple[int, dict[str, Any]]:
    case = d.open_case(make_enterprise("sx-taiyuan").id)
    v = d.add_violation(case["id"], "air_outlet", ORDINARY)
    r = d.notify(case["id"], [{"violation_id": v["id"], "outcome": "fine", "fine": fine}])
    assert r.status_code == 200, r.get_json()
    return case["id"], v


def _decide(d: Desk, case_id: int, v: dict[str, Any], fine: int) -> Any:
    body = {
        "penalties": [{"violation_id": v["id"], "outcome": "fine", "fine": fine}],
        "correction_order": "立即改正",
    }
    return d.post(f"/cases/{case_id}/decision", body, d.head)


def _stat(slug: str, province: str, n: int) -> None:
    t, p = tenant(slug), tenant(province)
    with use_scope(system_scope(t.id)):
        db.session.add(
            CaseDecisionStat(
                tenant_id=t.id,
                province_id=p.id,
                violation_key="air_outlet",
                profile="general",
                bin=19,
                n=n,
                fine_sum=n * 199000,
                fine_min=195000,
                fine_max=199000,
            )
        )
        db.session.commit()


@pytest.mark.today("2026-07-03")
def test_SX_12_similar_cases_distribution_and_far_flag(
    client: Any, world: Any, travel: Any
) -> None:
    d = Desk(client, "sx-taiyuan")
    past = [(_open(d, fine), fine) for fine in PAST]
    outlier_id, outlier_v = _open(d, 74000)
    before = d.get(f"/cases/{outlier_id}").get_json()["similar_cases"][str(outlier_v["id"])]
    assert before["tenant"]["count"] == 0 and not before["far"]  # nothing decided yet
    travel("2026-07-13")
    for (case_id, v), fine in past:
        done = _decide(d, case_id, v, fine)
        assert done.status_code == 200, done.get_json()
    # Six decided: percentile_cont over 90000..140000 (PostgreSQL or the SQLite fallback).
    now = d.get(f"/cases/{outlier_id}").get_json()
    sc = now["similar_cases"][str(outlier_v["id"])]
    t = sc["tenant"]
    assert (sc["profile"], sc["rule_id"]) == ("general", "SX-12")
    assert (t["count"], t["min"], t["max"], t["median"]) == (6, 90000, 140000, 102500)
    assert (t["p_low"], t["p_high"]) == (92500, 125000)
    assert (t["fine"], t["rank"]) == (74000, 0)
    assert sc["far"] and sc["band"] == {"low_percentile": 10, "high_percentile": 90, "min_count": 5}
    # The province sums the aggregates: Taiyuan's six plus the province's own row; Xinjiang's
    # row is another province.
    _stat("sx", "sx", 2)
    _stat("xj", "xj", 50)
    now = d.get(f"/cases/{outlier_id}").get_json()
    prov = now["similar_cases"][str(outlier_v["id"])]["province"]
    assert (prov["count"], prov["min"], prov["max"]) == (8, 90000, 199000)
    assert prov["p_low"] <= prov["median"] <= prov["p_high"]
    # The flag is on the case page, in the review step.
    browser = client.application.test_client()
    assert login(browser, "sx-taiyuan", "taiyuan-fazhi").status_code == 302
    html = browser.get(f"/sx-taiyuan/cases/{outlier_id}/").get_data(as_text=True)
    assert 'id="similar-far"' in html and f'id="similar-{outlier_v["id"]}"' in html
    # Decided at 74000: within the proposal (no review needed), flagged far for oversight.
    done = _decide(d, outlier_id, outlier_v, 74000)
    assert done.status_code == 200, done.get_json()
    v = done.get_json()["violations"][0]
    assert v["similar_far"] and v["profile"] == "general" and not v["outside_proposal"]
    # Oversight (audit.view: the principal head here, an auditor over its subtree) lists them.
    assert d.get("/cases/far-from-similar").status_code == 403  # an officer
    listed = d.get("/cases/far-from-similar", d.head).get_json()
    assert [(x["violation_id"], x["fine"]) for x in listed] == [
        (outlier_v["id"], 74000),
        (past[5][0][1]["id"], 140000),
    ]
    assert listed[0]["similar_cases"]["far"] and listed[0]["case_id"] == outlier_id
    with use_scope(system_scope(tenant("sx-taiyuan").id)):
        # 140000, decided sixth, was far too: above the 90th percentile (108000) of the five
        # decided before it.
        assert [x.id for x in similar.far_decisions()] == [outlier_v["id"], past[5][0][1]["id"]]
        rows = db.session.query(CaseDecisionStat).filter_by(violation_key="air_outlet").all()
        assert sum(r.n for r in rows if r.tenant_id == tenant("sx-taiyuan").id) == 7


@pytest.mark.today("2026-07-03")
def test_fewer_than_min_count_flags_nothing(client: Any, world: Any, travel: Any) -> None:
    d = Desk(client, "sx-taiyuan")
    first = _open(d, 100000)
    second_id, second_v = _open(d, 74000)
    travel("2026-07-13")
    assert _decide(d, first[0], first[1], 100000).status_code == 200
    sc = d.get(f"/cases/{second_id}").get_json()["similar_cases"][str(second_v["id"])]
    assert sc["tenant"]["count"] == 1 and not sc["far"]

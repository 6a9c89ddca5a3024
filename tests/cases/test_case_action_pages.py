"""Issue 14: what was API-only now has its page form, refusing the same way — coercive measures
(SX-13: a reason why lighter means do not suffice, legal review, then only the principal head
approves), typical cases (以案释法, SX-7 with NAT-APL-50 masking) and the list of decisions far
from their similar cases (类案同罚, SX-12) for the legal reviewer and oversight."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from tenant_app.extensions import db
from tenant_app.models import CaseMeasure, CaseViolation
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import csrf_from, login, tenant
from .conftest import Desk, make_enterprise

WHY = "企业拒不停止超标排放，责令改正后仍继续排放，罚款不足以制止违法行为"
MINOR_FIRST_CORRECTED = {"harm": "minor", "correction": "promptly", "history": "first"}


def _as(client: Any, username: str, slug: str = "sx-taiyuan") -> Any:
    c = client.application.test_client()
    assert login(c, slug, username).status_code == 302
    return c


def _post(c: Any, page: str, url: str, data: dict[str, Any]) -> Any:
    token = csrf_from(c.get(page).get_data(as_text=True))
    return c.post(url, data={**data, "csrf_token": token}, follow_redirects=True)


def _measures(case_id: int) -> list[tuple[int, str, list[str]]]:
    """(id, status, rule ids) of the case's measures, read in the tenant's scope."""
    with use_scope(system_scope(tenant("sx-taiyuan").id)):
        rows = [
            (m.id, m.status, list(m.rule_ids))
            for m in db.session.execute(
                db.select(CaseMeasure).where(CaseMeasure.case_id == case_id)
            ).scalars()
        ]
        db.session.rollback()
        return rows


@pytest.mark.today("2026-07-03")
def test_SX_13_measure_pages_reason_review_and_only_the_principal_head_approves(
    client: Any, world: Any
) -> None:
    d = Desk(client, "sx-taiyuan")
    cid = d.open_case(make_enterprise("sx-taiyuan").id)["id"]
    page = f"/sx-taiyuan/cases/{cid}/"
    url = f"/sx-taiyuan/cases/{cid}/measures"
    officer = _as(client, "taiyuan-officer1")
    html = officer.get(page).get_data(as_text=True)
    assert 'id="measure-form"' in html and "SX-13" in html and "查封、扣押" in html

    # No reason: refused with the rule, nothing written.
    bare = _post(officer, page, url, {"kind": "seal_or_seize", "reason": ""})
    assert "SX-13" in bare.get_data(as_text=True) and "较轻手段" in bare.get_data(as_text=True)
    assert _measures(cid) == []
    bad_kind = _post(officer, page, url, {"kind": "shoot", "reason": WHY})
    assert "请选择措施" in bad_kind.get_data(as_text=True) and _measures(cid) == []

    done = _post(officer, page, url, {"kind": "seal_or_seize", "scope": "脱硫旁路", "reason": WHY})
    assert "已提请采取措施" in done.get_data(as_text=True)
    ((mid, status, rule_ids),) = _measures(cid)
    assert status == "proposed" and rule_ids == ["SX-13"]
    review_url, approve_url = f"{url}/{mid}/review", f"{url}/{mid}/approval"

    head = _as(client, "taiyuan-principal")
    head_page = head.get(page).get_data(as_text=True)
    assert "待法制审核" in head_page and "提交批准意见" not in head_page  # no form before review
    early = _post(head, page, approve_url, {"approved": "1", "note": "同意"})
    assert "尚未经法制审核" in early.get_data(as_text=True) and "SX-13" in early.get_data(
        as_text=True
    )
    # Not the principal head: the officer and the reviewer cannot approve; the head cannot review.
    reviewer = _as(client, "taiyuan-fazhi")
    for c in (officer, reviewer):
        assert _post(c, page, approve_url, {"approved": "1"}).status_code == 403
    assert _post(head, page, review_url, {"passed": "1", "opinion": "同意"}).status_code == 403
    assert _measures(cid)[0][1] == "proposed"

    assert "提交措施审核意见" in reviewer.get(page).get_data(as_text=True)
    empty = _post(reviewer, page, review_url, {"passed": "1", "opinion": ""})
    assert _measures(cid)[0][1] == "proposed", empty.get_data(as_text=True)
    ok = _post(reviewer, page, review_url, {"passed": "1", "opinion": "理由充分，程序合法"})
    assert "已记录措施的法制审核意见" in ok.get_data(as_text=True)
    assert _measures(cid)[0][1] == "reviewed"
    approved = _post(head, page, approve_url, {"approved": "1", "note": "同意查封"})
    assert "主要负责人已批准，可以实施" in approved.get_data(as_text=True)
    assert _measures(cid)[0][1] == "approved"

    # Another tenant's officer: not its case.
    xj = _as(client, "urumqi-officer1", "xj-urumqi")
    assert xj.get(f"/xj-urumqi/cases/{cid}/").status_code == 404
    token = csrf_from(xj.get("/xj-urumqi/cases/").get_data(as_text=True))
    r = xj.post(f"/xj-urumqi/cases/{cid}/measures", data={"csrf_token": token, "kind": "x"})
    assert r.status_code == 404


def _served(d: Desk, travel: Any, name: str, representative: str) -> int:
    e = make_enterprise(d.slug, name=name, legal_representative=representative)
    case = d.open_case(e.id, facts=f"{representative}经营的排放口未按规定设置。")
    v = d.add_violation(case["id"], "air_outlet", MINOR_FIRST_CORRECTED)
    pen = [{"violation_id": v["id"], "outcome": "no_penalty", "fine": None}]
    assert d.notify(case["id"], pen).status_code == 200
    travel("2026-07-13")
    body = {
        "penalties": pen,
        "correction_order": "立即规范设置排放口",
        "education_record": "当面教育，负责人签字",
    }
    assert d.post(f"/cases/{case['id']}/decision", body, d.head).status_code == 200
    return int(case["id"])


@pytest.mark.today("2026-07-03")
def test_SX_7_typical_case_published_from_the_page_masked_and_only_by_the_principal_head(
    client: Any, world: Any, travel: Any
) -> None:
    d = Desk(client, "sx-taiyuan")
    cid = _served(d, travel, "太原典型案例企业", "赵六一")
    page, url = f"/sx-taiyuan/cases/{cid}/", f"/sx-taiyuan/cases/{cid}/typical"
    head = _as(client, "taiyuan-principal")
    assert 'id="typical-form"' not in head.get(page).get_data(as_text=True)  # not served yet
    early = _post(head, page, url, {"typical": "1", "typical_note": "首违不罚"})
    assert "只有已送达的处罚决定" in early.get_data(as_text=True)
    assert d.post(f"/cases/{cid}/service", {"method": "in_person"}).status_code == 200

    officer = _as(client, "taiyuan-officer1")
    assert 'id="typical-form"' not in officer.get(page).get_data(as_text=True)
    assert _post(officer, page, url, {"typical": "1", "typical_note": "x"}).status_code == 403
    blank = _post(head, page, url, {"typical": "1", "typical_note": ""})
    assert "请写明以案释法的说明" in blank.get_data(as_text=True)
    assert not d.get(f"/cases/{cid}").get_json()["typical"]

    ok = _post(
        head, page, url, {"typical": "1", "typical_note": "赵六一首次违法及时改正，不予处罚"}
    )
    assert "已作为典型案例公开" in ok.get_data(as_text=True)
    public = client.get("/sx-taiyuan/public/enforcement").get_data(as_text=True)
    typical = public[public.index('id="typical-cases"') :]
    assert "赵某某首次违法及时改正" in typical and "赵六一" not in public
    # Withdrawn again from the same page.
    back = _post(head, page, url, {"typical": "0"})
    assert "已撤回典型案例" in back.get_data(as_text=True)
    public = client.get("/sx-taiyuan/public/enforcement").get_data(as_text=True)
    assert "首次违法及时改正" not in public


@pytest.mark.today("2026-07-03")
def test_SX_12_far_from_similar_list_for_the_reviewer_and_oversight_not_other_tenants(
    client: Any, world: Any, travel: Any
) -> None:
    d = Desk(client, "sx-taiyuan")
    cid = _served(d, travel, "太原偏离类案企业", "钱七")
    other = Desk(client, "xj-urumqi")
    xcase = other.open_case(make_enterprise("xj-urumqi", name="乌鲁木齐偏离企业").id)
    xv = other.add_violation(xcase["id"], "air_outlet", {"harm": "general"})
    # Flag both decided violations as far (what similar.record_decision stores on a decision).
    for slug, case_id in (("sx-taiyuan", cid), ("xj-urumqi", xcase["id"])):
        with use_scope(system_scope(tenant(slug).id)):
            db.session.execute(
                update(CaseViolation)
                .where(CaseViolation.case_id == case_id)
                .values(
                    similar_far=True,
                    similar_cases={
                        "far": True,
                        "explanation": "低于类案第10百分位",
                        "rule_id": "SX-12",
                    },
                )
            )
            db.session.commit()
    assert xv["id"]
    url = "/sx-taiyuan/cases/far-from-similar"
    assert _as(client, "taiyuan-officer1").get(url).status_code == 403
    for who in ("taiyuan-fazhi", "taiyuan-principal"):
        c = _as(client, who)
        html = c.get(url).get_data(as_text=True)
        assert "太原偏离类案企业" in html and "低于类案第10百分位" in html, who
        assert "乌鲁木齐偏离企业" not in html
        assert "明显偏离类案的决定" in c.get("/sx-taiyuan/cases/").get_data(as_text=True)
    assert "明显偏离类案的决定" not in _as(client, "taiyuan-officer1").get(
        "/sx-taiyuan/cases/"
    ).get_data(as_text=True)

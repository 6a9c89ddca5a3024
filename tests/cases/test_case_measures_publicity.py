"""Issue 14, third slice: coercive measures used sparingly (SX-13) and the publicity of penalty
decisions (SX-7, 行政处罚法第四十八条、第五十条), through the API and the public page."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Desk, make_enterprise

MINOR_FIRST_CORRECTED = {"harm": "minor", "correction": "promptly", "history": "first"}
WHY = "企业拒不停止超标排放，责令改正后仍继续排放，罚款不足以制止违法行为"


def _measure(d: Desk, case_id: int, body: dict[str, Any], who: Any = None) -> Any:
    return d.post(f"/cases/{case_id}/measures", body, who)


@pytest.mark.today("2026-07-03")
def test_SX_13_coercive_measure_needs_reason_legal_review_and_principal_head(
    client: Any, world: Any
) -> None:
    d = Desk(client, "sx-taiyuan")
    e = make_enterprise("sx-taiyuan")
    case = d.open_case(e.id)
    cid = case["id"]
    # No reason why lighter means do not suffice: refused, naming SX-13.
    bare = _measure(d, cid, {"kind": "seal_or_seize", "reason": ""})
    assert bare.status_code == 422
    assert bare.get_json()["errors"]["rule_ids"] == ["SX-13"]
    m = _measure(d, cid, {"kind": "seal_or_seize", "scope": "脱硫设施旁路", "reason": WHY})
    assert m.status_code == 201, m.get_json()
    mid = m.get_json()["id"]
    assert m.get_json()["status"] == "proposed" and m.get_json()["rule_ids"] == ["SX-13"]
    # The principal head cannot approve before the legal review.
    early = d.post(f"/cases/{cid}/measures/{mid}/approval", {"approved": True}, d.head)
    assert early.status_code == 409 and early.get_json()["errors"]["rule_ids"] == ["SX-13"]
    # Neither the officer nor the reviewer is the principal head.
    for who in (d.officer, d.reviewer):
        r = d.post(f"/cases/{cid}/measures/{mid}/approval", {"approved": True}, who)
        assert r.status_code == 403
    # Only a legal reviewer reviews.
    assert (
        d.post(
            f"/cases/{cid}/measures/{mid}/review", {"passed": True, "opinion": "同意"}, d.head
        ).status_code
        == 403
    )
    rv = d.post(
        f"/cases/{cid}/measures/{mid}/review",
        {"passed": True, "opinion": "理由充分，程序合法"},
        d.reviewer,
    )
    assert rv.status_code == 200 and rv.get_json()["status"] == "reviewed"
    ok = d.post(f"/cases/{cid}/measures/{mid}/approval", {"approved": True, "note": "同意"}, d.head)
    assert ok.status_code == 200 and ok.get_json()["status"] == "approved"
    again = d.post(f"/cases/{cid}/measures/{mid}/approval", {"approved": True}, d.head)
    assert again.status_code == 409
    listed = d.get(f"/cases/{cid}/measures").get_json()
    assert [x["status"] for x in listed] == ["approved"]
    steps = [s["step"] for s in d.get(f"/cases/{cid}").get_json()["steps"]]
    assert {"measure_proposed", "measure_reviewed", "measure_approved"} <= set(steps)


@pytest.mark.today("2026-07-03")
def test_a_failed_review_ends_the_measure_and_another_tenant_cannot_see_it(
    client: Any, world: Any
) -> None:
    d = Desk(client, "sx-taiyuan")
    case = d.open_case(make_enterprise("sx-taiyuan").id)
    m = _measure(d, case["id"], {"kind": "revoke_permit", "reason": WHY}).get_json()
    rv = d.post(
        f"/cases/{case['id']}/measures/{m['id']}/review",
        {"passed": False, "opinion": "责令限制生产即可达到目的"},
        d.reviewer,
    )
    assert rv.get_json()["status"] == "rejected"
    r = d.post(f"/cases/{case['id']}/measures/{m['id']}/approval", {"approved": True}, d.head)
    assert r.status_code == 409
    other = Desk(client, "xj-urumqi")
    assert other.get(f"/cases/{case['id']}/measures").status_code in (403, 404)


def _served_case(d: Desk, travel: Any, **enterprise: Any) -> tuple[dict[str, Any], Any]:
    e = make_enterprise(d.slug, **enterprise)
    case = d.open_case(
        e.id, facts=f"{enterprise.get('legal_representative', '')}经营的排放口未按规定设置。"
    )
    v = d.add_violation(case["id"], "air_outlet", MINOR_FIRST_CORRECTED)
    pen = [{"violation_id": v["id"], "outcome": "no_penalty", "fine": None}]
    assert d.notify(case["id"], pen).status_code == 200
    return case, pen


@pytest.mark.today("2026-07-03")
def test_SX_7_served_decision_published_masked_unserved_and_other_tenant_not(
    client: Any, world: Any, travel: Any
) -> None:
    d = Desk(client, "sx-taiyuan")
    served, pen = _served_case(
        d,
        travel,
        uscc="92140100MA0TEST01X",
        name="太原市张三伟烧烤店",
        legal_representative="张三伟",
    )
    unserved, pen2 = _served_case(d, travel, name="未送达企业", legal_representative="李四")
    x = Desk(client, "xj-urumqi")
    foreign = make_enterprise("xj-urumqi", name="乌鲁木齐外地企业")
    fcase = x.open_case(foreign.id)
    travel("2026-07-13")
    for c, p in ((served, pen), (unserved, pen2)):
        r = d.post(
            f"/cases/{c['id']}/decision",
            {
                "penalties": p,
                "correction_order": "立即规范设置排放口",
                "education_record": "当面教育，负责人签字",
            },
            d.head,
        )
        assert r.status_code == 200, r.get_json()
    # Typical only once served.
    early = d.post(
        f"/cases/{served['id']}/typical", {"typical": True, "typical_note": "首违不罚"}, d.head
    )
    assert early.status_code == 409
    s = d.post(f"/cases/{served['id']}/service", {"method": "in_person"})
    assert s.status_code == 200, s.get_json()
    t = d.post(
        f"/cases/{served['id']}/typical",
        {"typical": True, "typical_note": "张三伟首次违法且及时改正，依法不予处罚并教育"},
        d.head,
    )
    assert t.status_code == 200 and t.get_json()["typical"]

    page = client.get("/sx-taiyuan/public/enforcement")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "待处罚模块上线" not in html
    assert "行政处罚决定公示" in html and "立即规范设置排放口" in html
    assert "张某某" in html and "张三伟" not in html and "烧烤店" not in html
    assert "92140100" in html and "92140100MA0TEST01X" not in html
    assert "未送达企业" not in html and "李四" not in html
    assert "乌鲁木齐外地企业" not in html
    assert "NAT-MEE-65" in html and "NAT-APL-50" in html
    assert "首违不罚" not in html or "典型案例" in html
    # Published within the pack's deadline: 7 working days from 2026-07-13 → 2026-07-22.
    assert "2026-07-22" in html
    assert fcase["id"] != served["id"]
    other = client.get("/xj-urumqi/public/enforcement").get_data(as_text=True)
    assert "立即规范设置排放口" not in other


# --- documents with reasoning (SX-2) and their numbers ------------------------------------------


def _decided(d: Desk, travel: Any, when: str, fine: bool = False) -> dict[str, Any]:
    e = make_enterprise(d.slug, legal_representative="王五")
    case = d.open_case(e.id, facts="2026年7月2日检查发现排放口未按规定设置。")
    levels = (
        {"harm": "general", "correction": "when_ordered", "history": "first"}
        if fine
        else MINOR_FIRST_CORRECTED
    )
    v = d.add_violation(case["id"], "air_outlet", levels)
    pen = (
        [{"violation_id": v["id"], "outcome": "fine", "fine": 100000}]
        if fine
        else [{"violation_id": v["id"], "outcome": "no_penalty", "fine": None}]
    )
    assert d.notify(case["id"], pen).status_code == 200
    if fine:
        st = d.post(
            f"/cases/{case['id']}/statements",
            {"kind": "statement", "content": "企业已连夜整改，请求从轻"},
        )
        assert st.status_code == 201, st.get_json()
        ans = d.post(
            f"/cases/{case['id']}/statements/{st.get_json()['id']}/answer",
            {"answer": "整改属实，已在裁量情节中考虑", "adopted": True},
        )
        assert ans.status_code == 200, ans.get_json()
    travel(when)
    r = d.post(
        f"/cases/{case['id']}/decision",
        {
            "penalties": pen,
            "correction_order": "立即规范设置排放口",
            "education_record": "当面教育",
        },
        d.head,
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()


@pytest.mark.today("2026-07-03")
def test_SX_2_documents_hold_the_reasoning_in_html_and_docx(
    client: Any, world: Any, travel: Any
) -> None:
    import io

    from docx import Document

    from tests.helpers import login

    d = Desk(client, "sx-taiyuan")
    case = _decided(d, travel, "2026-07-13", fine=True)
    cid = case["id"]
    notice = d.get(f"/cases/{cid}/documents/notice").get_json()
    heads = [s["heading"] for s in notice["sections"]]
    assert heads[:5] == [
        "一、违法事实",
        "二、证据",
        "三、法律依据",
        "四、裁量情节及其影响",
        "五、处理理由与结果",
    ]
    assert "当事人的权利和期限" in heads[5]
    assert "2026-07-10" in " ".join(notice["sections"][5]["paragraphs"])
    dec = d.get(f"/cases/{cid}/documents/decision").get_json()
    text = " ".join(p for s in dec["sections"] for p in s["paragraphs"])
    assert dec["number"] == case["decision_no"] and dec["number"].endswith("号")
    assert "排放口未按规定设置" in text and "第一百条" in text
    assert "分" in " ".join(dec["sections"][3]["paragraphs"])  # each factor's effect
    assert "罚款人民币100000元" in text
    assert "企业已连夜整改" in text and "整改属实" in text and "予以采纳" in text
    assert "行政复议" in text and "行政诉讼" in text
    assert {"NAT-ARL-20", "NAT-ALL-46", "NAT-APL-28.1"} <= set(dec["rule_ids"])

    login(client, "sx-taiyuan", "taiyuan-officer1")
    html = client.get(f"/sx-taiyuan/cases/{cid}/documents/decision")
    assert html.status_code == 200
    page = html.get_data(as_text=True)
    assert "@media print" in page and "行政处罚决定书" in page and case["decision_no"] in page
    docx = client.get(f"/sx-taiyuan/cases/{cid}/documents/decision.docx")
    assert docx.status_code == 200 and docx.mimetype.endswith("wordprocessingml.document")
    body = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    for part in (
        "违法事实",
        "证据",
        "法律依据",
        "裁量情节及其影响",
        "处理理由与结果",
        "陈述、申辩及采纳情况",
        "整改属实",
        "行政复议",
        case["decision_no"],
    ):
        assert part in body, part


@pytest.mark.today("2026-07-03")
def test_SX_2_decision_numbers_are_sequential_per_tenant(
    client: Any, world: Any, travel: Any
) -> None:
    sx, xj = Desk(client, "sx-taiyuan"), Desk(client, "xj-urumqi")
    a = _decided(sx, travel, "2026-07-13")
    travel("2026-07-03")
    b = _decided(sx, travel, "2026-07-13")
    travel("2026-07-03")
    c = _decided(xj, travel, "2026-07-13")
    assert a["decision_no"] == "太原环罚〔2026〕1号"
    assert b["decision_no"] == "太原环罚〔2026〕2号"
    assert c["decision_no"] == "乌鲁木齐环罚〔2026〕1号"
    # Not a document before its step.
    e = make_enterprise("sx-taiyuan")
    fresh = sx.open_case(e.id)
    assert sx.get(f"/cases/{fresh['id']}/documents/decision").status_code == 409
    assert sx.get(f"/cases/{fresh['id']}/documents/notice").status_code == 409


@pytest.mark.today("2026-07-03")
def test_the_party_receives_its_documents_another_enterprise_does_not(
    client: Any, app: Any, world: Any, travel: Any
) -> None:
    import io

    from docx import Document

    from tests.helpers import login

    from .conftest import make_enterprise_user

    d = Desk(client, "sx-taiyuan")
    mine, other = make_enterprise("sx-taiyuan"), make_enterprise("sx-taiyuan")
    make_enterprise_user("sx-taiyuan", mine, "doc-party")
    make_enterprise_user("sx-taiyuan", other, "doc-other")
    case = d.open_case(mine.id, facts="排放口未按规定设置")
    v = d.add_violation(case["id"], "air_outlet", MINOR_FIRST_CORRECTED)
    assert (
        d.notify(case["id"], [{"violation_id": v["id"], "outcome": "no_penalty"}]).status_code
        == 200
    )
    party = app.test_client()
    assert login(party, "sx-taiyuan", "doc-party").status_code == 302
    base = f"/sx-taiyuan/enterprise/cases/{case['id']}"
    assert "事先告知书" in party.get(f"{base}/").get_data(as_text=True)
    page = party.get(f"{base}/documents/notice")
    assert page.status_code == 200 and "当事人的权利和期限" in page.get_data(as_text=True)
    docx = party.get(f"{base}/documents/notice.docx")
    body = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    assert "排放口未按规定设置" in body and "陈述和申辩" in body
    stranger = app.test_client()
    assert login(stranger, "sx-taiyuan", "doc-other").status_code == 302
    assert stranger.get(f"{base}/documents/notice").status_code == 404

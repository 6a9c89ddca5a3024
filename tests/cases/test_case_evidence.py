"""Issue 14 item 1: evidence of a case — reused from the linked inspection or uploaded for the
case (hash recorded), through the bounded upload store, in the page and the API; listed with its
SHA-256 in the notice (SX-2); refused after the decision, refused with the field for a wrong
type, nothing half-written; another tenant and the party cannot add or read it."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from tenant_app.extensions import db
from tenant_app.models import AuditEntry, CaseEvidence, Inspection, InspectionEvidence
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import bearer, csrf_from, login, tenant
from .conftest import SX, XJ, Desk, make_enterprise, make_enterprise_user

PDF = b"%PDF-1.4 case evidence: monitoring record of 2026-07-02"
MINOR_FIRST_CORRECTED = {"harm": "minor", "correction": "promptly", "history": "first"}


def _count() -> int:
    with use_scope(system_scope()):
        n = db.session.execute(select(func.count()).select_from(CaseEvidence)).scalar_one()
        db.session.rollback()
        return int(n)


@pytest.mark.today("2026-07-03")
def test_case_evidence_uploaded_in_the_page_with_its_hash_and_in_the_notice(
    client: Any, world: Any
) -> None:
    d = Desk(client, "sx-taiyuan")
    e = make_enterprise("sx-taiyuan")
    cid = d.open_case(e.id)["id"]
    c = client.application.test_client()
    assert login(c, "sx-taiyuan", "taiyuan-officer1").status_code == 302
    page = f"/sx-taiyuan/cases/{cid}/"
    html = c.get(page).get_data(as_text=True)
    assert 'id="evidence-form"' in html and 'enctype="multipart/form-data"' in html
    token = csrf_from(html)
    url = f"/sx-taiyuan/cases/{cid}/evidence"

    # A text file renamed .pdf, then no file: refused naming the field, nothing stored.
    fake = c.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(b"just text"), "fake.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "文件" in fake.get_data(as_text=True) and _count() == 0
    none = c.post(url, data={"csrf_token": token, "note": "x"}, follow_redirects=True)
    assert "请选择文件" in none.get_data(as_text=True) and _count() == 0

    ok = c.post(
        url,
        data={
            "csrf_token": token,
            "note": "在线监测数据截图",
            "file": (io.BytesIO(PDF), "监测记录.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    digest = hashlib.sha256(PDF).hexdigest()
    body = ok.get_data(as_text=True)
    assert "已上传证据并记录其哈希值" in body and digest in body and "监测记录.pdf" in body
    with use_scope(system_scope(tenant("sx-taiyuan").id)):
        ev = db.session.execute(select(CaseEvidence)).scalar_one()
        assert (ev.sha256, ev.size, ev.collected_on) == (digest, len(PDF), date(2026, 7, 3))
        audit = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "case.evidence_added")
        ).scalar_one()
        assert audit.after["sha256"] == digest
        ev_id = ev.id
        db.session.rollback()
    got = c.get(f"{url}/{ev_id}")
    assert got.status_code == 200 and got.data == PDF

    # In the notice (SX-2): the evidence list with the hash.
    v = d.add_violation(cid, "air_outlet", MINOR_FIRST_CORRECTED)
    pen = [{"violation_id": v["id"], "outcome": "no_penalty", "fine": None}]
    assert d.notify(cid, pen).status_code == 200
    doc = d.get(f"/cases/{cid}/documents/notice").get_json()
    text = "\n".join(p for s in doc["sections"] for p in s["paragraphs"])
    assert digest in text and "监测记录.pdf" in text

    # Another tenant's officer: neither the page, the file nor the upload.
    xj = client.application.test_client()
    assert login(xj, "xj-urumqi", "urumqi-officer1").status_code == 302
    assert xj.get(f"/xj-urumqi/cases/{cid}/evidence/{ev_id}").status_code == 404
    assert (
        client.get(f"{XJ}/cases/{cid}/evidence", headers=bearer("urumqi-officer1")).status_code
        == 404
    )


@pytest.mark.today("2026-07-03")
def test_api_lists_reused_inspection_evidence_uploads_and_refuses_after_the_decision(
    client: Any, world: Any, travel: Any
) -> None:
    d = Desk(client, "sx-taiyuan")
    e = make_enterprise("sx-taiyuan")
    t = tenant("sx-taiyuan")
    with use_scope(system_scope(t.id)):
        insp = Inspection(
            tenant_id=t.id,
            enterprise_id=e.id,
            mode="on_site",
            trigger="proactive",
            planned_date=date(2026, 6, 30),
            status="done",
            officers=[{"id": i, "name": "执法", "certificate_no": "x"} for i in d.officer_ids],
        )
        db.session.add(insp)
        db.session.flush()
        db.session.add(
            InspectionEvidence(
                tenant_id=t.id,
                inspection_id=insp.id,
                kind="photo",
                filename="现场照片.jpg",
                sha256="a" * 64,
                stored_name="",
            )
        )
        db.session.commit()
        insp_id = insp.id
    cid = d.open_case(e.id, inspection_id=insp_id)["id"]
    listed = d.get(f"/cases/{cid}/evidence").get_json()
    assert [(x["source"], x["filename"], x["sha256"]) for x in listed] == [
        ("inspection", "现场照片.jpg", "a" * 64)
    ]
    up = client.post(
        f"{SX}/cases/{cid}/evidence",
        data={"note": "询问笔录", "file": (io.BytesIO(PDF), "询问笔录.pdf")},
        headers=d.officer,
        content_type="multipart/form-data",
    )
    assert up.status_code == 201, up.get_json()
    assert up.get_json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert [x["source"] for x in d.get(f"/cases/{cid}/evidence").get_json()] == [
        "inspection",
        "case",
    ]
    bad = client.post(
        f"{SX}/cases/{cid}/evidence",
        data={"file": (io.BytesIO(b"MZ\x90\x00"), "tool.exe")},
        headers=d.officer,
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "file" in bad.get_json()["errors"]
    # The legal reviewer and the party cannot upload.
    make_enterprise_user("sx-taiyuan", e, "evidence-co")
    for who in (d.reviewer, bearer("evidence-co")):
        r = client.post(
            f"{SX}/cases/{cid}/evidence",
            data={"file": (io.BytesIO(PDF), "x.pdf")},
            headers=who,
            content_type="multipart/form-data",
        )
        assert r.status_code == 403
    # After the decision: refused with the stage, nothing stored.
    v = d.add_violation(cid, "air_outlet", MINOR_FIRST_CORRECTED)
    pen = [{"violation_id": v["id"], "outcome": "no_penalty", "fine": None}]
    assert d.notify(cid, pen).status_code == 200
    travel("2026-07-13")
    body = {"penalties": pen, "correction_order": "立即改正", "education_record": "当面教育"}
    assert d.post(f"/cases/{cid}/decision", body, d.head).status_code == 200
    before = _count()
    late = client.post(
        f"{SX}/cases/{cid}/evidence",
        data={"file": (io.BytesIO(PDF), "late.pdf")},
        headers=d.officer,
        content_type="multipart/form-data",
    )
    assert late.status_code == 409 and "补充证据" in late.get_json()["message"]
    assert _count() == before

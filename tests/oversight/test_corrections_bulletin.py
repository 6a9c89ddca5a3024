"""Correction items (内部纠错) and the oversight bulletin (稽查通报), issue 17 item 3 (XJ-A, SX-O):
a correction item assigned to a child region, answered there, returned once, then closed; a
sibling never sees it; the bulletin's print view and DOCX carry each chart's figures."""

from __future__ import annotations

import io

import pytest
from docx import Document

from tenant_app.extensions import db
from tenant_app.models import AuditEntry, CorrectionItem
from tenant_app.oversight.services import stats
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import csrf_from, login, tenant
from tests.inspections.conftest import acting
from tests.oversight.conftest import add_user

pytestmark = pytest.mark.today("2026-06-15")


def _post(client, page: str, url: str, data: dict) -> object:
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def _item(item_id: int) -> CorrectionItem:
    with use_scope(system_scope()):
        row = db.session.get(CorrectionItem, item_id)
        assert row is not None
        db.session.refresh(row)
        db.session.expunge(row)
        return row


def test_xj_a_a_correction_item_assigned_to_a_child_region_is_tracked_to_closure(
    app, oversight_world
):
    tianshan = tenant("xj-urumqi-tianshan")
    add_user("xj-urumqi-tianshan", "tianshan-head", ["principal_head"], "天山区局长")
    add_user("xj-kashi", "kashi-head", ["principal_head"], "喀什局长")
    auditor, child, sibling = app.test_client(), app.test_client(), app.test_client()
    login(auditor, "xj-urumqi", "urumqi-auditor")
    page = "/xj-urumqi/oversight/corrections/"
    # Bad input names the field; nothing is written.
    bad = _post(
        auditor,
        page,
        page,
        {"region": str(tianshan.id), "topic": "on_site", "finding": "", "due_on": "2026-07-15"},
    )
    assert bad.status_code == 422 and "发现的问题" in bad.get_data(as_text=True)
    kashi = tenant("xj-kashi")
    bad = _post(
        auditor,
        page,
        page,
        {"region": str(kashi.id), "topic": "on_site", "finding": "x", "due_on": "2026-07-15"},
    )
    assert bad.status_code == 422 and "下级地区" in bad.get_data(as_text=True)
    resp = _post(
        auditor,
        page,
        page,
        {
            "region": str(tianshan.id),
            "topic": "on_site",
            "finding": "安静期内对正面清单企业现场检查",
            "due_on": "2026-07-15",
        },
    )
    assert resp.status_code == 302
    item_id = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert _item(item_id).tenant_id == tianshan.id and _item(item_id).status == "open"

    # The child sees it as its own and answers; the sibling gets 404.
    login(child, "xj-urumqi-tianshan", "tianshan-head")
    show = f"/xj-urumqi-tianshan/oversight/corrections/{item_id}"
    assert "安静期内对正面清单企业现场检查" in child.get(show).get_data(as_text=True)
    login(sibling, "xj-kashi", "kashi-head")
    assert sibling.get(f"/xj-kashi/oversight/corrections/{item_id}").status_code == 404
    assert (
        _post(child, show, f"{show}/answer", {"answer": "已约谈，今后先非现场"}).status_code == 302
    )
    assert _item(item_id).status == "answered"

    # Returned once (a reason is required), answered again, closed.
    a_show = f"/xj-urumqi/oversight/corrections/{item_id}"
    assert (
        _post(auditor, a_show, f"{a_show}/close", {"verdict": "return", "note": ""}).status_code
        == 422
    )
    assert (
        _post(
            auditor, a_show, f"{a_show}/close", {"verdict": "return", "note": "请附约谈记录"}
        ).status_code
        == 302
    )
    assert _item(item_id).status == "open"
    assert _post(child, show, f"{show}/answer", {"answer": "约谈记录已附"}).status_code == 302
    assert (
        _post(auditor, a_show, f"{a_show}/close", {"verdict": "accept", "note": ""}).status_code
        == 302
    )
    assert _item(item_id).status == "closed"
    # Both audit chains record each step.
    with use_scope(system_scope()):
        tenants = {
            (t, a)
            for t, a in db.session.execute(
                db.select(AuditEntry.tenant_id, AuditEntry.action).where(
                    AuditEntry.object_type == "correction_item"
                )
            ).all()
        }
    urumqi = tenant("xj-urumqi").id
    assert {(urumqi, "correction.issued"), (tianshan.id, "correction.issued")} <= tenants
    assert {(urumqi, "correction.closed"), (tianshan.id, "correction.closed")} <= tenants


def test_an_officer_may_neither_issue_nor_answer(client, oversight_world):
    login(client, "xj-urumqi", "urumqi-officer1")
    assert client.get("/xj-urumqi/oversight/corrections/").status_code == 200
    token = csrf_from(client.get("/xj-urumqi/oversight/corrections/").get_data(as_text=True))
    resp = client.post("/xj-urumqi/oversight/corrections/", data={"csrf_token": token})
    assert resp.status_code == 403


def test_the_bulletin_carries_each_charts_figures_in_print_and_docx(client, oversight_world):
    with acting("urumqi-auditor", "xj-urumqi"):
        ctx = scope_context()
        f = stats.parse_filters(ctx, {})
        charts = {k: stats.chart(ctx, f, k) for k in stats.specs()}
    login(client, "xj-urumqi", "urumqi-auditor")
    html = client.get("/xj-urumqi/oversight/bulletin").get_data(as_text=True)
    assert "乌鲁木齐市稽查通报" in html
    resp = client.get("/xj-urumqi/oversight/bulletin.docx")
    assert resp.status_code == 200
    doc = Document(io.BytesIO(resp.data))
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]
    for c in charts.values():
        expected = [c.header(), *[[str(v) for v in r] for r in c.rows()]]
        assert any(t[: len(expected)] == expected for t in tables), c.key
        assert any(
            t[-1][0] == "合计" and t[-1][1] == str(c.totals[c.measures[0][0]]) for t in tables
        )
        assert c.title in [p.text for p in doc.paragraphs]
    assert any("喀什" in p.text for p in doc.paragraphs) is False

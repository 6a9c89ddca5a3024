"""The pages: preview shows the checks without saving, create → approve → start → findings →
record → finish → feedback, read by the enterprise user; evidence limits; public pages; isolation."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tenant_app.extensions import db
from tenant_app.models import Inspection
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import csrf_from, login

from .conftest import future, make_enterprise, make_enterprise_user

# Planned dates are ``future()``: next year by the clock.
pytestmark = pytest.mark.date_sensitive


def _count() -> int:
    with use_scope(system_scope()):
        return db.session.execute(select(func.count(Inspection.id))).scalar()


def _form(client, url, data):
    token = csrf_from(client.get("/sx-taiyuan/inspections/").get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def test_full_flow_through_the_pages(client, sx):
    e = make_enterprise(
        "sx-taiyuan", name="太原某化工有限公司", permit_class="key", permit_no="91140100X001P"
    )
    make_enterprise_user("sx-taiyuan", e, "chem-user")
    login(client, "sx-taiyuan", "taiyuan-officer1")
    data = {
        "enterprise_id": e.id,
        "mode": "on_site",
        "trigger": "proactive",
        "planned_date": future(9, 8).isoformat(),
        "officer_ids": sx["officers"][:1],
        "action": "preview",
    }
    page = _form(client, "/sx-taiyuan/inspections/new", data)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "LAW-2OFF" in body and "依规定不能安排" in body
    assert _count() == 0
    refused = _form(client, "/sx-taiyuan/inspections/new", {**data, "action": "create"})
    assert refused.status_code == 422 and _count() == 0
    ok = _form(
        client,
        "/sx-taiyuan/inspections/new",
        {**data, "officer_ids": sx["officers"], "action": "preview"},
    )
    assert "SX-5" in ok.get_data(as_text=True) and "保存并报批" in ok.get_data(as_text=True)
    made = _form(
        client,
        "/sx-taiyuan/inspections/new",
        {**data, "officer_ids": sx["officers"], "action": "create"},
    )
    assert made.status_code == 302
    iid = int(made.headers["Location"].rstrip("/").split("/")[-1])
    base = f"/sx-taiyuan/inspections/{iid}"
    assert "未经批准" in _follow(client, _form(client, f"{base}/start", {}))
    client.post(
        "/sx-taiyuan/logout",
        data={"csrf_token": csrf_from(client.get(base + "/").get_data(as_text=True))},
    )
    login(client, "sx-taiyuan", "taiyuan-principal")
    assert f"#{iid}" in client.get("/sx-taiyuan/inspections/inbox").get_data(as_text=True)
    _form(client, f"{base}/approve", {"comment": "同意"})
    client.post(
        "/sx-taiyuan/logout",
        data={"csrf_token": csrf_from(client.get(base + "/").get_data(as_text=True))},
    )
    login(client, "sx-taiyuan", "taiyuan-officer1")
    _form(client, f"{base}/start", {})
    with use_scope(system_scope()):
        insp = db.session.get(Inspection, iid)
        keys = [i["key"] for i in insp.checklist]
    assert "permit_valid" in keys  # 一证式 item from the permit
    _form(client, f"{base}/findings", {f"result_{k}": "compliant" for k in keys})
    _form(client, f"{base}/record", {"location": "厂区", "statement": "现场检查未见异常"})
    # Evidence: wrong type refused, a real PNG stored with its hash.
    bad = _follow(client, _upload(client, f"{base}/evidence", b"MZ....", "x.exe"))
    assert "仅接受" in bad
    ok_upload = _follow(
        client, _upload(client, f"{base}/evidence", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "site.png")
    )
    assert "SHA-256" in ok_upload
    _form(client, f"{base}/bodycam", {"reference": "DSJ-001/20260908-0930"})
    _form(client, f"{base}/finish", {"conclusion": "未发现环境违法行为"})
    printed = client.get(f"{base}/print").get_data(as_text=True)
    assert "现场检查笔录" in printed and "14010020260001" in printed
    _form(client, f"{base}/feedback", {"feedback_text": "本次检查未发现问题，请继续保持。"})
    client.post(
        "/sx-taiyuan/logout",
        data={"csrf_token": csrf_from(client.get(base + "/").get_data(as_text=True))},
    )
    login(client, "sx-taiyuan", "chem-user")
    mine = client.get("/sx-taiyuan/enterprise/inspections/").get_data(as_text=True)
    assert "已反馈" in mine
    seen = client.get(f"/sx-taiyuan/enterprise/inspections/{iid}/").get_data(as_text=True)
    assert "本次检查未发现问题" in seen
    assert client.get(f"{base}/").status_code == 403  # not staff


def test_enterprise_user_sees_only_its_own(client, sx):
    a = make_enterprise("sx-taiyuan")
    b = make_enterprise("sx-taiyuan")
    make_enterprise_user("sx-taiyuan", a, "a-user")
    from tenant_app.inspections.services import plans

    from .conftest import acting

    with acting("taiyuan-officer1", "sx-taiyuan"):
        other = plans.create_inspection(
            scope_context(),
            {
                "enterprise_id": b.id,
                "mode": "off_site",
                "trigger": "data_lead",
                "planned_date": future(9, 1).isoformat(),
                "officer_ids": sx["officers"],
            },
        )
        db.session.commit()
        oid = other.id
    login(client, "sx-taiyuan", "a-user")
    assert client.get(f"/sx-taiyuan/enterprise/inspections/{oid}/").status_code == 404
    assert client.get(f"/sx-taiyuan/enterprise/inspections/{oid + 999}/").status_code == 404


def test_public_pages_show_officers_and_draws(client, sx):
    page = client.get("/sx-taiyuan/public/enforcement")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "14010020260001" in body and "执法公示" in body


def _upload(client, url, content, name):
    token = csrf_from(client.get("/sx-taiyuan/inspections/").get_data(as_text=True))
    return client.post(
        url,
        data={"csrf_token": token, "kind": "photo", "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _follow(client, resp):
    return client.get(resp.headers["Location"]).get_data(as_text=True)


def test_admin_pages_plans_campaigns_draws_reports_requests(client, sx):
    e = make_enterprise("sx-taiyuan", industry_code="C2611")
    make_enterprise("sx-taiyuan")
    make_enterprise_user("sx-taiyuan", e, "adm-co")
    # The enterprise sends a self-inspection report (PDF) and a request.
    login(client, "sx-taiyuan", "adm-co")
    token = csrf_from(client.get("/sx-taiyuan/enterprise/inspections/").get_data(as_text=True))
    r = client.post(
        "/sx-taiyuan/enterprise/inspections/self-reports",
        content_type="multipart/form-data",
        data={
            "csrf_token": token,
            "summary": "自查发现监测仪器漂移，已校准。",
            "file": (io.BytesIO(b"%PDF-1.4 test"), "report.pdf"),
        },
    )
    assert r.status_code == 302
    client.post(
        "/sx-taiyuan/enterprise/inspections/requests",
        data={"csrf_token": token, "reason": "新建生产线投产前请求检查指导"},
    )
    client.post("/sx-taiyuan/logout", data={"csrf_token": token})
    login(client, "sx-taiyuan", "taiyuan-principal")
    for page in ("plans/", "campaigns/", "draws/", "self-reports/", "requests/", "", "inbox"):
        assert client.get(f"/sx-taiyuan/inspections/{page}").status_code == 200, page
    body = client.get("/sx-taiyuan/inspections/self-reports/").get_data(as_text=True)
    assert "report.pdf" in body and "自查发现" in body
    assert "新建生产线" in client.get("/sx-taiyuan/inspections/requests/").get_data(as_text=True)
    year = future(1, 2).year
    _form(client, "/sx-taiyuan/inspections/plans/", {"year": year, "cap_general": "3"})
    assert "3" in client.get("/sx-taiyuan/inspections/plans/").get_data(as_text=True)
    refused = _form(
        client,
        "/sx-taiyuan/inspections/campaigns/",
        {
            "title": "全面检查",
            "content": "x",
            "start_date": future(3, 1).isoformat(),
            "end_date": future(3, 30).isoformat(),
        },
    )
    blanket = refused.get_data(as_text=True)  # the page again, as typed, with the reason
    assert refused.status_code == 422 and "SX-4" in blanket
    assert 'name="title" required value="全面检查"' in blanket
    _form(
        client,
        "/sx-taiyuan/inspections/campaigns/",
        {
            "title": "化工专项",
            "content": "危废",
            "start_date": future(3, 1).isoformat(),
            "end_date": future(3, 30).isoformat(),
            "scope_industry_prefixes": "C26",
        },
    )
    _form(
        client,
        "/sx-taiyuan/inspections/draws/",
        {"planned_date": future(4, 1).isoformat(), "ratio_general": "0.5", "secret": "ab" * 32},
    )
    draws_page = client.get("/sx-taiyuan/inspections/draws/").get_data(as_text=True)
    assert "已锁定企业库" in draws_page  # two-party draws (issue 11): the witness commits next
    public = client.get("/sx-taiyuan/public/enforcement").get_data(as_text=True)
    assert "企业库哈希" in public

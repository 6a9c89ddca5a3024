"""Pages and API: enterprise applies with attachments, sees only its own entries; public pages
per tenant; objections rate-limited; bad input answers 4xx, never 500; the OpenAPI document."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tenant_app.clock import today
from tenant_app.extensions import db
from tenant_app.models.listing import ListingAttachment, ListingEntry
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import bearer, csrf_from, login
from .factory import enterprise_user, good_enterprise

CONDS = ("C1", "C2", "C3", "C4", "C5", "C6", "C7")


def _ent_client(app, world, n, username):
    e = good_enterprise(n)
    enterprise_user(world, e, username)
    c = app.test_client()
    assert login(c, "xj-urumqi", username, "Qiye-2026-pass").status_code == 302
    return e, c


def test_enterprise_applies_with_attachment_and_sees_only_its_own(app, world):
    e1, c1 = _ent_client(app, world, 1, "qiye1")
    e2, c2 = _ent_client(app, world, 2, "qiye2")
    url = "/xj-urumqi/my/listing/apply"
    token = csrf_from(c1.get(url).get_data(as_text=True))
    # incomplete self-check: refused, what was typed is kept, nothing written
    resp = c1.post(url, data={"csrf_token": token, "ok_C1": "1", "note_C1": "近一年无处罚"})
    assert resp.status_code == 422 and "近一年无处罚" in resp.get_data(as_text=True)
    bad = {
        "csrf_token": token,
        **{f"ok_{c}": "1" for c in CONDS},
        "files": (io.BytesIO(b"MZ..."), "virus.exe"),
    }
    resp = c1.post(url, data=bad, content_type="multipart/form-data")
    assert resp.status_code == 422 and "类型不允许" in resp.get_data(as_text=True)
    with use_scope(system_scope()):
        assert db.session.execute(select(ListingEntry)).first() is None
    good = {
        "csrf_token": token,
        **{f"ok_{c}": "1" for c in CONDS},
        "files": (io.BytesIO(b"%PDF-1.4 report"), "自查报告.pdf"),
    }
    assert c1.post(url, data=good, content_type="multipart/form-data").status_code == 302
    with use_scope(system_scope()):
        att = db.session.execute(select(ListingAttachment)).scalar_one()
        assert len(att.sha256) == 64 and not att.stored_as.startswith("/")
    # duplicate refused with the reason
    resp = c1.post(url, data={"csrf_token": token, **{f"ok_{c}": "1" for c in CONDS}})
    assert resp.status_code == 422 and "不能重复申请" in resp.get_data(as_text=True)
    # the other enterprise sees none of it, and cannot sign for it
    assert e1.name not in c2.get("/xj-urumqi/my/listing/").get_data(as_text=True)
    with use_scope(system_scope()):
        entry_id = db.session.execute(select(ListingEntry.id)).scalar_one()
    t2 = csrf_from(c2.get(url).get_data(as_text=True))
    assert (
        c2.post(f"/xj-urumqi/my/listing/{entry_id}/commitment", data={"csrf_token": t2}).status_code
        == 404
    )
    # enterprise users never reach staff pages
    assert c1.get("/xj-urumqi/listing/").status_code == 403
    assert c1.get(f"/xj-urumqi/listing/entries/{entry_id}").status_code == 403


def test_api_runs_screening_job_and_nominates(client, world):
    e = good_enterprise(3)
    h = bearer("urumqi-officer1")
    resp = client.post(
        "/api/v1/tenants/xj-urumqi/listing/screening-runs", json={"on": "2025-06-15"}, headers=h
    )
    assert resp.status_code == 202, resp.get_json()
    run_id = resp.get_json()["id"]
    res = client.get(
        f"/api/v1/tenants/xj-urumqi/listing/screening-runs/{run_id}/results", headers=h
    ).get_json()
    assert [r["verdict"] for r in res["items"]] == ["eligible"]
    assert res["items"][0]["decision"]["policy_version"].startswith("xinjiang@")
    xlsx = client.get(f"/xj-urumqi/listing/screening/{run_id}/export.xlsx")
    assert xlsx.status_code in (302, 401)  # pages need a session
    bad = client.get(
        f"/api/v1/tenants/xj-urumqi/listing/screening-runs/{run_id}/results?verdict=nope", headers=h
    )
    assert bad.status_code == 422
    nom = client.post(
        "/api/v1/tenants/xj-urumqi/listing/entries", json={"enterprise_id": e.id}, headers=h
    )
    assert nom.status_code == 201 and nom.get_json()["origin"] == "nomination"
    again = client.post(
        "/api/v1/tenants/xj-urumqi/listing/entries", json={"enterprise_id": e.id}, headers=h
    )
    assert again.status_code == 409 and "不能重复申请" in again.get_json()["message"]
    step = client.post(
        f"/api/v1/tenants/xj-urumqi/listing/entries/{nom.get_json()['id']}/opinions",
        json={"party_type": "department", "party": "x", "on_date": "2025-06-01", "opinion": "y"},
        headers=h,
    )
    assert step.status_code == 409  # out of order: no site verification yet
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/tenants/{tenant}/listing/batches/{batch_id}/{step}" in spec["paths"]


def test_screening_page_filter_and_xlsx(client, world):
    good_enterprise(4)
    good_enterprise(5, industry_code="D4620", tags=["centralised_urban_sewage_treatment"])
    login(client, "xj-urumqi", "urumqi-officer1")
    page = client.get("/xj-urumqi/listing/")
    token = csrf_from(page.get_data(as_text=True))
    resp = client.post(
        "/xj-urumqi/listing/screening", data={"csrf_token": token, "on": "2025-06-15"}
    )
    assert resp.status_code == 302
    run_url = resp.headers["Location"]
    html = client.get(run_url + "?verdict=excluded").get_data(as_text=True)
    assert "测试企业5有限公司" in html and "测试企业4有限公司" not in html
    x = client.get(run_url.rstrip("/") + "/export.xlsx")
    assert x.status_code == 200 and x.data[:2] == b"PK"
    assert client.get(run_url + "?verdict=nope").status_code == 422
    bad = client.post(
        "/xj-urumqi/listing/screening", data={"csrf_token": token, "on": "not-a-date"}
    )
    # The overview again, the date as typed and its reason beside it (issue 10 item 4).
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'name="on" value="not-a-date"' in html and 'data-field="on"' in html


# 2025-10-16: the day after publication (listed 2025-10-15 to 2028-10-15).
@pytest.mark.today("2025-10-16")
def test_public_pages_are_per_tenant_and_objections_are_rate_limited(app, client, world, travel):
    from .test_procedure import _listed  # a listed enterprise in xj-urumqi

    e, _entry_id = _listed(app, world, 7, "qiye7", travel)
    own = client.get("/xj-urumqi/public/positive-list/").get_data(as_text=True)
    assert e.name in own and e.uscc in own
    for slug in ("sx-taiyuan", "xj-urumqi-tianshan", "xj"):
        for path in ("", "notices", "publications", "?format=xlsx"):
            body = client.get(f"/{slug}/public/positive-list/{path}").get_data()
            assert e.name.encode() not in body and e.uscc.encode() not in body
    pubs = client.get("/xj-urumqi/public/positive-list/publications?print=1").get_data(as_text=True)
    assert e.name in pubs
    assert client.get("/xj-urumqi/public/positive-list/?format=xlsx").data[:2] == b"PK"


# 2025-11-03: the notice opens today (after the 2025-09 verification) and takes objections.
@pytest.mark.today("2025-11-03")
def test_public_objection_form_needs_content_and_is_rate_limited(app, client, world, travel):
    from tenant_app.listing.services import batches

    from .factory import as_user
    from .test_procedure import _apply, _through_commitment

    e, entry_id, s = _apply(app, world, 8, "qiye8", travel)
    _through_commitment(world, e, entry_id, s, travel)
    travel("2025-11-03")
    with as_user(world, "urumqi-officer1") as ctx:
        b = batches.create(
            ctx, {"title": "公示批次", "complaint_channel": "12369", "entry_ids": [entry_id]}
        )
        batches.start_notice(ctx, b, {"notice_start": today().isoformat()})
        db.session.commit()
        url = f"/xj-urumqi/public/positive-list/notices/{b.id}"
    page = client.get(url).get_data(as_text=True)
    for field in (
        "统一社会信用代码",
        "所属行业",
        "排污许可证编号",
        "正面清单类型",
        "正面清单有效期",
        "投诉举报途径",
        "12369",
    ):
        assert field in page
    token = csrf_from(page)
    empty = client.post(url, data={"csrf_token": token, "content": "  "})
    assert empty.status_code == 422 and "请填写异议内容" in empty.get_data(as_text=True)
    codes = [
        client.post(url, data={"csrf_token": token, "content": f"异议{i}"}).status_code
        for i in range(5)
    ]
    assert codes == [
        302,
        302,
        302,
        302,
        429,
    ]  # 5 attempts per address per window, the empty one counted
    assert client.get(f"/sx-taiyuan/public/positive-list/notices/{b.id}").status_code == 404


# 2025-11-03: the notice closed 2025-10-14 and publication was due 2025-10-21: overdue today.
@pytest.mark.today("2025-11-03")
def test_parent_auditor_sees_a_late_step_of_the_city(app, client, world, travel):
    from datetime import date

    from tenant_app.listing.services import batches

    from .factory import as_user
    from .test_procedure import _apply, _through_commitment

    e, entry_id, s = _apply(app, world, 9, "qiye9", travel)
    _through_commitment(world, e, entry_id, s, travel)
    travel("2025-09-30")
    with as_user(world, "urumqi-officer1") as ctx:
        b = batches.create(
            ctx, {"title": "逾期批次", "complaint_channel": "12369", "entry_ids": [entry_id]}
        )
        batches.start_notice(ctx, b, {})  # 2025-09-30: closed 2025-10-14, never published
        db.session.commit()
    travel("2025-11-03")
    with as_user(world, "urumqi-officer1") as ctx:
        assert [o["due"] for o in batches.overdue_batches(ctx)] == [date(2025, 10, 21)]
    login(client, "xj", "xj-auditor")
    html = client.get("/xj-urumqi/listing/").get_data(as_text=True)
    assert "逾期批次" in html and "2025-10-21" in html and "已逾期" in html
    assert client.get("/sx-taiyuan/listing/").status_code == 403  # another province: never

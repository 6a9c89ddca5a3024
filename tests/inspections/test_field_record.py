"""Issue 10 item 6: the inspection record works at the plant gate.

- Evidence uploads carry an idempotency key: a retry over a flaky connection (the same key sent
  again) returns the first attachment and stores no second row, through the service, the page's
  uploader and the API.
- Checklist items are saved one at a time as the officer records them (htmx on the page, the
  same service call as the API), and so is each field of the record; an unchanged save writes
  no audit entry.
- Another tenant's officer and a role without the edit permission are refused.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tenant_app.core.errors import ValidationFailed
from tenant_app.extensions import db
from tenant_app.inspections.services import approvals, conduct, plans
from tenant_app.models import AuditEntry, Inspection, InspectionEvidence, InspectionFinding
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tests.helpers import bearer, csrf_from, login

from .conftest import acting, future, make_enterprise

pytestmark = pytest.mark.date_sensitive

# A real (1×1 px) PNG: the upload store checks the leading bytes against the extension.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a5f1e2a80000000049454e44ae426082"
)
KEY = "3f0c6a52-8d1e-4f7b-9a65-0b1c2d3e4f50"
API = "/api/v1/tenants/sx-taiyuan"


def running_inspection(officers: list[int], name: str = "太原现场记录测试有限公司") -> int:
    """An approved on-site inspection the officer has started (status in_progress)."""
    e = make_enterprise(
        "sx-taiyuan", name=name, permit_class="simplified", permit_no="91140100F001Q"
    )
    with acting("taiyuan-officer1", "sx-taiyuan"):
        insp = plans.create_inspection(
            scope_context(),
            {
                "enterprise_id": e.id,
                "mode": "on_site",
                "trigger": "proactive",
                "planned_date": future(9, 15).isoformat(),
                "officer_ids": officers,
            },
        )
        db.session.commit()
        iid = insp.id
    with acting("taiyuan-principal", "sx-taiyuan"):
        approvals.approve(scope_context(), plans.get_inspection(iid), "同意")
        db.session.commit()
    with acting("taiyuan-officer1", "sx-taiyuan"):
        conduct.start(scope_context(), plans.get_inspection(iid))
        db.session.commit()
    return iid


def _evidence_rows(iid: int) -> list[InspectionEvidence]:
    with use_scope(system_scope()):
        return list(
            db.session.execute(
                select(InspectionEvidence).where(InspectionEvidence.inspection_id == iid)
            ).scalars()
        )


def _audits(action: str, iid: int) -> int:
    with use_scope(system_scope()):
        return db.session.execute(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == action, AuditEntry.object_id == str(iid)
            )
        ).scalar_one()


def _keys(iid: int) -> list[str]:
    with use_scope(system_scope()):
        insp = db.session.get(Inspection, iid)
        assert insp is not None
        return [i["key"] for i in insp.checklist]


def test_the_same_upload_key_twice_keeps_one_attachment(client, sx):
    """A photo sent, the answer lost on the way back, sent again with the same key: one row,
    one audit entry, the same attachment both times. Another key is another file."""
    iid = running_inspection(sx["officers"])
    with acting("taiyuan-officer1", "sx-taiyuan"):
        insp = plans.get_inspection(iid)
        first = conduct.add_evidence(
            scope_context(), insp, io.BytesIO(PNG), "gate.png", "photo", "大门", upload_key=KEY
        )
        db.session.commit()
        again = conduct.add_evidence(
            scope_context(), insp, io.BytesIO(PNG), "gate.png", "photo", "大门", upload_key=KEY
        )
        db.session.commit()
        assert again.id == first.id
        other = conduct.add_evidence(
            scope_context(), insp, io.BytesIO(PNG), "gate.png", "photo", upload_key=KEY[::-1]
        )
        db.session.commit()
        assert other.id != first.id
        with pytest.raises(ValidationFailed) as bad:
            conduct.add_evidence(
                scope_context(), insp, io.BytesIO(PNG), "x.png", "photo", upload_key="短"
            )
        assert "upload_key" in bad.value.errors
        db.session.rollback()
    assert len(_evidence_rows(iid)) == 2
    assert _audits("inspection.evidence_added", iid) == 2


def test_a_retried_upload_through_the_page_and_the_api_is_stored_once(client, sx):
    iid = running_inspection(sx["officers"])
    base = f"/sx-taiyuan/inspections/{iid}"
    login(client, "sx-taiyuan", "taiyuan-officer1")
    page = client.get(f"{base}/").get_data(as_text=True)
    # the camera opens for the photo input on a phone
    assert 'accept="image/*" capture="environment"' in page
    token = csrf_from(page)

    def send(key: str) -> object:
        return client.post(
            f"{base}/evidence",
            data={
                "csrf_token": token,
                "kind": "photo",
                "note": "排污口",
                "upload_key": key,
                "file": (io.BytesIO(PNG), "outlet.png"),
            },
            headers={"X-Requested-With": "XMLHttpRequest"},
            content_type="multipart/form-data",
        )

    one, two = send(KEY), send(KEY)
    assert one.status_code == two.status_code == 201
    listed = two.get_data(as_text=True)
    assert listed.count("outlet.png") == 1 and "排污口" in listed  # the list, not a redirect
    assert len(_evidence_rows(iid)) == 1

    # The API: the key as a form field or as the Idempotency-Key header, same answer.
    h = bearer("taiyuan-officer1")

    def api(**kw: str) -> object:
        return client.post(
            f"{API}/inspections/{iid}/evidence",
            data={"kind": "photo", "file": (io.BytesIO(PNG), "api.png"), **kw},
            headers=h,
            content_type="multipart/form-data",
        )

    a = api(upload_key="api-key-0000000001")
    b = api(upload_key="api-key-0000000001")
    assert a.status_code == b.status_code == 201
    assert a.get_json()["id"] == b.get_json()["id"]
    c = client.post(
        f"{API}/inspections/{iid}/evidence",
        data={"kind": "photo", "file": (io.BytesIO(PNG), "hdr.png")},
        headers={**h, "Idempotency-Key": "header-key-000000001"},
        content_type="multipart/form-data",
    )
    d = client.post(
        f"{API}/inspections/{iid}/evidence",
        data={"kind": "photo", "file": (io.BytesIO(PNG), "hdr.png")},
        headers={**h, "Idempotency-Key": "header-key-000000001"},
        content_type="multipart/form-data",
    )
    assert c.get_json()["id"] == d.get_json()["id"]
    bad = client.post(
        f"{API}/inspections/{iid}/evidence",
        data={
            "kind": "photo",
            "upload_key": "no spaces allowed!",
            "file": (io.BytesIO(PNG), "x.png"),
        },
        headers=h,
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert len(_evidence_rows(iid)) == 3


def _htmx(client, url: str, token: str, data: dict[str, str]) -> object:
    return client.post(url, data=data, headers={"HX-Request": "true", "X-CSRFToken": token})


def test_checklist_items_are_saved_one_at_a_time(client, sx):
    """The officer picks 符合 for the first item: saved at once, the others untouched; the
    note typed afterwards is saved too; saving it again unchanged writes no audit entry; an
    item without a result says so and saves nothing; a key not on the checklist is refused."""
    iid = running_inspection(sx["officers"])
    first, second = _keys(iid)[:2]
    base = f"/sx-taiyuan/inspections/{iid}"
    login(client, "sx-taiyuan", "taiyuan-officer1")
    token = csrf_from(client.get(f"{base}/").get_data(as_text=True))
    saved = _htmx(client, f"{base}/findings/{first}", token, {f"result_{first}": "compliant"})
    assert saved.status_code == 200 and "已保存" in saved.get_data(as_text=True)
    noted = _htmx(
        client,
        f"{base}/findings/{first}",
        token,
        {f"result_{first}": "compliant", f"note_{first}": "台账齐全"},
    )
    assert noted.status_code == 200
    audits = _audits("inspection.findings_saved", iid)
    _htmx(
        client,
        f"{base}/findings/{first}",
        token,
        {f"result_{first}": "compliant", f"note_{first}": "台账齐全"},
    )
    assert _audits("inspection.findings_saved", iid) == audits == 2
    refused = _htmx(client, f"{base}/findings/{second}", token, {f"note_{second}": "先写说明"})
    assert refused.status_code == 422 and "请选择检查结果" in refused.get_data(as_text=True)
    unknown = _htmx(client, f"{base}/findings/nope", token, {"result_nope": "compliant"})
    assert unknown.status_code == 422 and "不是本次检查表中的项目" in unknown.get_data(as_text=True)
    with use_scope(system_scope()):
        rows = db.session.execute(
            select(InspectionFinding).where(InspectionFinding.inspection_id == iid)
        ).scalars()
        assert {(f.item_key, f.result, f.note) for f in rows} == {(first, "compliant", "台账齐全")}
    # The page shows the saved choice after a reload.
    page = client.get(f"{base}/").get_data(as_text=True)
    assert f'id="result-{first}-compliant" value="compliant" autocomplete="off" checked' in page

    # The API records an item the same way (the same service call).
    api = client.put(
        f"{API}/inspections/{iid}/findings",
        json={"findings": [{"item_key": second, "result": "issue", "note": "危废台账缺失"}]},
        headers=bearer("taiyuan-officer1"),
    )
    assert api.status_code == 200
    assert {f["item_key"]: f["result"] for f in api.get_json()} == {
        first: "compliant",
        second: "issue",
    }


def test_the_record_is_saved_field_by_field(client, sx):
    iid = running_inspection(sx["officers"])
    base = f"/sx-taiyuan/inspections/{iid}"
    login(client, "sx-taiyuan", "taiyuan-officer1")
    token = csrf_from(client.get(f"{base}/").get_data(as_text=True))
    assert _htmx(client, f"{base}/record", token, {"location": "一号车间"}).status_code == 200
    r = _htmx(client, f"{base}/record", token, {"statement": "治污设施运行正常"})
    assert r.status_code == 200 and "已保存" in r.get_data(as_text=True)
    entries = _audits("inspection.record_saved", iid)
    _htmx(client, f"{base}/record", token, {"statement": "治污设施运行正常"})  # unchanged
    assert _audits("inspection.record_saved", iid) == entries == 2
    with use_scope(system_scope()):
        insp = db.session.get(Inspection, iid)
        assert insp is not None
        assert insp.record["location"] == "一号车间"
        assert insp.record["statement"] == "治污设施运行正常"


def test_an_item_is_refused_before_the_start_to_another_tenant_and_without_the_permission(
    client, sx
):
    iid = running_inspection(sx["officers"])
    key = _keys(iid)[0]
    data = {f"result_{key}": "compliant"}
    # Urumqi's officer: Taiyuan's inspection does not exist in Urumqi, and Taiyuan is not theirs.
    login(client, "xj-urumqi", "urumqi-officer1")
    token = csrf_from(client.get("/xj-urumqi/inspections/").get_data(as_text=True))
    foreign = _htmx(client, f"/xj-urumqi/inspections/{iid}/findings/{key}", token, data)
    assert foreign.status_code == 404
    assert _htmx(
        client, f"/sx-taiyuan/inspections/{iid}/findings/{key}", token, data
    ).status_code in (
        403,
        404,
    )
    api = client.put(
        f"/api/v1/tenants/xj-urumqi/inspections/{iid}/findings",
        json={"findings": [{"item_key": key, "result": "compliant"}]},
        headers=bearer("urumqi-officer1"),
    )
    assert api.status_code == 404
    foreign_upload = client.post(
        f"/xj-urumqi/inspections/{iid}/evidence",
        data={
            "csrf_token": token,
            "kind": "photo",
            "upload_key": KEY,
            "file": (io.BytesIO(PNG), "x.png"),
        },
        headers={"X-Requested-With": "XMLHttpRequest"},
        content_type="multipart/form-data",
    )
    assert foreign_upload.status_code == 404
    client.post("/xj-urumqi/logout", data={"csrf_token": token})
    # Taiyuan's tenant admin may read inspections but not record them.
    login(client, "sx-taiyuan", "taiyuan-admin")
    token = csrf_from(client.get(f"/sx-taiyuan/inspections/{iid}/").get_data(as_text=True))
    assert (
        _htmx(client, f"/sx-taiyuan/inspections/{iid}/findings/{key}", token, data).status_code
        == 403
    )
    assert (
        client.put(
            f"{API}/inspections/{iid}/findings",
            json={"findings": [{"item_key": key, "result": "compliant"}]},
            headers=bearer("taiyuan-admin"),
        ).status_code
        == 403
    )
    with use_scope(system_scope()):
        assert not db.session.execute(
            select(InspectionFinding).where(InspectionFinding.inspection_id == iid)
        ).first()
    assert _evidence_rows(iid) == []


def test_an_item_of_an_inspection_not_started_is_refused_by_its_line(client, sx):
    e = make_enterprise("sx-taiyuan")
    with acting("taiyuan-officer1", "sx-taiyuan"):
        insp = plans.create_inspection(
            scope_context(),
            {
                "enterprise_id": e.id,
                "mode": "on_site",
                "trigger": "proactive",
                "planned_date": future(9, 16).isoformat(),
                "officer_ids": sx["officers"],
            },
        )
        db.session.commit()
        iid, key = insp.id, insp.checklist[0]["key"]
    login(client, "sx-taiyuan", "taiyuan-officer1")
    token = csrf_from(client.get(f"/sx-taiyuan/inspections/{iid}/").get_data(as_text=True))
    r = _htmx(
        client,
        f"/sx-taiyuan/inspections/{iid}/findings/{key}",
        token,
        {f"result_{key}": "compliant"},
    )
    assert r.status_code == 409 and "检查尚未开始或已结束" in r.get_data(as_text=True)

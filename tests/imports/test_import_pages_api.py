"""The import pages and API: upload, status, error downloads, export; isolation; permissions."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tenant_app.accounts import users as user_service
from tenant_app.extensions import db
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import bearer, csrf_from, login, tenant
from ..registry.factory import make_enterprise, uscc
from .files import csv_bytes, enterprise_codes, good_row, mixed_rows, run_import, xlsx_bytes

API = "/api/v1/tenants/xj-urumqi"


def _upload_page(client, data: bytes, filename: str, mode: str, kind: str = "enterprises"):
    token = csrf_from(client.get("/xj-urumqi/imports/").get_data(as_text=True))
    return client.post(
        "/xj-urumqi/imports/",
        content_type="multipart/form-data",
        data={
            "csrf_token": token,
            "kind": kind,
            "mode": mode,
            "file": (io.BytesIO(data), filename),
        },
    )


def test_the_page_states_the_mode_before_the_import_starts(client, world):
    login(client, "xj-urumqi", "urumqi-officer1")
    page = client.get("/xj-urumqi/imports/").get_data(as_text=True)
    assert "全部有效才导入（有任何错误则一行也不写入）" in page
    assert "只导入有效行（错误行跳过并列出）" in page
    listing = client.get("/xj-urumqi/enterprises/").get_data(as_text=True)
    assert "/xj-urumqi/imports/" in listing and "/xj-urumqi/enterprises/export.xlsx" in listing


def test_upload_on_the_page_runs_the_job_and_shows_the_errors(client, world):
    login(client, "xj-urumqi", "urumqi-officer1")
    resp = _upload_page(client, csv_bytes(mixed_rows()), "企业名录.csv", "valid")
    assert resp.status_code == 302
    show = client.get(resp.headers["Location"])
    html = show.get_data(as_text=True)
    assert show.status_code == 200
    assert 'data-outcome="imported"' in html and "已导入 4 行，跳过 3 行有错误的行" in html
    assert "第 18 位校验码应为" in html and "请填写企业名称" in html
    xlsx = client.get(resp.headers["Location"] + "errors.xlsx")
    assert xlsx.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(xlsx.data), read_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert rows[0] == ("行号", "列", "列名", "原因") and {r[0] for r in rows[1:]} == {4, 6, 8}
    csv_resp = client.get(resp.headers["Location"] + "errors.csv")
    assert csv_resp.status_code == 200 and "统一社会信用代码" in csv_resp.data.decode("utf-8-sig")
    assert len(enterprise_codes()) == 4


@pytest.mark.parametrize(
    "data,filename,field_text",
    [
        (b"MZ\x90\x00", "virus.exe", "只接受 .csv 或 .xlsx 文件"),
        (b"a,b\x00\x00", "fake.csv", "不是文本"),
        (b"", "empty.csv", "上传的文件是空的"),
    ],
)
def test_bad_uploads_are_refused_on_the_page_with_a_reason(
    client, world, data, filename, field_text
):
    login(client, "xj-urumqi", "urumqi-officer1")
    resp = _upload_page(client, data, filename, "all")
    assert resp.status_code == 422 and field_text in resp.get_data(as_text=True)


def test_the_page_refuses_a_missing_mode_or_kind(client, world):
    login(client, "xj-urumqi", "urumqi-officer1")
    resp = _upload_page(client, csv_bytes([good_row(1)]), "a.csv", "sometimes", kind="bogus")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "请选择导入方式" in html and "请选择导入内容" in html
    assert enterprise_codes() == []


def test_api_upload_status_and_report(client, world):
    headers = bearer("urumqi-officer1")
    data = xlsx_bytes(mixed_rows())  # once: an XLSX carries its creation time, so its hash
    resp = client.post(
        f"{API}/imports",
        headers=headers,
        content_type="multipart/form-data",
        data={"kind": "enterprises", "mode": "all", "file": (io.BytesIO(data), "企业.xlsx")},
    )
    assert resp.status_code == 202, resp.get_json()
    body = resp.get_json()
    assert "file" not in body["args"] and body["args"]["mode"] == "all"
    status = client.get(f"{API}/imports/{body['id']}", headers=headers).get_json()
    assert status["status"] == "done" and status["result"]["outcome"] == "rejected"
    assert status["result"]["invalid"] == 3 and status["result"]["written"] == 0
    report = client.get(f"{API}/imports/{body['id']}/errors?format=csv", headers=headers)
    assert report.status_code == 200 and "与文件第 2 行的统一社会信用代码" in report.data.decode(
        "utf-8-sig"
    )
    again = client.post(
        f"{API}/imports",
        headers=headers,
        content_type="multipart/form-data",
        data={"kind": "enterprises", "mode": "all", "file": (io.BytesIO(data), "x.xlsx")},
    )
    assert again.get_json()["id"] == body["id"]
    bad = client.post(
        f"{API}/imports",
        headers=headers,
        content_type="multipart/form-data",
        data={"kind": "enterprises", "mode": "all"},
    )
    assert bad.status_code == 422 and "file" in bad.get_json()["errors"]
    assert (
        client.post(
            f"{API}/imports",
            headers=headers,
            content_type="multipart/form-data",
            data={"kind": "nope", "mode": "all"},
        ).status_code
        == 422
    )
    assert (
        "/api/v1/tenants/{tenant}/imports" in client.get("/api/v1/openapi.json").get_json()["paths"]
    )


def test_an_import_in_tenant_a_never_touches_tenant_b(client, world):
    b_before = enterprise_codes("sx-taiyuan")
    job = run_import(csv_bytes([good_row(1), good_row(2)]), mode="all")
    assert job["result"]["written"] == 2
    assert enterprise_codes("sx-taiyuan") == b_before == []
    # The same codes are free in tenant B: uniqueness is per tenant.
    job_b = run_import(csv_bytes([good_row(1)]), mode="all", slug="sx-taiyuan")
    assert job_b["result"]["written"] == 1 and job_b["id"] != job["id"]
    assert enterprise_codes("sx-taiyuan") == [uscc(1)]
    assert len(enterprise_codes("xj-urumqi")) == 2


def test_another_tenants_import_answers_404(client, world):
    job = run_import(csv_bytes(mixed_rows()), mode="all")
    headers = bearer("taiyuan-admin")
    for path in ("", "/errors", "/errors?format=csv"):
        foreign = client.get(
            f"/api/v1/tenants/sx-taiyuan/imports/{job['id']}{path}", headers=headers
        )
        missing = client.get(
            f"/api/v1/tenants/sx-taiyuan/imports/import:0:x{path}", headers=headers
        )
        assert foreign.status_code == missing.status_code == 404
    assert client.get(f"{API}/imports/{job['id']}", headers=headers).status_code == 403
    login(client, "sx-taiyuan", "taiyuan-admin")
    for suffix in ("", "errors.csv", "errors.xlsx"):
        assert client.get(f"/sx-taiyuan/imports/{job['id']}/{suffix}").status_code == 404


def _enterprise_user() -> None:
    t = tenant("xj-urumqi")
    with use_scope(system_scope(t.id)):
        user_service.create_user(
            scope_context(),
            tenant=t,
            username="ent-user",
            display_name="企业用户",
            password="Demo-2026-pass",
            roles=["enterprise"],
            enterprise_uscc=make_enterprise("xj-urumqi", 900).uscc,
        )
        db.session.commit()


@pytest.mark.parametrize("username", ["urumqi-principal", "ent-user"])
def test_read_only_roles_and_enterprise_users_cannot_import(client, world, username):
    if username == "ent-user":
        _enterprise_user()
    job = run_import(csv_bytes([good_row(1)]), mode="all")
    headers = bearer(username)
    resp = client.post(
        f"{API}/imports",
        headers=headers,
        content_type="multipart/form-data",
        data={
            "kind": "enterprises",
            "mode": "valid",
            "file": (io.BytesIO(csv_bytes([good_row(2)])), "a.csv"),
        },
    )
    assert resp.status_code == 403
    assert client.get(f"{API}/imports/{job['id']}", headers=headers).status_code == 403
    login(client, "xj-urumqi", username)
    assert client.get("/xj-urumqi/imports/").status_code == 403
    assert client.get(f"/xj-urumqi/imports/{job['id']}/errors.csv").status_code == 403
    codes = enterprise_codes()
    assert uscc(1) in codes and uscc(2) not in codes  # the refused import added nothing
    if username == "ent-user":  # no registry export for enterprise accounts either
        assert client.get("/xj-urumqi/enterprises/export.xlsx").status_code == 403


def _sheet_rows(data: bytes) -> list[tuple]:
    return list(
        load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows(values_only=True)
    )


def test_export_follows_the_current_filter_on_the_page_and_the_api(client, world):
    make_enterprise("xj-urumqi", 1, name="天山化工有限公司")
    make_enterprise("xj-urumqi", 2, name='=HYPERLINK("http://x")水泥有限公司')
    make_enterprise("xj-urumqi", 3, name="天山水泥有限公司", industry_code="C3011")
    make_enterprise("sx-taiyuan", 4, name="天山外省化工有限公司")
    login(client, "xj-urumqi", "urumqi-officer1")
    resp = client.get("/xj-urumqi/enterprises/export.xlsx?q=天山")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    rows = _sheet_rows(resp.data)
    assert rows[0][:2] == ("统一社会信用代码", "企业名称")
    assert sorted(r[1] for r in rows[1:]) == ["天山化工有限公司", "天山水泥有限公司"]
    everything = _sheet_rows(client.get("/xj-urumqi/enterprises/export.xlsx").data)
    assert len(everything) == 4  # header + A's three, never B's
    assert any(r[1].startswith("'=HYPERLINK") for r in everything[1:])  # no formula injection
    api = client.get(f"{API}/enterprises/export?industry=C30", headers=bearer("urumqi-officer1"))
    assert api.status_code == 200
    assert [r[1] for r in _sheet_rows(api.data)[1:]] == ["天山水泥有限公司"]
    bad = client.get(
        f"{API}/enterprises/export?permit_expires_from=notadate", headers=bearer("urumqi-officer1")
    )
    assert bad.status_code == 422


def test_exported_file_imports_back_as_duplicates_not_new_rows(client, world):
    make_enterprise("xj-urumqi", 1)
    login(client, "xj-urumqi", "urumqi-officer1")
    data = client.get("/xj-urumqi/enterprises/export.xlsx").data
    job = run_import(data, filename="导出.xlsx", mode="valid")
    assert job["result"]["rows"] == 1 and job["result"]["written"] == 0
    assert "本单位已登记" in job["result"]["preview"][0]["reason"]

"""Issue 10 item 5: an enterprise export above EXPORT_INLINE_MAX_ROWS runs as a job (the limit is
lowered to 3 here, as 2,000 rows would be slow to make): the page and the API answer a job, the
job counts its rows, writes the file into the tenant's folder of the upload store with the audit
line "enterprise.exported", and offers the file to the person who asked for it. A small export
still downloads at once; another officer of the tenant and another tenant get no file."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tenant_app.clock import utcnow
from tenant_app.core import uploads
from tenant_app.extensions import db
from tenant_app.imports.services.export import start_export
from tenant_app.jobs.status import FILE_AREA, purge_files
from tenant_app.models import AuditEntry, Job, JobStatus
from tenant_app.registry.services.enterprise_search import Filters
from tenant_app.tenancy.acting import scope_context
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import bearer, csrf_from, login, tenant
from ..registry.factory import make_enterprise

API = "/api/v1/tenants/xj-urumqi"


@pytest.fixture()
def small_limit(app: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_ROWS", 3)


@pytest.fixture()
def registry(world: dict[str, Any]) -> dict[str, Any]:
    """Five chemical plants and a cement works in Urumqi; one plant in Taiyuan."""
    for n in range(1, 6):
        make_enterprise("xj-urumqi", n, name=f"天山{n}号化工有限公司")
    make_enterprise("xj-urumqi", 6, name="乌鲁木齐水泥有限公司", industry_code="C3011")
    make_enterprise("sx-taiyuan", 7, name="天山外省化工有限公司")
    return world


def _rows(data: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def _exports() -> list[AuditEntry]:
    with use_scope(system_scope()):
        return list(
            db.session.execute(
                select(AuditEntry).where(AuditEntry.action == "enterprise.exported")
            ).scalars()
        )


def _start_on_the_page(client: Any, query: str) -> str:
    """Follow the export link of the list to the job's page; returns the job's page URL."""
    resp = client.get(f"/xj-urumqi/enterprises/export.xlsx?{query}")
    assert resp.status_code == 302 and "/xj-urumqi/enterprises/export/" in resp.headers["Location"]
    page = client.get(resp.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "按当前条件共有 5 家企业" in html
    assert 'id="export-start"' in html and 'name="q" value="化工"' in html
    started = client.post(
        "/xj-urumqi/enterprises/export/", data={"csrf_token": csrf_from(html), "q": "化工"}
    )
    assert started.status_code == 302 and "/xj-urumqi/jobs/export:" in started.headers["Location"]
    return started.headers["Location"]


def test_a_large_export_runs_as_a_job_and_offers_the_file(client, registry, small_limit):
    login(client, "xj-urumqi", "urumqi-officer1")
    job_page = _start_on_the_page(client, "q=化工")
    html = client.get(job_page).get_data(as_text=True)
    assert "导出企业名录" in html and 'data-status="done"' in html
    assert "已处理 5 / 5" in html and 'id="job-download"' in html and "5 行" in html
    job_id = job_page.rstrip("/").rsplit("/", 1)[1]
    resp = client.get(f"/xj-urumqi/jobs/{job_id}/file")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = _rows(resp.data)
    assert rows[0][:2] == ("统一社会信用代码", "企业名称")
    assert sorted(r[1] for r in rows[1:]) == [f"天山{n}号化工有限公司" for n in range(1, 6)]
    # kept in the tenant's folder of the one upload store, never in another tenant's
    with use_scope(system_scope()):
        job = db.session.execute(select(Job).where(Job.id == job_id)).scalar_one()
    stored = uploads.path_of(job.result["file"]["name"])
    assert stored.parent == uploads.root() / FILE_AREA / str(tenant("xj-urumqi").id)
    # who took which data: one audit line, naming the officer and the filter
    (entry,) = _exports()
    assert entry.actor_name == "urumqi-officer1" and entry.object_id == job_id
    assert entry.after["rows"] == 5 and entry.after["filters"] == {"q": "化工"}  # type: ignore[index]


def test_a_small_export_still_downloads_at_once(client, registry, small_limit):
    login(client, "xj-urumqi", "urumqi-officer1")
    resp = client.get("/xj-urumqi/enterprises/export.xlsx?q=水泥")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    assert [r[1] for r in _rows(resp.data)[1:]] == ["乌鲁木齐水泥有限公司"]
    page = client.get("/xj-urumqi/enterprises/export/?q=水泥").get_data(as_text=True)
    assert "按当前条件共有 1 家企业" in page and 'id="export-download"' in page
    with use_scope(system_scope()):
        assert db.session.execute(select(Job).where(Job.name.like("imports.export%"))).all() == []


def test_only_the_person_who_asked_gets_the_file(client, registry, small_limit):
    login(client, "xj-urumqi", "urumqi-officer1")
    job_page = _start_on_the_page(client, "q=化工")
    job_id = job_page.rstrip("/").rsplit("/", 1)[1]
    other = client.application.test_client()
    login(other, "xj-urumqi", "urumqi-officer2")
    html = other.get(job_page).get_data(as_text=True)
    assert 'data-status="done"' in html and 'id="job-download"' not in html
    assert "文件只提供给发起该任务的人下载" in html
    assert other.get(f"/xj-urumqi/jobs/{job_id}/file").status_code == 404
    assert other.get(f"/xj-urumqi/jobs/{job_id}/status").get_json()["download_url"] is None
    foreign = client.application.test_client()
    login(foreign, "sx-taiyuan", "taiyuan-admin")
    for path in ("", "file", "progress"):
        assert foreign.get(f"/sx-taiyuan/jobs/{job_id}/{path}").status_code == 404
    headers = bearer("taiyuan-admin")
    for path in ("", "/file"):
        url = f"/api/v1/tenants/sx-taiyuan/jobs/{job_id}{path}"
        assert client.get(url, headers=headers).status_code == 404
    assert client.get(f"{API}/jobs/{job_id}/file", headers=headers).status_code == 403


def test_the_api_answers_202_with_the_job_then_the_file(client, registry, small_limit):
    headers = bearer("urumqi-officer1")
    resp = client.get(f"{API}/enterprises/export?q=化工", headers=headers)
    assert resp.status_code == 202
    body = resp.get_json()
    assert resp.headers["Location"].endswith(f"{API}/jobs/{body['id']}")
    job = client.get(resp.headers["Location"], headers=headers).get_json()
    assert job["status"] == "done" and job["title"] == "导出企业名录"
    assert (job["items_done"], job["items_total"]) == (5, 5)
    assert job["result"]["rows"] == 5
    assert job["result"]["file"] == {
        "download_name": "企业名录.xlsx",
        "size": job["result"]["file"]["size"],
        "rows": 5,
    }  # where the file lies on the server is not shown
    assert job["download_url"] == f"{API}/jobs/{body['id']}/file"
    data = client.get(job["download_url"], headers=headers)
    assert data.status_code == 200
    assert len(_rows(data.data)) == 6
    # another officer of the tenant sees the job, not the file
    other = bearer("urumqi-officer2")
    assert client.get(resp.headers["Location"], headers=other).get_json()["download_url"] is None
    assert client.get(job["download_url"], headers=other).status_code == 404
    # small stays a file
    small = client.get(f"{API}/enterprises/export?industry=C30", headers=headers)
    assert small.status_code == 200 and small.mimetype.endswith("spreadsheetml.sheet")
    assert len(_exports()) == 2


def test_asking_twice_while_it_waits_makes_one_export(registry, small_limit):
    """A double click: the same person and filter while the first still waits → the same job."""
    officer = registry["users"]["urumqi-officer1"]
    with use_scope(tenant_scope(tenant("xj-urumqi"), officer.id)):
        ctx = scope_context()
        first = start_export(ctx, Filters(q="化工"))
        again = start_export(ctx, Filters(q="化工"))
        other = start_export(ctx, Filters(q="水泥"))
        assert again is first and other is not first
        db.session.rollback()


def test_a_tenant_keeps_a_bounded_number_of_exports_going(client, registry, small_limit, app):
    app.config["EXPORTS_PER_TENANT"] = 0
    try:
        resp = client.get(f"{API}/enterprises/export?q=化工", headers=bearer("urumqi-officer1"))
        assert resp.status_code == 429
        assert "同时最多 0 个" in resp.get_json()["errors"]["export"][0]
        login(client, "xj-urumqi", "urumqi-officer1")
        page = client.get("/xj-urumqi/enterprises/export/?q=化工").get_data(as_text=True)
        refused = client.post(
            "/xj-urumqi/enterprises/export/", data={"csrf_token": csrf_from(page), "q": "化工"}
        )
        assert refused.status_code == 422 and "请等其完成后再导出" in refused.get_data(as_text=True)
    finally:
        app.config["EXPORTS_PER_TENANT"] = 3


@pytest.mark.date_sensitive
def test_export_files_are_removed_after_their_keeping_time(client, registry, small_limit, app):
    login(client, "xj-urumqi", "urumqi-officer1")
    job_page = _start_on_the_page(client, "q=化工")
    job_id = job_page.rstrip("/").rsplit("/", 1)[1]
    with use_scope(system_scope()):
        job = db.session.execute(select(Job).where(Job.id == job_id)).scalar_one()
        assert job.status == JobStatus.DONE
    path = Path(uploads.path_of(job.result["file"]["name"]))
    keep = timedelta(hours=app.config["EXPORT_KEEP_HOURS"])
    assert purge_files(keep) == 0 and path.is_file()
    old = (utcnow() - keep - timedelta(minutes=1)).timestamp()
    os.utime(path, (old, old))
    assert purge_files(keep) == 1 and not path.exists()
    html = client.get(job_page).get_data(as_text=True)
    assert "文件已超过保存期限并被删除" in html and 'id="job-download"' not in html
    assert client.get(f"/xj-urumqi/jobs/{job_id}/file").status_code == 404

"""Issue 10 item 5, honest progress: a job's page shows the bar and the count done, a failed
job's reason in words with a retry button that starts one retry however often it is pressed,
and a job no worker has taken says that it waits instead of spinning. Pages and API alike;
another tenant sees nothing; a role that may not start the kind sees no retry."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from tenant_app.clock import utcnow
from tenant_app.extensions import db
from tenant_app.jobs import enqueue
from tenant_app.jobs.enqueue import _PENDING_KEY
from tenant_app.models import AuditEntry, Job, JobStatus
from tenant_app.tenancy.resolve import system_scope, tenant_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import bearer, csrf_from, login, tenant
from . import kinds
from .conftest import job_row

API = "/api/v1/tenants/xj-urumqi"


@pytest.fixture(autouse=True)
def _clean_traces() -> Any:
    kinds.RUNS.clear()
    kinds.FLAKY.clear()
    yield
    kinds.FLAKY.clear()
    kinds.RUNS.clear()


def _start(world: dict[str, Any], name: str, username: str = "urumqi-officer1", **args: Any) -> str:
    """A job of ``name`` asked for by ``username`` in their tenant (runs at commit: JOBS_EAGER)."""
    user = world["users"][username]
    with use_scope(tenant_scope(tenant("xj-urumqi"), user.id)):
        job_id = enqueue(name, args).id
        db.session.commit()
    return job_id


def _failed_job(world: dict[str, Any]) -> str:
    kinds.FLAKY.set()
    job_id = _start(world, "testjobs.flaky", tag="a")
    row = job_row(job_id)
    assert row is not None and (row["status"], row["attempts"]) == (JobStatus.FAILED, 2)
    return job_id


def _retry(client: Any, job_id: str, attempt: int, **headers: str) -> Any:
    page = f"/xj-urumqi/jobs/{job_id}/"
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(
        f"/xj-urumqi/jobs/{job_id}/retry",
        data={"csrf_token": token, "attempt": attempt},
        headers=headers,
    )


def test_a_failed_jobs_page_shows_its_reason_and_a_retry_that_works_once(client, world):
    job_id = _failed_job(world)
    login(client, "xj-urumqi", "urumqi-officer1")
    html = client.get(f"/xj-urumqi/jobs/{job_id}/").get_data(as_text=True)
    assert 'data-status="failed"' in html and "失败" in html
    # the reason in words, with its detail; the count it reached; no exception class or trace
    assert "上级系统暂时无法连接：请稍后重试" in html
    assert "已处理 3 / 4" in html
    assert "ServiceError" not in html and "Traceback" not in html
    assert 'id="job-retry"' in html and 'name="attempt" value="2"' in html
    assert "hx-get" not in html  # a failed job is not polled

    kinds.FLAKY.clear()  # the cause is fixed; the officer presses retry
    resp = _retry(client, job_id, 2)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/jobs/{job_id}/")
    assert [job_id] * 3 == kinds.RUNS  # two failed attempts, then the retry
    row = job_row(job_id)
    assert row["status"] == JobStatus.DONE and row["error"] is None  # type: ignore[index]
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已重新开始该任务" in html and "已处理 4 / 4" in html and 'id="job-retry"' not in html

    # a second press of the same button (the page it was on said attempt 2): nothing starts
    again = client.post(
        f"/xj-urumqi/jobs/{job_id}/retry",
        data={"csrf_token": csrf_from(html), "attempt": 2},
    )
    assert again.status_code == 302
    assert [job_id] * 3 == kinds.RUNS
    assert "没有再次开始" in client.get(again.headers["Location"]).get_data(as_text=True)
    with use_scope(system_scope()):
        retried = (
            db.session.execute(select(AuditEntry).where(AuditEntry.action == "job.retried"))
            .scalars()
            .all()
        )
    assert len(retried) == 1
    assert retried[0].after["job"] == job_id  # type: ignore[index]
    assert retried[0].before["error"] == "上级系统暂时无法连接：请稍后重试"  # type: ignore[index]


def test_a_double_click_on_retry_starts_one_retry_even_when_it_fails_again(client, world):
    """The retry fails again (the cause is not fixed): the second click of the same page still
    carries attempt 2 and starts nothing; the page now offers a retry from attempt 4."""
    job_id = _failed_job(world)
    login(client, "xj-urumqi", "urumqi-officer1")
    token = csrf_from(client.get(f"/xj-urumqi/jobs/{job_id}/").get_data(as_text=True))
    for _ in range(2):
        client.post(
            f"/xj-urumqi/jobs/{job_id}/retry",
            data={"csrf_token": token, "attempt": 2},
            headers={"HX-Request": "true"},
        )
    assert [job_id] * 4 == kinds.RUNS  # 2 + one retry of the kind's 2 attempts
    row = job_row(job_id)
    assert (row["status"], row["attempts"]) == (JobStatus.FAILED, 4)  # type: ignore[index]
    html = client.get(f"/xj-urumqi/jobs/{job_id}/").get_data(as_text=True)
    assert 'name="attempt" value="4"' in html


def test_the_htmx_retry_answers_the_progress_box_in_place(client, world):
    job_id = _failed_job(world)
    kinds.FLAKY.clear()
    login(client, "xj-urumqi", "urumqi-officer1")
    resp = _retry(client, job_id, 2, **{"HX-Request": "true"})
    assert resp.status_code == 200
    box = resp.get_data(as_text=True)
    assert box.lstrip().startswith('<div class="job-box"') and "<html" not in box
    assert 'data-status="done"' in box and "已处理 4 / 4" in box


def test_who_may_not_start_the_kind_sees_the_reason_but_no_retry(client, world):
    job_id = _failed_job(world)
    login(client, "xj-urumqi", "urumqi-principal")  # reads jobs, may not run them
    html = client.get(f"/xj-urumqi/jobs/{job_id}/").get_data(as_text=True)
    assert "上级系统暂时无法连接" in html and 'id="job-retry"' not in html
    token = csrf_from(html)
    resp = client.post(f"/xj-urumqi/jobs/{job_id}/retry", data={"csrf_token": token, "attempt": 2})
    assert resp.status_code == 403
    assert job_row(job_id)["status"] == JobStatus.FAILED  # type: ignore[index]
    api = client.post(
        f"{API}/jobs/{job_id}/retry", json={"attempt": 2}, headers=bearer("urumqi-principal")
    )
    assert api.status_code == 403


def test_another_tenant_neither_sees_nor_retries_the_job(client, world):
    job_id = _failed_job(world)
    login(client, "sx-taiyuan", "taiyuan-admin")
    for path in ("", "progress", "status", "file"):
        assert client.get(f"/sx-taiyuan/jobs/{job_id}/{path}").status_code == 404, path
    token = csrf_from(client.get("/sx-taiyuan/").get_data(as_text=True))
    resp = client.post(f"/sx-taiyuan/jobs/{job_id}/retry", data={"csrf_token": token, "attempt": 2})
    assert resp.status_code == 404
    headers = bearer("taiyuan-admin")
    base = "/api/v1/tenants/sx-taiyuan/jobs"
    assert client.get(f"{base}/{job_id}", headers=headers).status_code == 404
    assert client.get(f"{base}/{job_id}/file", headers=headers).status_code == 404
    resp = client.post(f"{base}/{job_id}/retry", json={"attempt": 2}, headers=headers)
    assert resp.status_code == 404
    assert client.get(f"{API}/jobs/{job_id}", headers=headers).status_code == 403
    assert job_row(job_id)["status"] == JobStatus.FAILED  # type: ignore[index]


def test_the_api_shows_the_reason_and_retries_once(client, world):
    job_id = _failed_job(world)
    headers = bearer("urumqi-officer1")
    body = client.get(f"{API}/jobs/{job_id}", headers=headers).get_json()
    assert body["status"] == "failed" and body["title"] == "后台任务"
    assert body["error"] == "上级系统暂时无法连接：请稍后重试"
    assert (body["items_done"], body["items_total"], body["attempts"]) == (3, 4, 2)
    assert body["download_url"] is None and body["waiting_for_worker"] is False
    assert client.post(f"{API}/jobs/{job_id}/retry", json={}, headers=headers).status_code == 422
    kinds.FLAKY.clear()
    first = client.post(f"{API}/jobs/{job_id}/retry", json={"attempt": 2}, headers=headers)
    assert first.status_code == 202 and first.get_json()["status"] == "done"
    again = client.post(f"{API}/jobs/{job_id}/retry", json={"attempt": 2}, headers=headers)
    assert again.status_code == 200 and again.get_json()["status"] == "done"
    assert [job_id] * 3 == kinds.RUNS


def _waiting_job(world: dict[str, Any], minutes: int) -> str:
    """A job committed but never taken by a worker (none runs), asked for ``minutes`` ago."""
    user = world["users"]["urumqi-officer1"]
    with use_scope(tenant_scope(tenant("xj-urumqi"), user.id)):
        job_id = enqueue("testjobs.record", {"tag": "w"}).id
        db.session.flush()
        db.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(created_at=utcnow() - timedelta(minutes=minutes))
        )
        db.session.info.pop(_PENDING_KEY, None)  # no worker: nothing runs it
        db.session.commit()
    return job_id


@pytest.mark.date_sensitive
def test_a_job_no_worker_took_says_it_is_waiting_instead_of_spinning(client, world):
    fresh = _waiting_job(world, 0)
    stale = _waiting_job(world, 12)
    login(client, "xj-urumqi", "urumqi-officer1")
    html = client.get(f"/xj-urumqi/jobs/{fresh}/").get_data(as_text=True)
    assert "正在等待后台处理程序接手" in html and 'id="job-waiting"' not in html
    assert 'hx-trigger="load delay:2s"' in html
    html = client.get(f"/xj-urumqi/jobs/{stale}/").get_data(as_text=True)
    assert 'id="job-waiting"' in html
    assert re.search(r"已等待 1[23] 分钟，还没有后台处理程序接手这个任务", html)
    assert 'hx-trigger="load delay:10s"' in html  # it keeps asking, less often
    assert 'value="0"' in html  # the bar stands at 0: no animation pretending to work
    body = client.get(f"{API}/jobs/{stale}", headers=bearer("urumqi-officer1")).get_json()
    assert body["waiting_for_worker"] is True and body["waited_minutes"] >= 12
    poll = client.get(f"/xj-urumqi/jobs/{stale}/status").get_json()
    assert poll["waiting_for_worker"] is True and poll["status_label"] == "等待开始"
    client.get("/lang/en")
    html = client.get(f"/xj-urumqi/jobs/{stale}/progress").get_data(as_text=True)
    assert "no background worker has taken this job yet" in html


def test_the_progress_box_counts_what_is_done_and_reloads_its_page_when_finished(client, world):
    job_id = _waiting_job(world, 0)
    with use_scope(system_scope(tenant("xj-urumqi").id)):
        db.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status=JobStatus.RUNNING, progress=40, items_done=8000, items_total=20000)
        )
        db.session.commit()
    login(client, "xj-urumqi", "urumqi-officer1")
    box = client.get(f"/xj-urumqi/jobs/{job_id}/progress?reload=1").get_data(as_text=True)
    assert "已处理 8,000 / 20,000" in box and 'value="40"' in box
    assert f"/xj-urumqi/jobs/{job_id}/progress?reload=1" in box
    client.get("/lang/en")
    box = client.get(f"/xj-urumqi/jobs/{job_id}/progress").get_data(as_text=True)
    assert "8,000 of 20,000 processed" in box and "Running" in box
    with use_scope(system_scope(tenant("xj-urumqi").id)):
        db.session.execute(update(Job).where(Job.id == job_id).values(status=JobStatus.DONE))
        db.session.commit()
    # the page that included the box shows the result below it: htmx reloads that page
    resp = client.get(f"/xj-urumqi/jobs/{job_id}/progress?reload=1", headers={"HX-Request": "true"})
    assert resp.headers.get("HX-Refresh") == "true"


def test_a_lost_worker_reads_as_words_on_the_page(client, world):
    """The reaper's reason (jobs/maintenance.py) is a sentence, not "no heartbeat"."""
    from tenant_app.jobs import maintenance

    job_id = _waiting_job(world, 0)
    with use_scope(system_scope(tenant("xj-urumqi").id)):
        db.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                status=JobStatus.RUNNING,
                attempts=Job.max_attempts,
                heartbeat_at=utcnow() - timedelta(hours=1),
            )
        )
        db.session.commit()
    assert maintenance.reap_stale() == 1
    login(client, "xj-urumqi", "urumqi-officer1")
    html = client.get(f"/xj-urumqi/jobs/{job_id}/").get_data(as_text=True)
    assert "后台处理程序中断（长时间没有响应），任务没有完成" in html and 'id="job-retry"' in html

"""Issue 10 item 5 on the screening run's page: while its job works the page shows the job's box
(bar, count of enterprises screened); a failed run no longer says "waiting to start" forever but
the job's reason in words and a retry button for those who may screen; the retry screens."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tenant_app.extensions import db
from tenant_app.listing.services import bulk_screening
from tenant_app.models import Job, JobStatus, ScreeningRun
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope

from ..helpers import csrf_from, login
from .factory import good_enterprise


def _broken(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("connection reset while reading enterprise_facts (SELECT …)")


@pytest.mark.date_sensitive
def test_a_failed_screening_run_shows_the_reason_and_screens_on_retry(
    client: Any, world: dict[str, Any], monkeypatch: Any
) -> None:
    good_enterprise(3)
    monkeypatch.setattr(bulk_screening, "screen_tenant", _broken)
    login(client, "xj-urumqi", "urumqi-officer1")
    token = csrf_from(client.get("/xj-urumqi/listing/").get_data(as_text=True))
    started = client.post("/xj-urumqi/listing/screening", data={"csrf_token": token})
    assert started.status_code == 302
    run_page = started.headers["Location"]
    html = client.get(run_page).get_data(as_text=True)
    with use_scope(system_scope()):
        run = db.session.execute(select(ScreeningRun)).scalar_one()
        job = db.session.execute(select(Job).where(Job.id == run.job_id)).scalar_one()
    assert job.status == JobStatus.FAILED and run.status == "pending"
    assert 'id="job-box"' in html and 'data-status="failed"' in html
    assert "任务执行失败（内部错误" in html  # the reason in words ...
    assert "connection reset" not in html and "SELECT" not in html  # ... never the exception
    assert "等待开始" not in html  # the run's own stale status is not shown beside it
    assert 'id="job-retry"' in html

    monkeypatch.undo()  # the database answers again
    resp = client.post(
        f"/xj-urumqi/jobs/{job.id}/retry",
        data={"csrf_token": csrf_from(html), "attempt": job.attempts, "reload": "y"},
        headers={"HX-Request": "true"},
    )
    assert resp.status_code == 200 and 'data-status="done"' in resp.get_data(as_text=True)
    html = client.get(run_page).get_data(as_text=True)
    assert 'id="job-box"' not in html and "已完成" in html
    db.session.rollback()  # read the rows afresh
    with use_scope(system_scope()):
        run = db.session.execute(select(ScreeningRun)).scalar_one()
        job = db.session.execute(select(Job).where(Job.id == run.job_id)).scalar_one()
    assert run.status == "done" and run.total == 1
    assert (job.items_done, job.items_total) == (1, 1)


def test_an_auditor_reads_the_failed_run_but_cannot_retry_it(
    client: Any, world: dict[str, Any], monkeypatch: Any
) -> None:
    """The principal head reads the positive list but may not screen (LISTING_SCREEN)."""
    good_enterprise(3)
    monkeypatch.setattr(bulk_screening, "screen_tenant", _broken)
    login(client, "xj-urumqi", "urumqi-officer1")
    token = csrf_from(client.get("/xj-urumqi/listing/").get_data(as_text=True))
    run_page = client.post("/xj-urumqi/listing/screening", data={"csrf_token": token}).headers[
        "Location"
    ]
    head = client.application.test_client()
    login(head, "xj-urumqi", "urumqi-principal")
    html = head.get(run_page).get_data(as_text=True)
    assert "任务执行失败" in html and 'id="job-retry"' not in html

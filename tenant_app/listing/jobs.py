"""Positive-list jobs (issue 5): the tenant-wide screening and the daily expiry sweep. Each
builds its Context once from the scope the runner entered (the job's tenant, on behalf of the
user who asked for it) and hands it to the service."""

from __future__ import annotations

from typing import Any

from tenant_app.jobs.registry import JobContext, job
from tenant_app.tenancy.acting import scope_context


@job("listing.screen_tenant", timeout_seconds=1800)
def screen_tenant(job_ctx: JobContext, run_id: int) -> dict[str, Any]:
    from tenant_app.listing.services.screening import execute_run

    job_ctx.progress(1, "开始筛选")
    return execute_run(scope_context(), run_id, job_ctx.progress)


@job("listing.expire", timeout_seconds=600)
def expire(job_ctx: JobContext) -> dict[str, Any]:
    from tenant_app.listing.services.listed import expire as run

    return {"expired": run(scope_context())}

"""Positive-list jobs (issue 5): the tenant-wide screening and the daily expiry sweep."""

from __future__ import annotations

from typing import Any

from tenant_app.jobs.registry import JobContext, job


@job("listing.screen_tenant", timeout_seconds=1800)
def screen_tenant(ctx: JobContext, run_id: int) -> dict[str, Any]:
    from tenant_app.listing.services.screening import execute_run

    ctx.progress(1, "开始筛选")
    return execute_run(run_id, ctx.progress)


@job("listing.expire", timeout_seconds=600)
def expire(ctx: JobContext) -> dict[str, Any]:
    from tenant_app.listing.services.listed import expire as run

    return {"expired": run()}

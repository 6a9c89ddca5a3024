"""Positive-list jobs (issue 5): the tenant-wide screening and the daily expiry sweep. The runner
hands each the run's Context (the job's tenant, on behalf of the user who asked for it)."""

from __future__ import annotations

from typing import Any

from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.jobs.registry import N_, JobContext, job


@job(
    "listing.screen_tenant",
    timeout_seconds=1800,
    permission=Perm.LISTING_SCREEN,
    title=N_("正面清单筛选"),
)
def screen_tenant(ctx: Context, job_ctx: JobContext, run_id: int) -> dict[str, Any]:
    from tenant_app.listing.services.screening import execute_run

    job_ctx.progress(1, "开始筛选")
    return execute_run(ctx, run_id, job_ctx.progress)


@job("listing.expire", timeout_seconds=600, title=N_("正面清单到期处理"))
def expire(ctx: Context, job_ctx: JobContext) -> dict[str, Any]:
    from tenant_app.listing.services.listed import expire as run

    return {"expired": run(ctx)}

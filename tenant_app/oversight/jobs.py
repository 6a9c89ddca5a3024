"""Oversight jobs: the hourly rebuild of each tenant's inspection rollup (issue 17 item 5)."""

from __future__ import annotations

from typing import Any

from tenant_app.context import Context
from tenant_app.jobs.registry import N_, JobContext, job


@job("oversight.refresh_rollups", timeout_seconds=1800, title=N_("统计快照更新"))
def refresh_rollups(ctx: Context, job_ctx: JobContext) -> dict[str, Any]:
    from tenant_app.oversight.services.rollups import refresh

    job_ctx.progress(10, "汇总本地区检查")
    return refresh(ctx).as_dict()

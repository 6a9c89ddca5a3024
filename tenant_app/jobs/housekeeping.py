"""Platform housekeeping jobs."""

from __future__ import annotations

import time
from typing import Any

from tenant_app.context import Context
from tenant_app.jobs.registry import N_, JobContext, job


@job("housekeeping.purge_login_failures", timeout_seconds=300, title=N_("清理过期的登录失败记录"))
def purge_login_failures(ctx: Context, job: JobContext) -> dict[str, Any]:
    """Drop the rate limiter's ended windows (the job keeps its first name for schedules)."""
    from tenant_app.core.ratelimit import purge_expired

    return {"purged": purge_expired()}


@job("housekeeping.self_check", timeout_seconds=120, title=N_("后台任务自检"))
def self_check(ctx: Context, job: JobContext, steps: int = 5, pause: float = 0.2) -> dict[str, Any]:
    """A visible no-op that walks a progress bar: lets an admin check the job pipeline end to end."""
    for i in range(steps):
        time.sleep(pause)
        job.progress(int((i + 1) * 100 / steps), f"第 {i + 1}/{steps} 步")
    return {"steps": steps}


@job("housekeeping.purge_job_files", timeout_seconds=600, title=N_("清理过期的导出文件"))
def purge_job_files(ctx: Context, job: JobContext) -> dict[str, Any]:
    """Files export jobs made are kept EXPORT_KEEP_HOURS for their download, then removed: an
    export holds the registry's data and is not an archive."""
    from datetime import timedelta

    from flask import current_app

    from tenant_app.jobs.status import purge_files

    return {"removed": purge_files(timedelta(hours=current_app.config["EXPORT_KEEP_HOURS"]))}

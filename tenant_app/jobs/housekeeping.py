"""Platform housekeeping jobs."""

from __future__ import annotations

import time
from typing import Any

from tenant_app.context import Context
from tenant_app.jobs.registry import JobContext, job


@job("housekeeping.purge_login_failures", timeout_seconds=300)
def purge_login_failures(ctx: Context, job: JobContext) -> dict[str, Any]:
    """Drop the rate limiter's ended windows (the job keeps its first name for schedules)."""
    from tenant_app.core.ratelimit import purge_expired

    return {"purged": purge_expired()}


@job("housekeeping.self_check", timeout_seconds=120)
def self_check(ctx: Context, job: JobContext, steps: int = 5, pause: float = 0.2) -> dict[str, Any]:
    """A visible no-op that walks a progress bar: lets an admin check the job pipeline end to end."""
    for i in range(steps):
        time.sleep(pause)
        job.progress(int((i + 1) * 100 / steps), f"第 {i + 1}/{steps} 步")
    return {"steps": steps}

"""Calendar jobs."""

from __future__ import annotations

from typing import Any

from tenant_app.context import Context
from tenant_app.jobs.registry import N_, JobContext, job


@job("calendar.recompute_provisional", timeout_seconds=1800, title=N_("重算暂定期限"))
def recompute_provisional(ctx: Context, job: JobContext, year: int) -> dict[str, Any]:
    from tenant_app.calendar.deadlines import recompute_provisional as run
    from tenant_app.calendar.years import forget_cached

    forget_cached()
    job.progress(10, f"重算 {year} 年涉及的暂定期限")
    changed = run(ctx)
    return {"year": year, "changed": sum(changed.values()), "tenants": len(changed)}

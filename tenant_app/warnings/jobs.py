"""Warning jobs: the daily scan (SX-1), per tenant. Idempotent: a warning per enterprise, cause
and period is created once however often it runs."""

from __future__ import annotations

from typing import Any

from tenant_app.context import Context
from tenant_app.jobs.registry import N_, JobContext, job


@job("warnings.scan", timeout_seconds=1800, title=N_("预警扫描"))
def scan_warnings(ctx: Context, job_ctx: JobContext) -> dict[str, Any]:
    from tenant_app.warnings.services.scan import scan

    job_ctx.progress(10, "计算到期预警")
    return scan(ctx).as_dict()

"""Inspection jobs: the daily scan that flags finished inspections whose feedback to the
enterprise is overdue (SX-6). Idempotent: an inspection flagged once is not flagged again."""

from __future__ import annotations

from typing import Any

from tenant_app.context import Context
from tenant_app.jobs.registry import N_, JobContext, job


@job(
    "inspections.flag_overdue_feedback",
    timeout_seconds=900,
    title=N_("标记逾期未反馈的检查"),
)
def flag_overdue_feedback(ctx: Context, job_ctx: JobContext) -> dict[str, Any]:
    from tenant_app.inspections.services.feedback import flag_overdue

    job_ctx.progress(10, "检查逾期未反馈的检查")
    flagged = flag_overdue(ctx)
    return {"flagged": len(flagged), "inspection_ids": flagged[:100]}

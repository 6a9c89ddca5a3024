"""Rectification jobs: the daily overdue flag (SX-15, XJ-R), per tenant. Idempotent: an order
is flagged once."""

from __future__ import annotations

from typing import Any

from tenant_app.context import Context
from tenant_app.jobs.registry import N_, JobContext, job


@job("rectification.flag_overdue", timeout_seconds=1800, title=N_("逾期整改标记"))
def flag_overdue(ctx: Context, job_ctx: JobContext) -> dict[str, Any]:
    from tenant_app.rectification.services.overdue import flag_overdue as run

    job_ctx.progress(10, "标记逾期的责令改正")
    return run(ctx).as_dict()

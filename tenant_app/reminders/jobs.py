"""The daily reminder run (issue 16 item 3): tenant_app/jobs/periodic.py schedules it per tenant."""

from __future__ import annotations

from typing import Any

from tenant_app.context import Context
from tenant_app.jobs.registry import N_, JobContext, job
from tenant_app.reminders.services.queue import send_reminders


@job("reminders.send", queue="default", timeout_seconds=1800, title=N_("发送期限提醒"))
def send(ctx: Context, run: JobContext) -> dict[str, Any]:
    return send_reminders(ctx)

"""Job kinds of the notification channels (issue 16 item 4): each email and each webhook
attempt runs here, never in the request that caused it."""

from __future__ import annotations

from typing import Any

from tenant_app.context import Context
from tenant_app.jobs.registry import N_, JobContext, job
from tenant_app.notifications.services import email, webhooks


@job("notifications.send_email", queue="default", max_attempts=5, title=N_("发送通知邮件"))
def send_email(ctx: Context, run: JobContext, *, notification_id: int) -> dict[str, Any]:
    return {"sent": email.send_for(ctx, int(notification_id))}


@job("notifications.deliver_webhook", queue="default", max_attempts=1, title=N_("Webhook 推送"))
def deliver_webhook(ctx: Context, run: JobContext, *, delivery_id: int) -> dict[str, Any]:
    row = webhooks.attempt(ctx, int(delivery_id))
    return {"status": row.status if row is not None else "missing"}


@job("notifications.retry_webhooks", queue="default", max_attempts=1, title=N_("Webhook 重试"))
def retry_webhooks(ctx: Context, run: JobContext) -> dict[str, Any]:
    return {"attempted": webhooks.retry_due(ctx)}

"""Periodic jobs, declared as data. Each run gets a stable id from its time slot, so several
workers ticking at once still enqueue it once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Periodic:
    name: str
    job: str  # a registered job kind
    every_seconds: int
    per_tenant: bool = False  # True: one run per tenant (the daily scans); False: platform-wide

    def slot(self, now: datetime) -> str:
        start = int(now.timestamp()) // self.every_seconds * self.every_seconds
        return datetime.fromtimestamp(start, tz=now.tzinfo).strftime("%Y%m%dT%H%M%S")

    def job_id(self, now: datetime, tenant_id: int | None = None) -> str:
        suffix = f":t{tenant_id}" if tenant_id is not None else ""
        return f"periodic:{self.name}:{self.slot(now)}{suffix}"


PERIODIC: tuple[Periodic, ...] = (
    Periodic("purge-login-failures", "housekeeping.purge_login_failures", every_seconds=3600),
    # Export files past EXPORT_KEEP_HOURS (issue 10 item 5).
    Periodic("purge-job-files", "housekeeping.purge_job_files", every_seconds=86400),
    Periodic(
        "inspection-feedback-overdue",
        "inspections.flag_overdue_feedback",
        every_seconds=86400,
        per_tenant=True,
    ),
    Periodic(
        "listing-expire", "listing.expire", every_seconds=86400, per_tenant=True
    ),  # XJ-V validity
    # SX-1 early warnings (issue 16): send due warnings, close those whose cause is gone,
    # escalate the unanswered.
    Periodic("warnings-scan", "warnings.scan", every_seconds=86400, per_tenant=True),
    # SX-15 / XJ-R: overdue correction orders flagged, told, and a listed enterprise's removal.
    Periodic(
        "rectification-overdue", "rectification.flag_overdue", every_seconds=86400, per_tenant=True
    ),
    # Signed head of each tenant's audit chain, written outside the database (issue 12).
    Periodic("audit-checkpoint", "audit.checkpoint", every_seconds=86400, per_tenant=True),
    # The audit log's monthly partitions, three months ahead (issue 13 item 5; PostgreSQL only).
    Periodic("audit-partitions", "audit.partitions", every_seconds=86400),
    # Staff reminders, once per item per threshold (issue 16 item 3).
    Periodic("reminders-send", "reminders.send", every_seconds=86400, per_tenant=True),
    # The oversight charts' inspection rollup (issue 17 item 5); the charts stop trusting a
    # tenant's rollup after three missed runs (oversight/services/rollups.py MAX_AGE).
    Periodic("oversight-rollups", "oversight.refresh_rollups", every_seconds=3600, per_tenant=True),
    # Webhook deliveries whose backoff has passed (issue 16 item 4).
    Periodic("webhook-retries", "notifications.retry_webhooks", every_seconds=300, per_tenant=True),
)

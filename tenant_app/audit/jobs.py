"""Audit jobs: the daily signed checkpoint of each tenant's chain head (issue 12) and the audit
log's monthly partitions (issue 13 item 5)."""

from __future__ import annotations

from typing import Any

from tenant_app.context import Context
from tenant_app.jobs.registry import N_, JobContext, job


@job("audit.checkpoint", timeout_seconds=300, title=N_("审计日志每日签名"))
def checkpoint(ctx: Context, job: JobContext) -> dict[str, Any]:
    """Close the tenant's finished hours of anonymous refusals into the chain, commit, then sign
    the head and write it outside the database (file + log)."""
    from tenant_app import clock
    from tenant_app.audit import checkpoints as audit_checkpoints
    from tenant_app.audit import log as audit
    from tenant_app.extensions import db
    from tenant_app.models import Tenant

    flushed = audit.flush_tallies(
        ctx, db.session(), job.tenant_id, audit.window_start(clock.utcnow())
    )
    db.session.commit()
    tenant = db.session.get(Tenant, job.tenant_id)
    assert tenant is not None
    cp = audit_checkpoints.write(tenant)
    return {"seq": cp.seq, "hash": cp.hash, "aggregated": flushed}


@job("audit.partitions", timeout_seconds=300, title=N_("审计日志按月分区"))
def partitions(ctx: Context, job: JobContext) -> dict[str, Any]:
    """Platform-wide, daily: the audit log's partitions for this month and the next three
    (PostgreSQL; nothing on SQLite). Idempotent; a late run moves the rows the default partition
    took for a month into that month's new partition."""
    from tenant_app.audit import partitions as audit_partitions

    done = audit_partitions.ensure()
    return {"partitioned": done.partitioned, "created": done.created, "moved": done.moved}

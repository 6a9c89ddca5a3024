"""Bulk import of enterprises and compliance records (imports/services/pipeline.py), and the
enterprise list's export when it is too large to wait for (imports/services/export.py)."""

from __future__ import annotations

from typing import Any

from tenant_app.auth.roles import Perm
from tenant_app.context import Context
from tenant_app.jobs.registry import N_, JobContext, job


# Two attempts: a retry after a crash starts from scratch (nothing was committed), and the
# pipeline's completion marker stops a retry from writing what a committed run already wrote.
@job(
    "imports.run",
    timeout_seconds=1800,
    max_attempts=2,
    permission=Perm.IMPORTS_RUN,
    title=N_("批量导入"),
)
def run_import(
    ctx: Context,
    job: JobContext,
    *,
    kind: str,
    mode: str,
    file: str,
    fmt: str,
    sha256: str,
    filename: str = "",
) -> dict[str, Any]:
    from tenant_app.imports.services.pipeline import run

    return run(
        ctx,
        job.progress,
        job.job_id,
        kind=kind,
        mode=mode,
        file=file,
        fmt=fmt,
        sha256=sha256,
        filename=filename,
    )


# Two attempts, like an import: the file and the audit line are written in the run's own
# transaction, and a run that finds its audit line returns what was recorded.
@job(
    "imports.export_enterprises",
    timeout_seconds=1800,
    max_attempts=2,
    permission=Perm.ENTERPRISES_VIEW,
    title=N_("导出企业名录"),
)
def export_enterprises(ctx: Context, job: JobContext, *, filters: dict[str, Any]) -> dict[str, Any]:
    from tenant_app.imports.services.export import run_export

    return run_export(ctx, job.progress, job.job_id, filters)

"""Bulk import of enterprises and compliance records (imports/services/pipeline.py)."""

from __future__ import annotations

from typing import Any

from tenant_app.context import Context
from tenant_app.jobs.registry import JobContext, job


# Two attempts: a retry after a crash starts from scratch (nothing was committed), and the
# pipeline's completion marker stops a retry from writing what a committed run already wrote.
@job("imports.run", timeout_seconds=1800, max_attempts=2)
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

"""What RQ calls, by dotted path (``tenant_app.jobs.rq_entry.run``).

The one module under jobs/ that builds the whole application: a worker process has no app until
its first job, and importing the app factory anywhere else would make the job machinery depend
on every feature it runs (import-linter, docs/architecture.md)."""

from __future__ import annotations

from typing import Any

from tenant_app import create_app
from tenant_app.jobs.runner import app_for_this_process, run_job


def run(job_id: str) -> Any:
    app = app_for_this_process(create_app)
    with app.app_context():
        return run_job(job_id)

"""Background jobs: RQ over Redis when configured, in-process otherwise, one code path.

- registry.py     job kinds by name (@job)
- enqueue.py      enqueue(): a row in the caller's transaction (the outbox), dispatched on commit
- dispatch.py     commit → RQ, or in-process
- runner.py       one attempt of one job (claim, run, record), for RQ and in-process alike
- maintenance.py  the worker's loop: relay pending rows, reap lost runs, tick periodic jobs
- periodic.py     periodic jobs as data
- housekeeping.py the platform's own job kinds; each feature keeps its kinds in <feature>/jobs.py,
                  registered when tenant_app/features.py imports them
"""

from tenant_app.jobs.enqueue import enqueue
from tenant_app.jobs.registry import job

__all__ = ["enqueue", "job"]

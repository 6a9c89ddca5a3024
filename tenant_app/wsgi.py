"""The WSGI entry point: ``gunicorn -c deploy/gunicorn.conf.py tenant_app.wsgi:app``.

Without ``REDIS_URL`` this process also ticks the periodic jobs (jobs/maintenance.py); with it,
``tenant-app worker`` does.
"""

from __future__ import annotations

from tenant_app import create_app
from tenant_app.jobs.maintenance import start_inprocess_scheduler

app = create_app()
start_inprocess_scheduler(app)

"""gunicorn settings for tenant-app (see deploy/README.md)."""

import multiprocessing

bind = "127.0.0.1:8000"
workers = max(2, multiprocessing.cpu_count() * 2)
threads = 4
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
forwarded_allow_ips = "127.0.0.1"

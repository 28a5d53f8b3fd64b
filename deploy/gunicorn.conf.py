"""Gunicorn for one web host: `gunicorn -c deploy/gunicorn.conf.py portal.wsgi:application`.

Sizing: two processes per core plus one, a few threads each (the views wait on PostgreSQL and
on the registries over X-Road). The proxy's health check is /healthz; a graceful restart
(SIGHUP, `systemctl reload empresa24-web`) lets requests in flight finish.
"""

import multiprocessing
import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# Longer than XROAD_TIMEOUT's retries (2 x 10 s) so a slow registry answers rather than a 502.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (a leak never grows for long).
max_requests = 2000
max_requests_jitter = 200
# JSON logs come from Django on stdout; gunicorn's access log would repeat every request.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server: object, worker: Any) -> None:
    """In multiprocess metrics mode, a worker that exited stops counting in live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

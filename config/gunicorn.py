"""gunicorn's settings for the plain-HTTP processes (`deploy/serve http`, `mutuals-http@.service`).

Read by gunicorn as `-c python:config.gunicorn`; the address comes from
MUTUALS_BIND and MUTUALS_PORT, the size from MUTUALS_HTTP_WORKERS and
MUTUALS_HTTP_THREADS.
"""

from __future__ import annotations

import os

wsgi_app = "config.wsgi:application"
bind = [f"{os.environ.get('MUTUALS_BIND', '127.0.0.1')}:{os.environ.get('MUTUALS_PORT', '8101')}"]
# Threads, not more processes: a request mostly waits for PostgreSQL and Redis,
# and each worker's threads share one connection pool of up to 8 (config/env.py).
worker_class = "gthread"
workers = int(os.environ.get("MUTUALS_HTTP_WORKERS", "2"))
threads = int(os.environ.get("MUTUALS_HTTP_THREADS", "8"))
# Load the application once, before the workers fork, so they share its pages.
preload_app = True
# nginx on the same machine; config/wsgi.py takes the client's address from its X-Forwarded-For.
forwarded_allow_ips = "127.0.0.1,::1"
timeout = 60
graceful_timeout = 30
# nginx keeps its upstream connections open (`keepalive 32`).
keepalive = 75
# The workers' heartbeat files: memory, not the disk that ProtectSystem makes read-only.
worker_tmp_dir = "/dev/shm"  # noqa: S108 (gunicorn's advice; the files hold no data)
# Several instances of the unit on one machine would share the default control socket's path.
control_socket_disable = True

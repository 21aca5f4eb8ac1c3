"""Settings for the in-process test suite.

MUTUALS_TEST_BACKEND=services moves the suite onto PostgreSQL and Redis
(127.0.0.1, standard ports), as the second CI pass does.
"""

from __future__ import annotations

import os

from config.env import parse_database_url, sqlite_database
from config.settings.base import *  # noqa: F403 (tests extend every base setting)
from config.settings.base import MUTUALS_DATA_DIR, STATIC_ROOT

MUTUALS_MODE = "test"
TEST_BACKEND = os.environ.get("MUTUALS_TEST_BACKEND", "embedded")

# Static files come from the apps' folders; nothing is collected for tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
# The in-process suite shares one channel layer between senders and consumers.
STREAMING_RELAY = "direct"
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if TEST_BACKEND == "services":
    # CI's services pass reaches the primary through PgBouncer
    # (MUTUALS_TEST_DATABASE_PGBOUNCER=1) and reads from a streaming standby
    # (MUTUALS_TEST_REPLICA_URL); both are started by .ci/replicated-postgres.
    _pgbouncer = os.environ.get("MUTUALS_TEST_DATABASE_PGBOUNCER", "") == "1"
    DATABASES = {
        "default": parse_database_url(
            os.environ.get("MUTUALS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
            pgbouncer=_pgbouncer,
        )
    }
    _replica = os.environ.get("MUTUALS_TEST_REPLICA_URL", "")
    if _replica:
        # A test mirror takes the primary's test database name: the standby
        # streams that database from the primary, so it is never created
        # there. Its primary commits wait until the standby has applied them
        # (synchronous_commit = remote_apply), so a committed row is on the
        # standby before the test reads it.
        DATABASES["replica"] = {
            **parse_database_url(_replica, variable="MUTUALS_TEST_REPLICA_URL", pgbouncer=_pgbouncer),
            "TEST": {"MIRROR": "default"},
        }
    _redis = os.environ.get("MUTUALS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    _prefix = f"mutuals-test-{os.getpid()}"
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [_redis], "prefix": _prefix},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis,
            "KEY_PREFIX": _prefix,
        }
    }
    CELERY_BROKER_URL = os.environ.get("MUTUALS_TEST_BROKER_URL", _redis)
else:
    DATABASES = {"default": sqlite_database(MUTUALS_DATA_DIR / "test.sqlite3")}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

"""Settings shared by every mode, read from the environment.

With nothing set, Mutuals runs embedded: SQLite in WAL mode, a Celery broker
kept in files under the data directory, an in-memory channel layer, local media
and console email. Setting DATABASE_URL, BROKER_URL and REDIS_URL moves each
piece onto a service.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from config.api.scopes import SCOPES
from config.env import (
    BASE_DIR,
    ConfigError,
    env_bool,
    env_int,
    env_str,
    parse_database_url,
    parse_domain,
    parse_scheme,
    parse_sentinels,
    sqlite_database,
)
from config.vapid import check_vapid_private_key, generate_vapid_private_key

SOFTWARE_NAME = "mutuals"
SOFTWARE_VERSION = "0.1.0"

MUTUALS_MODE = "embedded"
MUTUALS_DOMAIN = parse_domain(env_str("MUTUALS_DOMAIN", "localhost:8000"))
MUTUALS_SCHEME = parse_scheme(env_str("MUTUALS_SCHEME", "https"))
MUTUALS_BASE_URL = f"{MUTUALS_SCHEME}://{MUTUALS_DOMAIN}"
MUTUALS_INSTANCE_NAME = env_str("MUTUALS_INSTANCE_NAME", "Mutuals")
MUTUALS_DATA_DIR = Path(env_str("MUTUALS_DATA_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = env_bool("MUTUALS_DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
_production = os.environ.get("DJANGO_SETTINGS_MODULE") == "config.settings.production"
if not SECRET_KEY and not _production:
    # Embedded mode keeps a generated key beside its database so sessions and
    # tokens survive restarts; production refuses to start without one.
    _key_file = MUTUALS_DATA_DIR / "secret_key"
    if _key_file.exists():
        SECRET_KEY = _key_file.read_text().strip()
    else:
        from django.core.management.utils import get_random_secret_key

        MUTUALS_DATA_DIR.mkdir(parents=True, exist_ok=True)
        SECRET_KEY = get_random_secret_key()
        _key_file.write_text(SECRET_KEY)
        _key_file.chmod(0o600)

# The VAPID key that signs Web Push requests (config/vapid.py). Embedded mode
# keeps a generated one beside its database, as it keeps its secret key, so
# push subscriptions survive restarts; production requires it.
MUTUALS_VAPID_PRIVATE_KEY = env_str("MUTUALS_VAPID_PRIVATE_KEY")
if not MUTUALS_VAPID_PRIVATE_KEY and not _production:
    _vapid_file = MUTUALS_DATA_DIR / "vapid_private_key"
    if _vapid_file.exists():
        MUTUALS_VAPID_PRIVATE_KEY = _vapid_file.read_text().strip()
    else:
        MUTUALS_DATA_DIR.mkdir(parents=True, exist_ok=True)
        MUTUALS_VAPID_PRIVATE_KEY = generate_vapid_private_key()
        _vapid_file.write_text(MUTUALS_VAPID_PRIVATE_KEY)
        _vapid_file.chmod(0o600)
if MUTUALS_VAPID_PRIVATE_KEY:
    MUTUALS_VAPID_PRIVATE_KEY = check_vapid_private_key(MUTUALS_VAPID_PRIVATE_KEY, "MUTUALS_VAPID_PRIVATE_KEY")

# Former secrets, comma-separated, still accepted while `rotate_ballot_key` reseals ballot keys.
SECRET_KEY_FALLBACKS = [key for key in env_str("SECRET_KEY_FALLBACKS").split(",") if key]

_host = MUTUALS_DOMAIN.rsplit(":", 1)[0] if not MUTUALS_DOMAIN.endswith("]") else MUTUALS_DOMAIN
ALLOWED_HOSTS = [_host, "localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS += [h for h in env_str("MUTUALS_ALLOWED_HOSTS").split(",") if h]
CSRF_TRUSTED_ORIGINS = [MUTUALS_BASE_URL]
USE_X_FORWARDED_HOST = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "corsheaders",
    "oauth2_provider",
    "config.apps.ConfigAppConfig",
    "members",
    "federation",
    "timeline",
    "governance",
    "frontend",
]

MIDDLEWARE = [
    "config.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Compresses HTML pages last, after every middleware below has written them (see config/compression.py).
    "config.compression.HtmlGZipMiddleware",
    "config.outages.ServiceOutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "members.middleware.InterfaceLanguageMiddleware",
    "config.replica.ReplicaReadsMiddleware",
    "config.api.ratelimit.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context.instance",
            ],
        },
    },
]

# Database: SQLite in the data directory unless DATABASE_URL names another.
_database_url = env_str("DATABASE_URL")
# The database URLs reach PostgreSQL through PgBouncer in transaction mode (deploy/README.md).
DATABASE_PGBOUNCER = env_bool("DATABASE_PGBOUNCER", False)
DATABASES: dict[str, dict[str, Any]] = {
    "default": parse_database_url(_database_url, pgbouncer=DATABASE_PGBOUNCER)
    if _database_url
    else sqlite_database(MUTUALS_DATA_DIR / "mutuals.sqlite3")
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3") and _database_url:
    DATABASES["default"] = sqlite_database(Path(DATABASES["default"]["NAME"]))
# A streaming read replica: web requests that only read go there (config/replica.py).
_replica_url = env_str("DATABASE_REPLICA_URL")
if _replica_url:
    if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise ConfigError("DATABASE_REPLICA_URL needs DATABASE_URL to name PostgreSQL too")
    DATABASES["replica"] = parse_database_url(
        _replica_url, variable="DATABASE_REPLICA_URL", pgbouncer=DATABASE_PGBOUNCER
    )
    if not DATABASES["replica"]["ENGINE"].endswith("postgresql"):
        raise ConfigError("DATABASE_REPLICA_URL must name PostgreSQL")
# After a member writes, their reads go to the primary for this long (longer than the replica's lag).
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 10)
# A process that found the replica unreachable reads the primary for this long before trying it again.
DATABASE_REPLICA_RETRY_SECONDS = env_int("DATABASE_REPLICA_RETRY_SECONDS", 30)
DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
LOGIN_URL = "frontend:login"
LOGIN_REDIRECT_URL = "frontend:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Each language here ships a complete catalogue in locale/ (tests/test_translations.py checks it).
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("MUTUALS_STATIC_ROOT", str(MUTUALS_DATA_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MUTUALS_MEDIA_ROOT", str(MUTUALS_DATA_DIR / "media")))
# Embedded mode serves uploaded media itself; behind nginx the proxy does.
MUTUALS_SERVE_MEDIA = env_bool("MUTUALS_SERVE_MEDIA", True)
# Members' data archives and uploaded imports: never served as media, only to their owner.
MUTUALS_PRIVATE_ROOT = Path(env_str("MUTUALS_PRIVATE_ROOT", str(MUTUALS_DATA_DIR / "private")))
# Pages name the stylesheet and scripts by a hash of their content, so a browser
# may keep them for good (WhiteNoise and nginx say "immutable") and still
# fetches the new ones the moment an upgrade changes them. collectstatic,
# which every way of running the server does first, writes the names.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env_str("MUTUALS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("MUTUALS_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("MUTUALS_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("MUTUALS_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("MUTUALS_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("MUTUALS_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("MUTUALS_EMAIL_FROM", f"noreply@{_host}")

# Redis, when given, carries the channel layer and the cache.
REDIS_URL = env_str("REDIS_URL")
# Every key this instance writes to Redis starts with this prefix, so that
# several instances can share one Redis server.
REDIS_PREFIX = env_str("MUTUALS_REDIS_PREFIX", "mutuals")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ConfigError(f"REDIS_URL={REDIS_URL!r} must start with redis:// or rediss://")
# Redis behind Sentinel (deploy/README.md): the sentinels to ask, the name of
# the master they watch and its database number. It takes REDIS_URL's place,
# and the channel layer, the cache and a Redis broker follow a failover.
REDIS_SENTINELS = parse_sentinels(env_str("REDIS_SENTINELS")) if env_str("REDIS_SENTINELS") else []
REDIS_SENTINEL_MASTER = env_str("REDIS_SENTINEL_MASTER", "mymaster")
REDIS_SENTINEL_DB = env_int("REDIS_SENTINEL_DB", 0)
if REDIS_SENTINELS and REDIS_URL:
    raise ConfigError("REDIS_URL and REDIS_SENTINELS are both set; set only one (REDIS_SENTINELS for Sentinel)")
if REDIS_SENTINELS:
    CHANNEL_LAYERS: dict[str, Any] = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [
                    {"sentinels": REDIS_SENTINELS, "master_name": REDIS_SENTINEL_MASTER, "db": REDIS_SENTINEL_DB}
                ],
                "prefix": REDIS_PREFIX,
            },
        }
    }
    CACHES: dict[str, Any] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"sentinel://{REDIS_SENTINEL_MASTER}/{REDIS_SENTINEL_DB}",
            "KEY_PREFIX": REDIS_PREFIX,
            "OPTIONS": {"pool_class": "config.sentinel.SentinelCachePool"},
        }
    }
elif REDIS_URL:
    # Redis pub/sub, as Mastodon's streaming server uses it: sending to a group
    # is one PUBLISH, and each web process subscribes once per group and hands
    # the message to its own consumers. Pub/sub channels ignore the database
    # number, so the prefix alone keeps instances sharing a server apart.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": REDIS_PREFIX},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIX,
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Streaming events reach the web process's clients through the channel layer.
# Redis carries them from any process; the in-memory layer cannot, so embedded
# mode writes them to a table that the web process polls ("database").
STREAMING_RELAY = "direct" if REDIS_URL or REDIS_SENTINELS else "database"

# Celery. With no BROKER_URL the broker is a SQLite file of its own in the data
# directory (kombu's SQLAlchemy transport, see config/broker.py): no service to
# run, queued messages survive a restart, and concurrent writers cannot tear a
# message. It is apart from the main database so that queueing never waits for
# a long write there.
BROKER_FILE = MUTUALS_DATA_DIR / "broker.sqlite3"
_sentinel_broker = ";".join(f"sentinel://{host}:{port}/{REDIS_SENTINEL_DB}" for host, port in REDIS_SENTINELS)
CELERY_BROKER_URL = env_str("BROKER_URL", REDIS_URL or _sentinel_broker) or "embedded"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The folder broker of earlier versions: its messages are redone by the recovery tasks.
    CELERY_BROKER_URL = "embedded"
if CELERY_BROKER_URL != "embedded" and not CELERY_BROKER_URL.startswith(
    ("redis://", "rediss://", "amqp://", "pyamqp://", "sentinel://")
):
    raise ConfigError(
        f"BROKER_URL={CELERY_BROKER_URL!r} must be redis://, amqp://, sentinel:// or empty for the embedded broker"
    )
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {}
if CELERY_BROKER_URL == "embedded":
    # config.celery names the transport "mutuals-sqlite"; the rest is SQLAlchemy's URL of the file.
    CELERY_BROKER_URL = f"mutuals-sqlite+sqlite:///{BROKER_FILE}"
elif CELERY_BROKER_URL.startswith(("redis", "rediss", "sentinel")):
    # A message whose worker died unacknowledged is handed out again after this.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600, "global_keyprefix": f"{REDIS_PREFIX}:"}
    if CELERY_BROKER_URL.startswith("sentinel"):
        CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = REDIS_SENTINEL_MASTER
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Workers log through the handlers above. Redirecting stdout and stderr into the
# log as well silenced every record after the first Redis channel-layer send.
CELERY_WORKER_REDIRECT_STDOUTS = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat keeps its schedule in memory (config.celery.StartDueScheduler): every
# scheduled task is idempotent and runs once when beat starts, so there is no
# schedule file for a killed process to leave half-written.
CELERY_BEAT_SCHEDULER = "config.celery:StartDueScheduler"
# The worker and beat record a heartbeat this often; /healthz and checkconfig
# call one stale after MUTUALS_HEARTBEAT_STALE_SECONDS without a new one.
MUTUALS_HEARTBEAT_INTERVAL_SECONDS = 10
MUTUALS_HEARTBEAT_STALE_SECONDS = env_int("MUTUALS_HEARTBEAT_STALE_SECONDS", 60)

# Outbound HTTP (federation fetches and deliveries).
MUTUALS_HTTP_TIMEOUT = float(env_int("MUTUALS_HTTP_TIMEOUT", 10))
MUTUALS_ALLOW_LOOPBACK_FEDERATION = env_bool("MUTUALS_ALLOW_LOOPBACK_FEDERATION", False)
# Copies of remote attachments are removed after this many days (fetched again on demand); 0 keeps them.
MUTUALS_MEDIA_CACHE_DAYS = env_int("MUTUALS_MEDIA_CACHE_DAYS", 30)
# Hosts whose oEmbed players (an iframe) preview cards may embed; links elsewhere get a plain card.
MUTUALS_OEMBED_PROVIDERS = [
    host.strip().lower() for host in env_str("MUTUALS_OEMBED_PROVIDERS", "").split(",") if host.strip()
]
# Secure mode (GoToSocial's default, Mastodon's AUTHORIZED_FETCH): member content only to signed GETs.
MUTUALS_AUTHORIZED_FETCH = env_bool("MUTUALS_AUTHORIZED_FETCH", False)

OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
# Named so that models pointing at tokens (push subscriptions) get a swappable migration dependency.
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 (a model name, not a secret)
OAUTH2_PROVIDER = {
    "SCOPES": SCOPES,
    "DEFAULT_SCOPES": ["read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 60 * 60 * 24 * 365 * 10,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    # PKCE is optional as in Mastodon; when a client sends a challenge it is checked.
    "PKCE_REQUIRED": False,
    # Mastodon accepts ?access_token= (streaming clients send it that way).
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": False,
    # Gives DOT Mastodon's grant types, scopes and exact redirect URI matching.
    "OAUTH2_VALIDATOR_CLASS": "members.api.oauth_validator.MastodonOAuth2Validator",
}

# Browser clients (Elk, Phanpy) call the API and the token endpoint from other origins.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/(api/|oauth/token|oauth/revoke|\.well-known/|nodeinfo/)"
CORS_EXPOSE_HEADERS = ["Link", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
# Client API requests allowed per window, per token, signed-in user or address (Mastodon's defaults).
MUTUALS_API_RATE_LIMIT = env_int("MUTUALS_API_RATE_LIMIT", 300)
MUTUALS_API_RATE_WINDOW_SECONDS = 300

# Prometheus metrics at /metrics, for the holder of this bearer token only (404 when unset).
MUTUALS_METRICS_TOKEN = env_str("MUTUALS_METRICS_TOKEN")
# Each web process writes its request counters here; a scrape sums every process's files.
MUTUALS_METRICS_DIR = Path(env_str("MUTUALS_METRICS_DIR", str(MUTUALS_DATA_DIR / "metrics")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("MUTUALS_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

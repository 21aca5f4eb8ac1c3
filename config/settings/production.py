"""Production settings: services required, secrets required, HTTPS assumed.

Start-up stops with one line naming the first missing or wrong setting.
"""

from __future__ import annotations

from config.env import ConfigError, env_bool, env_str
from config.settings.base import *  # noqa: F403 (production extends every base setting)
from config.settings.base import DATABASES, MUTUALS_SCHEME

MUTUALS_MODE = "production"

if not env_str("SECRET_KEY"):
    raise ConfigError("SECRET_KEY is not set; production mode requires a long random secret")
if not env_str("MUTUALS_VAPID_PRIVATE_KEY"):
    raise ConfigError(
        "MUTUALS_VAPID_PRIVATE_KEY is not set; production mode requires the Web Push key "
        "(deploy/mutuals.env.example says how to make one)"
    )
if not env_str("MUTUALS_DOMAIN"):
    raise ConfigError("MUTUALS_DOMAIN is not set; production mode requires the public host name")
if not env_str("DATABASE_URL"):
    raise ConfigError("DATABASE_URL is not set; production mode requires postgresql://...")
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ConfigError("DATABASE_URL must name PostgreSQL in production mode")
if not env_str("REDIS_URL") and not env_str("REDIS_SENTINELS"):
    raise ConfigError(
        "REDIS_URL is not set; production mode requires Redis (or REDIS_SENTINELS) for channels and cache"
    )

SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if MUTUALS_SCHEME == "https" else 0
SESSION_COOKIE_SECURE = MUTUALS_SCHEME == "https"
CSRF_COOKIE_SECURE = MUTUALS_SCHEME == "https"
# nginx serves /media/ (deploy/nginx); set MUTUALS_SERVE_MEDIA=true only with no proxy in front.
MUTUALS_SERVE_MEDIA = env_bool("MUTUALS_SERVE_MEDIA", False)

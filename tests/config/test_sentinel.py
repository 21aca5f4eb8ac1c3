"""With REDIS_SENTINELS, the cache, the channel layer and the broker reach the master a private Sentinel names."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.e2e.private_services import PrivateRedis
from tests.live import ROOT, free_port

MASTER = "mutuals-test"


@pytest.fixture(scope="module")
def sentinel() -> Iterator[tuple[PrivateRedis, int]]:
    """Yield a private Redis and the port of a private Sentinel watching it."""
    executable = shutil.which("redis-sentinel")
    if executable is None:
        pytest.skip("redis-sentinel is not installed (apt-get install redis-sentinel)")
    with tempfile.TemporaryDirectory(prefix="mutuals-sentinel-") as folder:
        server = PrivateRedis(Path(folder))
        server.start()
        port = free_port()
        conf = Path(folder) / "sentinel.conf"
        conf.write_text(
            f"port {port}\nbind 127.0.0.1\ndir {folder}\n"
            f"sentinel monitor {MASTER} 127.0.0.1 {server.port} 1\n"
            f"sentinel down-after-milliseconds {MASTER} 5000\n"
        )
        log = (Path(folder) / "sentinel.log").open("ab")
        process = subprocess.Popen([executable, str(conf)], stdout=log, stderr=subprocess.STDOUT)
        try:
            client = redis.Redis(port=port, socket_timeout=1)
            deadline = time.monotonic() + 10
            while True:
                try:
                    if client.sentinel_get_master_addr_by_name(MASTER):
                        break
                except redis.ConnectionError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError("the private Sentinel never answered")
                time.sleep(0.05)
            yield server, port
        finally:
            process.terminate()
            process.wait(timeout=10)
            server.stop()


def run(args: list[str], sentinel_port: int, tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py with the Sentinel settings and an embedded database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MUTUALS_", "DJANGO_", "DATABASE_", "REDIS_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "MUTUALS_DATA_DIR": str(tmp_path),
            "MUTUALS_REDIS_PREFIX": "sentinel-test",
            "REDIS_SENTINELS": f"127.0.0.1:{sentinel_port}",
            "REDIS_SENTINEL_MASTER": MASTER,
            **extra,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


CHECKS = """
from django.conf import settings
from django.core.cache import cache
from config.health import check_broker, check_channel_layer
cache.set("greeting", "hello", 60)
print(cache.get("greeting"))
for check in (check_broker(), check_channel_layer()):
    print(check.name, check.ok, check.backend, check.detail)
print(settings.STREAMING_RELAY)
"""


def test_cache_channel_layer_and_broker_go_through_sentinel(sentinel: tuple[PrivateRedis, int], tmp_path: Path) -> None:
    """Each finds the master through the Sentinel: the cached value lands on the private Redis."""
    server, port = sentinel
    result = run(["shell", "--no-imports", "-v", "0", "-c", CHECKS], port, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "hello"
    assert lines[1].startswith("broker True sentinel")
    assert lines[2].startswith("channel_layer True RedisPubSubChannelLayer round trip")
    assert lines[3] == "direct"
    keys = redis.Redis.from_url(server.url).keys("sentinel-test:*greeting")
    assert len(keys) == 1


def test_redis_url_and_sentinels_together_are_refused(sentinel: tuple[PrivateRedis, int], tmp_path: Path) -> None:
    """Two ways to reach Redis at once is a mistake: start-up stops with one line naming both."""
    server, port = sentinel
    result = run(["checkconfig"], port, tmp_path, REDIS_URL=server.url)
    assert result.returncode == 2
    assert "REDIS_URL and REDIS_SENTINELS are both set" in result.stderr

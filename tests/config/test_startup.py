"""Start-up refuses a wrong configuration with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MUTUALS_", "DJANGO_", "DATABASE_URL"))}
    base.update({"MUTUALS_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60, check=False
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-long-production-secret-for-tests-only-0123456789",
    "MUTUALS_VAPID_PRIVATE_KEY": "Yl49p6tSHDB38NdkjlaI1Zga7xf9oQybO8pWq13bxd4",
    "MUTUALS_DOMAIN": "social.example",
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY is not set"),
        ("MUTUALS_VAPID_PRIVATE_KEY", "MUTUALS_VAPID_PRIVATE_KEY is not set"),
        ("MUTUALS_DOMAIN", "MUTUALS_DOMAIN is not set"),
        ("DATABASE_URL", "DATABASE_URL is not set"),
        ("REDIS_URL", "REDIS_URL is not set"),
    ],
)
def test_production_without_a_required_setting_stops_with_one_line(missing: str, message: str, tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    entries = (["manage.py", "checkconfig"], ["-c", "import config.asgi"], ["-m", "celery", "-A", "config", "report"])
    for entry in entries:
        result = run(entry, env, tmp_path)
        assert result.returncode == 2, (entry, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert lines == [f"mutuals: configuration error: {lines[0].split(': ', 2)[2]}"], result.stderr
        assert message in lines[0]
    assert not (tmp_path / "secret_key").exists(), "production must not generate a secret"
    assert not (tmp_path / "vapid_private_key").exists(), "production must not generate a push key"


def test_malformed_database_url_stops_with_one_line(tmp_path: Path) -> None:
    result = run(["manage.py", "checkconfig"], {"DATABASE_URL": "mysql://root@localhost/x"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "mutuals: configuration error: DATABASE_URL scheme 'mysql' is not supported "
        "(use postgresql://... or sqlite:///...)"
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_REPLICA_URL": "postgresql://u@standby/mutuals"}, "DATABASE_REPLICA_URL needs DATABASE_URL"),
        (
            {"DATABASE_URL": "postgresql://u@primary/mutuals", "DATABASE_REPLICA_URL": "sqlite:///replica.sqlite3"},
            "DATABASE_REPLICA_URL must name PostgreSQL",
        ),
    ],
)
def test_a_read_replica_is_postgresql_beside_a_postgresql_primary(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    result = run(["manage.py", "checkconfig"], env, tmp_path)
    assert result.returncode == 2
    assert message in result.stderr


def test_unreachable_database_stops_start_up_with_one_line(tmp_path: Path) -> None:
    env = {"DATABASE_URL": "postgresql://nobody@127.0.0.1:9/nowhere"}
    result = run(["manage.py", "checkconfig", "--startup"], env, tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mutuals: cannot start: database (postgresql) does not answer:")


def test_embedded_defaults_need_no_configuration(tmp_path: Path) -> None:
    result = run(["manage.py", "checkconfig"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "mode:     embedded" in result.stdout
    assert "ok   database       sqlite3" in result.stdout
    assert "ok   broker         sqlite" in result.stdout
    assert "ok   worker         heartbeat              starting: not migrated yet" in result.stdout
    assert "ok   channel_layer  InMemoryChannelLayer" in result.stdout


def test_the_web_application_leaves_its_start_up_objects_out_of_full_collections(tmp_path: Path) -> None:
    result = run(["-c", "import gc, config.asgi; print(gc.get_freeze_count())"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip().splitlines()[-1]) > 10_000


def test_the_web_application_parses_each_content_type_once_with_the_same_answers(tmp_path: Path) -> None:
    # The first answers come from Twisted's own parser, before the application is loaded.
    code = """
from twisted.web import http
values = [b"application/activity+json", b'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
          b"multipart/form-data; boundary=x", b"Application/X-WWW-Form-Urlencoded; charset=utf-8", b"nonsense"]
before = [http._parseContentType(value) for value in values]
import config.asgi
after = [http._parseContentType(value) for value in values * 3]
print(before == after[:5] == after[5:10] == after[10:], http._parseContentType.cache_info().hits)
"""
    result = run(["-c", code], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True 10"

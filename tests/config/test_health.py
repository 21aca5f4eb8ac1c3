"""GET /healthz reports each service."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from config.heartbeats import do_record_heartbeat
from config.models import Heartbeat


@pytest.mark.django_db
def test_healthz_reports_every_service_ok(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "channel_layer", "worker", "beat"}
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_answers_503_and_names_a_broken_channel_layer(client: Client, settings: SettingsWrapper) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:9/0"]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get("/healthz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["channel_layer"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_healthz_names_an_unwritable_embedded_broker(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config.celery import app

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the broker folder should be")
    monkeypatch.setattr(app.conf, "broker_url", f"mutuals-sqlite+sqlite:///{blocker}/broker.sqlite3")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False
    assert response.json()["checks"]["broker"]["backend"] == "sqlite"
    assert not (blocker.parent / "broker.sqlite3").exists()


@pytest.mark.django_db
def test_healthz_counts_the_messages_waiting_in_the_embedded_broker(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config.celery import app

    monkeypatch.setattr(app.conf, "broker_url", f"mutuals-sqlite+sqlite:///{tmp_path}/broker.sqlite3")
    broker = response_check(client, "broker")
    assert broker["ok"] is True
    assert broker["detail"] == f"{tmp_path}/broker.sqlite3 (0 waiting in default)"


def response_check(client: Client, name: str) -> dict[str, Any]:
    """Return one check of /healthz's answer."""
    check: dict[str, Any] = client.get("/healthz").json()["checks"][name]
    return check


@pytest.mark.django_db
def test_healthz_says_starting_while_no_heartbeat_was_ever_seen(client: Client) -> None:
    """A new instance serves before its worker runs: no heartbeat yet is not a failure."""
    response = client.get("/healthz")
    assert response.status_code == 200
    for name in ("worker", "beat"):
        assert response.json()["checks"][name]["ok"] is True
        assert response.json()["checks"][name]["detail"] == "starting: no heartbeat seen yet"


@pytest.mark.django_db
def test_healthz_reports_recent_heartbeats_as_alive(client: Client) -> None:
    do_record_heartbeat("worker")
    do_record_heartbeat("beat")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["worker"]["detail"].startswith("alive: last heartbeat ")
    assert response.json()["checks"]["beat"]["detail"].startswith("alive: last heartbeat ")


@pytest.mark.django_db
@pytest.mark.parametrize("stale", ["worker", "beat"])
def test_healthz_answers_503_when_a_heartbeat_is_stale(client: Client, settings: SettingsWrapper, stale: str) -> None:
    do_record_heartbeat("worker")
    do_record_heartbeat("beat")
    old = timezone.now() - timedelta(seconds=settings.MUTUALS_HEARTBEAT_STALE_SECONDS + 5)
    Heartbeat.objects.filter(process=stale).update(seen_at=old)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"][stale]["ok"] is False
    assert body["checks"][stale]["detail"].startswith("stale: last heartbeat 6")
    fresh = "beat" if stale == "worker" else "worker"
    assert body["checks"][fresh]["ok"] is True


@pytest.mark.django_db
def test_checkconfig_fails_on_a_stale_heartbeat_and_startup_ignores_it(settings: SettingsWrapper) -> None:
    do_record_heartbeat("worker")
    Heartbeat.objects.filter(process="worker").update(seen_at=timezone.now() - timedelta(hours=1))
    out = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("checkconfig", stdout=out)
    assert exited.value.code == 1
    assert "FAIL worker" in out.getvalue()
    assert "stale: last heartbeat 3600 s ago" in out.getvalue()
    # Start-up comes before any worker: it checks the services alone.
    call_command("checkconfig", "--startup", stdout=StringIO())

"""GET /metrics: refused without the token, and each metric family right after known activity."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families
from pytest_django.fixtures import Settings as SettingsWrapper

from federation.models import Delivery, InboxItem, OutboundActivity, RemoteHost
from tests.factories.federation import LocalActorFactory
from tests.factories.timeline import StatusFactory

TOKEN = "a-long-random-metrics-token"
ROOT = Path(__file__).resolve().parents[2]

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def metrics_token(settings: SettingsWrapper) -> str:
    settings.MUTUALS_METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client: Client) -> Samples:
    """Return every sample of an authorised scrape, keyed by name and labels."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.mark.django_db
def test_metrics_do_not_exist_without_a_configured_token(client: Client, settings: SettingsWrapper) -> None:
    """With MUTUALS_METRICS_TOKEN unset the endpoint answers 404, whatever token is sent."""
    settings.MUTUALS_METRICS_TOKEN = ""
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer "}, {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}):
        response = client.get("/metrics", **headers)  # type: ignore[arg-type]
        assert response.status_code == 404
        assert b"mutuals_" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"HTTP_AUTHORIZATION": "Basic " + TOKEN}, 401),
        ({"HTTP_AUTHORIZATION": "Bearer"}, 401),
        ({"HTTP_AUTHORIZATION": "Bearer wrong-token"}, 403),
        ({"HTTP_AUTHORIZATION": f"Bearer {TOKEN}x"}, 403),
        ({"HTTP_AUTHORIZATION": f"Bearer {TOKEN[:-1]}"}, 403),
    ],
)
def test_metrics_refuse_a_missing_or_wrong_token_and_show_nothing(
    client: Client, metrics_token: str, headers: dict[str, str], status: int
) -> None:
    response = client.get("/metrics", **headers)  # type: ignore[arg-type]
    assert response.status_code == status
    assert b"mutuals_" not in response.content
    assert b"# HELP" not in response.content
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_metrics_ignore_a_token_in_the_query_string(client: Client, metrics_token: str) -> None:
    response = client.get("/metrics", {"access_token": TOKEN})
    assert response.status_code == 401
    assert b"mutuals_" not in response.content


@pytest.mark.django_db
def test_metrics_refuse_other_methods(client: Client, metrics_token: str) -> None:
    response = client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 405
    assert b"mutuals_" not in response.content


@pytest.mark.django_db
def test_requests_are_counted_by_method_route_pattern_and_status(client: Client, metrics_token: str) -> None:
    """Routes are labelled by their pattern, never by the raw path; unknown paths and methods share one label."""
    before = scrape(client)
    client.get("/api/v1/statuses/111")
    client.get("/api/v1/statuses/222")
    client.get("/no/such/page/123")
    client.generic("PROPFIND", "/no/such/page/456")
    after = scrape(client)

    route = "api/v1/statuses/<str:status_id>"
    counted = "mutuals_http_requests_total"
    assert value(after, counted, method="GET", route=route, status="404") - value(
        before, counted, method="GET", route=route, status="404"
    ) == pytest.approx(2)
    assert value(after, counted, method="GET", route="<unresolved>", status="404") - value(
        before, counted, method="GET", route="<unresolved>", status="404"
    ) == pytest.approx(1)
    other = [key for key in after if key[0] == counted and ("method", "other") in key[1]]
    assert other, "a method outside the known set is counted as 'other'"
    assert value(after, counted, method="GET", route="metrics", status="200") - value(
        before, counted, method="GET", route="metrics", status="200"
    ) == pytest.approx(1)
    assert not any("111" in dict(labels).get("route", "") for _, labels in after)
    timed = "mutuals_http_request_duration_seconds_count"
    assert value(after, timed, method="GET", route=route) - value(before, timed, method="GET", route=route) == (
        pytest.approx(2)
    )
    assert value(after, "mutuals_http_request_duration_seconds_sum", method="GET", route=route) > value(
        before, "mutuals_http_request_duration_seconds_sum", method="GET", route=route
    )


@pytest.mark.django_db
def test_queue_gauges_are_read_from_the_rows(client: Client, metrics_token: str) -> None:
    empty = scrape(client)
    assert value(empty, "mutuals_deliveries_waiting") == 0
    assert value(empty, "mutuals_inbox_items_waiting") == 0
    assert value(empty, "mutuals_inbox_lag_seconds") == 0
    fan_out_before = value(empty, "mutuals_statuses_awaiting_fan_out")

    actor = LocalActorFactory.create()
    activity = OutboundActivity.objects.create(
        actor=actor, activity_id="https://local.test/activities/1", activity_type="Create", body={}
    )
    now = timezone.now()
    states = ["pending"] * 3 + ["failed"] * 2 + ["abandoned"] + ["delivered"] * 4
    for number, state in enumerate(states):
        Delivery.objects.create(
            activity=activity,
            inbox=f"https://peer{number}.test/inbox",
            host=f"peer{number}.test",
            state=state,
            next_attempt_at=now,
        )
    for number, state in enumerate(["received", "received", "processed", "failed"]):
        InboxItem.objects.create(
            activity_id=f"https://peer.test/a/{number}",
            activity_type="Create",
            actor_uri="https://peer.test/u/x",
            body={},
            state=state,
        )
    InboxItem.objects.filter(activity_id="https://peer.test/a/0").update(received_at=now - timedelta(seconds=120))
    StatusFactory.create_batch(2, fanned_out_at=None)
    StatusFactory.create()
    RemoteHost.objects.create(host="dead.test", consecutive_failures=30, unavailable=True)
    RemoteHost.objects.create(host="paused.test", consecutive_failures=10, circuit_open_until=now + timedelta(hours=1))
    RemoteHost.objects.create(host="flaky.test", consecutive_failures=2)
    RemoteHost.objects.create(host="healthy.test", consecutive_failures=0)

    samples = scrape(client)
    assert value(samples, "mutuals_deliveries_waiting") == 3
    assert value(samples, "mutuals_deliveries_failed", outcome="failed") == 2
    assert value(samples, "mutuals_deliveries_failed", outcome="abandoned") == 1
    assert value(samples, "mutuals_inbox_items_waiting") == 2
    assert 120 <= value(samples, "mutuals_inbox_lag_seconds") < 180
    assert value(samples, "mutuals_statuses_awaiting_fan_out") - fan_out_before == 2
    assert value(samples, "mutuals_remote_hosts", state="unavailable") == 1
    assert value(samples, "mutuals_remote_hosts", state="circuit_open") == 1
    assert value(samples, "mutuals_remote_hosts", state="failing") == 3
    assert value(samples, "mutuals_remote_host_consecutive_failures", host="dead.test") == 30
    assert value(samples, "mutuals_remote_host_consecutive_failures", host="flaky.test") == 2
    assert value(samples, "mutuals_remote_host_breaker", host="dead.test", state="unavailable") == 1
    assert value(samples, "mutuals_remote_host_breaker", host="paused.test", state="circuit_open") == 1
    assert value(samples, "mutuals_remote_host_breaker", host="flaky.test", state="closed") == 1
    assert not any(dict(labels).get("host") == "healthy.test" for _, labels in samples)


@pytest.mark.django_db
def test_per_host_series_are_bounded(client: Client, metrics_token: str) -> None:
    from config.metrics import MAX_LISTED_HOSTS

    RemoteHost.objects.bulk_create(
        RemoteHost(host=f"failing{number}.test", consecutive_failures=number + 1)
        for number in range(MAX_LISTED_HOSTS + 10)
    )
    samples = scrape(client)
    listed = [key for key in samples if key[0] == "mutuals_remote_host_consecutive_failures"]
    assert len(listed) == MAX_LISTED_HOSTS
    assert value(samples, "mutuals_remote_hosts", state="failing") == MAX_LISTED_HOSTS + 10
    # The worst hosts are the ones listed.
    assert value(samples, "mutuals_remote_host_consecutive_failures", host=f"failing{MAX_LISTED_HOSTS + 9}.test") == (
        MAX_LISTED_HOSTS + 10
    )


@pytest.mark.django_db
def test_counters_of_every_process_are_summed(client: Client, metrics_token: str) -> None:
    """Requests answered by another process (as by a second Daphne) appear in this process's scrape."""
    counted = ("mutuals_http_requests_total", frozenset({"method": "GET", "route": "healthz", "status": "200"}.items()))
    before = scrape(client).get(counted, 0.0)
    code = (
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='localhost')\n"
        "assert all(client.get('/healthz').status_code == 200 for _ in range(3))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env["MUTUALS_METRICS_DIR"] = str(django_settings.MUTUALS_METRICS_DIR)
    env["MUTUALS_DATA_DIR"] = str(django_settings.MUTUALS_DATA_DIR)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert scrape(client).get(counted, 0.0) - before == pytest.approx(3)


def test_files_of_ended_processes_are_removed_and_live_ones_kept() -> None:
    """A new web process clears what ended processes left, so the folder does not grow with restarts."""
    from config.metrics import HOST, METRICS_DIR, forget_ended_processes

    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    ended_pid = int(ended.stdout)
    left = METRICS_DIR / f"counter_{HOST}-{ended_pid}.db"
    left.write_bytes(b"")
    elsewhere = METRICS_DIR / f"counter_another-machine-{ended_pid}.db"
    elsewhere.write_bytes(b"")
    live = METRICS_DIR / f"histogram_{HOST}-{os.getpid()}.db"
    existed = live.exists()
    live.touch()
    try:
        assert ended_pid in forget_ended_processes()
        assert not left.exists()
        assert live.exists()
        assert elsewhere.exists()
    finally:
        left.unlink(missing_ok=True)
        elsewhere.unlink(missing_ok=True)
        if not existed:
            live.unlink()

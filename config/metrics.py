"""Prometheus metrics: request counts and latency per route, and the queues read from the database.

Request metrics are counted by each web process in prometheus-client's
multiprocess mode: every process writes its counters to memory-mapped files
in one folder (`MUTUALS_METRICS_DIR`, `metrics/` in the data folder), and a
scrape of any process sums the files of all of them, so several Daphne
processes give one answer. The queue gauges (deliveries waiting and failed,
inbox items waiting and the age of the oldest, statuses waiting for fan-out,
remote hosts whose circuit is open or which are unavailable) are read from
the database at scrape time, with counts the partial indexes answer, so
they are the same whichever process is asked and include the workers' work.

`/metrics` answers only with the bearer token `MUTUALS_METRICS_TOKEN`, and
not at all (404) when none is set.
"""

from __future__ import annotations

import hmac
import os
import socket
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from federation.models import Delivery, InboxItem, RemoteHost
from timeline.models import Status

METRICS_DIR = Path(settings.MUTUALS_METRICS_DIR)
METRICS_DIR.mkdir(parents=True, exist_ok=True)
# prometheus-client writes each process's files where this variable points.
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)
HOST = socket.gethostname().replace("_", "-")


def process_identifier() -> str:
    """Return this process's name in its counter files: machine (or container) and process id.

    Containers sharing the data volume may each run their web server as the
    same process id; the host name keeps their files apart.
    """
    return f"{HOST}-{os.getpid()}"


# Multiprocess values, chosen here rather than from the variable at import, so the order of imports
# does not matter; set before any metric below makes its first value.
values.ValueClass = values.MultiProcessValue(process_identifier=process_identifier)  # type: ignore[no-untyped-call]

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNRESOLVED = "<unresolved>"
# Remote hosts listed one by one, the worst first: enough to see which are failing, bounded for Prometheus.
MAX_LISTED_HOSTS = 50

REQUESTS = Counter(
    "mutuals_http_requests",
    "HTTP requests answered, by method, route pattern and status.",
    ["method", "route", "status"],
    registry=None,
)
LATENCY = Histogram(
    "mutuals_http_request_duration_seconds",
    "Time from the first middleware to the response, by method and route pattern.",
    ["method", "route"],
    registry=None,
)


def forget_ended_processes() -> list[int]:
    """Remove the counter files of processes of this machine that no longer run; return their ids.

    Each process that ever served a request leaves its files, and a scrape
    reads every file, so without this the folder grows with each restart.
    The totals then drop, which Prometheus reads as a counter reset, as
    after any restart. Files of other machines or containers are left alone.
    """
    ended: set[int] = set()
    for path in METRICS_DIR.glob(f"*_{HOST}-*.db"):
        pid = path.stem.rsplit("-", 1)[-1]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
            ended.add(int(pid))
        except PermissionError:
            # Alive, under another user.
            continue
    return sorted(ended)


class RequestMetricsMiddleware:
    """Count each request and time it, labelled by route pattern, never by raw path.

    The outermost middleware, so the time covers every other one. It adds
    two writes to this process's memory-mapped file per request. Made once
    per web process, it first clears the files of processes that ended.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        forget_ended_processes()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - start
        method = request.method if request.method in METHODS else "other"
        match = request.resolver_match
        route = match.route if match is not None and match.route else UNRESOLVED
        REQUESTS.labels(method, route, str(response.status_code)).inc()
        LATENCY.labels(method, route).observe(elapsed)
        return response


class QueueCollector(Collector):
    """Read the work queues and remote hosts' states from the database when scraped."""

    def collect(self) -> Iterator[Metric]:
        """Yield one gauge family per queue figure."""
        now = timezone.now()
        yield _gauge(
            "mutuals_deliveries_waiting",
            "Delivery rows pending (sent when their next attempt is due).",
            Delivery.objects.filter(state=Delivery.State.PENDING).count(),
        )
        failed = GaugeMetricFamily(
            "mutuals_deliveries_failed",
            "Delivery rows that will not be sent: failed (refused by the peer) or abandoned (retries spent).",
            labels=["outcome"],
        )
        counts = dict(
            Delivery.objects.filter(state__in=[Delivery.State.FAILED, Delivery.State.ABANDONED])
            .values("state")
            .annotate(rows=Count("id"))
            .values_list("state", "rows")
        )
        for outcome in (Delivery.State.FAILED, Delivery.State.ABANDONED):
            failed.add_metric([str(outcome)], counts.get(outcome, 0))
        yield failed
        inbox = InboxItem.objects.filter(state=InboxItem.State.RECEIVED).aggregate(
            waiting=Count("id"), oldest=Min("received_at")
        )
        yield _gauge("mutuals_inbox_items_waiting", "Inbox items received and not yet processed.", inbox["waiting"])
        oldest = inbox["oldest"]
        yield _gauge(
            "mutuals_inbox_lag_seconds",
            "Age of the oldest unprocessed inbox item (0 when none waits).",
            max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
        )
        yield _gauge(
            "mutuals_statuses_awaiting_fan_out",
            "Statuses whose fan-out to home timelines has not finished.",
            Status.objects.filter(fanned_out_at__isnull=True).count(),
        )
        yield from _host_gauges(now)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _host_gauges(now: datetime) -> Iterator[Metric]:
    open_circuit = Q(circuit_open_until__gt=now)
    totals = RemoteHost.objects.aggregate(
        hosts_unavailable=Count("id", filter=Q(unavailable=True)),
        hosts_circuit_open=Count("id", filter=open_circuit & Q(unavailable=False)),
        hosts_failing=Count("id", filter=Q(consecutive_failures__gt=0)),
    )
    hosts = GaugeMetricFamily(
        "mutuals_remote_hosts",
        "Remote hosts by delivery state: unavailable (failures on 7 days), circuit open, or failing lately.",
        labels=["state"],
    )
    for state in ("unavailable", "circuit_open", "failing"):
        hosts.add_metric([state], totals[f"hosts_{state}"])
    yield hosts
    failures = GaugeMetricFamily(
        "mutuals_remote_host_consecutive_failures",
        f"Consecutive delivery failures of the {MAX_LISTED_HOSTS} worst remote hosts that have any.",
        labels=["host"],
    )
    breaker = GaugeMetricFamily(
        "mutuals_remote_host_breaker",
        "1 for each listed host in the state named: circuit_open, unavailable or closed.",
        labels=["host", "state"],
    )
    listed = (
        RemoteHost.objects.filter(Q(consecutive_failures__gt=0) | Q(unavailable=True) | open_circuit)
        .order_by("-unavailable", "-consecutive_failures", "host")
        .values_list("host", "consecutive_failures", "unavailable", "circuit_open_until")[:MAX_LISTED_HOSTS]
    )
    for host, consecutive, unavailable, open_until in listed:
        failures.add_metric([host], consecutive)
        state = "unavailable" if unavailable else "circuit_open" if open_until and open_until > now else "closed"
        breaker.add_metric([host, state], 1)
    yield failures
    yield breaker


def _bearer(request: HttpRequest) -> str:
    authorization = str(request.META.get("HTTP_AUTHORIZATION", ""))
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Return every metric in Prometheus' text format to the holder of the metrics token.

    Without a configured token the endpoint does not exist (404); without
    the right token it says only that one is needed (401) or wrong (403).
    """
    expected = str(settings.MUTUALS_METRICS_TOKEN)
    if not expected:
        return HttpResponse("Not Found\n", status=404, content_type="text/plain")
    supplied = _bearer(request)
    if not supplied:
        response = HttpResponse("A bearer token is required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if not hmac.compare_digest(supplied.encode(), expected.encode()):
        return HttpResponse("The token is not the metrics token.\n", status=403, content_type="text/plain")
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(METRICS_DIR))  # type: ignore[no-untyped-call]  # unannotated upstream
    registry.register(QueueCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)

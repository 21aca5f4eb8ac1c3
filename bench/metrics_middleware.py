"""Measure what the request-metrics middleware adds to each request.

Sends `--requests` GETs through Django's full middleware stack (the test
client's handler, no network) with and without the middleware, alternating
rounds so that drift in the machine's load falls on both, and also times
the middleware's own work (one counter increment and one histogram
observation in the multiprocess files) alone. Prints the median time per
request of each stack, the differences of the medians and of the fastest
rounds, and the cost of the metric writes.

    .venv/bin/python bench/metrics_middleware.py [--requests 2000] [--rounds 5]

On a busy machine the rounds vary by more than the middleware costs; the
writes alone are then the figure to read.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MIDDLEWARE = "config.metrics.RequestMetricsMiddleware"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as data_dir:
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings.base",
                "MUTUALS_DATA_DIR": data_dir,
                "MUTUALS_DOMAIN": "localhost:8000",
                "MUTUALS_METRICS_TOKEN": "",
            }
        )
        import django

        django.setup()
        # Each 404 would log a warning to the terminal, in both stacks alike: time the requests, not the terminal.
        logging.disable(logging.WARNING)
        from django.conf import settings
        from django.test import Client, override_settings

        from config.metrics import LATENCY, REQUESTS

        with_metrics = list(settings.MIDDLEWARE)
        without_metrics = [name for name in with_metrics if name != MIDDLEWARE]
        assert with_metrics != without_metrics

        def per_request(middleware: list[str]) -> float:
            with override_settings(MIDDLEWARE=middleware):
                client = Client(HTTP_HOST="localhost")
                # /metrics without a configured token: the whole stack runs, and a 404 needs no database.
                assert client.get("/metrics").status_code == 404
                start = time.perf_counter()
                for _ in range(options.requests):
                    client.get("/metrics")
                return (time.perf_counter() - start) / int(options.requests)

        timings: dict[str, list[float]] = {"with": [], "without": []}
        for round_number in range(options.rounds):
            # Each stack goes first in every other round, so neither always runs on a warmer process.
            order = [("without", without_metrics), ("with", with_metrics)]
            for name, middleware in order if round_number % 2 == 0 else reversed(order):
                timings[name].append(per_request(middleware))

        start = time.perf_counter()
        for _ in range(options.requests):
            REQUESTS.labels("GET", "bench", "200").inc()
            LATENCY.labels("GET", "bench").observe(0.001)
        writes = (time.perf_counter() - start) / options.requests

    print("rounds without:", [round(t * 1e6) for t in timings["without"]])
    print("rounds with:   ", [round(t * 1e6) for t in timings["with"]])
    without = statistics.median(timings["without"]) * 1e6
    with_ = statistics.median(timings["with"]) * 1e6
    print(f"requests per round: {options.requests}, rounds: {options.rounds}")
    print(f"median per request without the middleware: {without:.1f} µs")
    print(f"median per request with the middleware:    {with_:.1f} µs")
    print(f"difference of medians: {with_ - without:+.1f} µs per request ({(with_ - without) / without:+.1%})")
    fastest_without, fastest_with = min(timings["without"]) * 1e6, min(timings["with"]) * 1e6
    # On a shared machine the fastest round is the one least disturbed by other work.
    print(f"difference of fastest rounds: {fastest_with - fastest_without:+.1f} µs per request")
    print(f"the middleware's metric writes alone: {writes * 1e6:.1f} µs per request")


if __name__ == "__main__":
    main()

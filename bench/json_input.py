"""Measure parsing JSON from outside with `config.json_input.parse_json` against the standard library.

Parses the captured Mastodon Create (a typical inbox activity), a 1 MB
outbox page of 300 such activities (the largest document fetched from a
peer), and a hostile body nested 100,000 levels deep, each many times,
and prints the time per parse with `json.loads` and with `parse_json`
(orjson, the bracket count and, when needed, the depth walk).

    .venv/bin/python bench/json_input.py [--rounds 2000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.json_input import parse_json

FIXTURE = Path(__file__).resolve().parent.parent / "tests/fixtures/activitypub/mastodon/create_note.json"


def per_call(parse: Callable[[bytes], Any], body: bytes, rounds: int) -> str:
    """Return the mean time of one parse, or the error it raises."""
    try:
        parse(body)
    except (ValueError, RecursionError) as exc:
        return f"refused ({type(exc).__name__})"
    started = time.perf_counter()
    for _ in range(rounds):
        parse(body)
    return f"{(time.perf_counter() - started) / rounds * 1e6:9.1f} µs"


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    rounds = parser.parse_args().rounds
    activity = FIXTURE.read_bytes()
    page = json.dumps({"type": "OrderedCollectionPage", "orderedItems": [json.loads(activity)] * 300}).encode()
    cases = {
        f"activity ({len(activity)} bytes)": (activity, rounds),
        f"outbox page ({len(page)} bytes)": (page, max(rounds // 200, 5)),
        "nested 100,000 deep": (b"[" * 100_000 + b"]" * 100_000, rounds),
    }
    print(f"{'document':32} {'json.loads':>20} {'parse_json':>20}")
    for name, (body, count) in cases.items():
        bounded = per_call(lambda data: parse_json(data, max_bytes=10_000_000), body, count)
        print(f"{name:32} {per_call(json.loads, body, count):>20} {bounded:>20}")


if __name__ == "__main__":
    main()

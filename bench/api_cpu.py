"""Measure the web process's CPU time per request of the home timeline, posting and following, in-process.

Runs Django's test client against a fresh in-memory SQLite database (the
embedded backend, test settings) seeded with a varied home timeline, so no
HTTP, no other process and no wall clock: `time.process_time()` around N
requests, which the other work on a shared machine barely moves. Tasks queued
after commit (fan-out, deliveries, link previews) are dropped, as they are the
worker's CPU, not the web process's.

    .venv/bin/python bench/api_cpu.py [--requests 200] [--profile home|post|follow]

Prints milliseconds of CPU per request for each endpoint.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["MUTUALS_TEST_BACKEND"] = "embedded"
# Every request comes from one token: the rate limit would stop the run.
os.environ["MUTUALS_API_RATE_LIMIT"] = "1000000"


def seed_home(viewer: Any, others: list[Any]) -> None:
    """Give the viewer a home timeline of 60 varied statuses: boosts, replies, polls, media, mentions, tags, cards."""
    from django.utils import timezone

    from tests.factories.timeline import (
        FavouriteFactory,
        MentionFactory,
        PollFactory,
        RemoteMediaFactory,
        StatusFactory,
    )
    from timeline.models import PreviewCard, Tag, TimelineEntry

    tag = Tag.objects.create(name="bench")
    card = PreviewCard.objects.create(
        url="https://news.example/a", title="A page", description="About it", fetched_at=timezone.now()
    )
    for n in range(60):
        author = others[n % len(others)]
        status = StatusFactory.create(account=author, spoiler_text="cw" if n % 7 == 0 else "")
        if n % 4 == 0:
            status = StatusFactory.create(account=others[(n + 1) % len(others)], reblog_of=status, text="", content="")
        elif n % 4 == 1:
            status = StatusFactory.create(account=author, in_reply_to=StatusFactory.create(account=viewer))
            status.tags.add(tag)
            MentionFactory.create(status=status, account=viewer)
            FavouriteFactory.create(status=status, account=viewer)
        elif n % 4 == 2:
            PollFactory.create(status=status)
            RemoteMediaFactory.create(status=status, account=author)
        else:
            status.preview_card = card
            status.save(update_fields=["preview_card"])
        TimelineEntry.objects.create(owner=viewer, status=status)


def cpu_per_call(call: Callable[[int], Any], count: int) -> float:
    """Return the CPU milliseconds per call of `call(n)` for n in range(count), after two warm-up calls."""
    call(-1)
    call(-2)
    began = time.process_time()
    for n in range(count):
        call(n)
    return (time.process_time() - began) * 1000 / count


def main() -> None:  # noqa: PLR0915 - one script: seeding, requests and printing read best together
    """Seed, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", choices=["home", "post", "follow"], help="print a cProfile of this endpoint")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)

    from config import queueing
    from tests.clients import bearer_for
    from tests.factories.federation import LocalActorFactory
    from timeline.models import Follow

    # The worker's tasks are not the web process's CPU: queued work is dropped here.
    queueing._send = lambda task_name, args, eta=None: None

    viewer = LocalActorFactory.create(user__username="viewer", username="viewer")
    others = [LocalActorFactory.create() for _ in range(8)]
    seed_home(viewer, others)
    for other in others:
        Follow.objects.create(follower=other, target=viewer, state=Follow.State.ACCEPTED)
    for _ in range(2):
        Follow.objects.create(follower=LocalActorFactory.create(), target=viewer, state=Follow.State.ACCEPTED)
    target = LocalActorFactory.create()
    headers = bearer_for(viewer, "read write follow")
    client = Client()

    def home(_: int) -> None:
        response = client.get("/api/v1/timelines/home?limit=40", headers=headers)
        assert response.status_code == 200
        assert len(response.json()) == 40

    def post(n: int) -> None:
        response = client.post("/api/v1/statuses", {"status": f"Post {n} to the followers"}, headers=headers)
        assert response.status_code == 200, response.content

    follow_path = f"/api/v1/accounts/{target.pk}/follow"

    def follow(_: int) -> None:
        # The unfollow that makes the next follow possible is not counted.
        began = time.process_time()
        Follow.objects.filter(follower=viewer, target=target).delete()
        follow.undone += time.process_time() - began  # type: ignore[attr-defined]
        response = client.post(follow_path, headers=headers)
        assert response.status_code == 200, response.content

    follow.undone = 0.0  # type: ignore[attr-defined]
    calls: dict[str, Callable[[int], Any]] = {"home": home, "post": post, "follow": follow}
    if args.profile:
        profiler = cProfile.Profile()
        calls[args.profile](-1)
        profiler.enable()
        for n in range(args.requests):
            calls[args.profile](n)
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(60)
        stats.print_callees(os.environ.get("CALLEES", "create_status"))
        return
    print(f"{args.requests} requests each, CPU ms per request (in-process, SQLite in memory)")
    print(f"  GET /api/v1/timelines/home?limit=40  {cpu_per_call(home, args.requests):.2f} ms")
    print(f"  POST /api/v1/statuses (10 followers) {cpu_per_call(post, args.requests):.2f} ms")
    follow_ms = cpu_per_call(follow, args.requests)
    undone = follow.undone * 1000 / (args.requests + 2)  # type: ignore[attr-defined]
    print(f"  POST /api/v1/accounts/:id/follow      {follow_ms - undone:.2f} ms")


if __name__ == "__main__":
    main()

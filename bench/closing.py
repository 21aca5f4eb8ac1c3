"""Measure closing a ranked-choice proposal with 100,000 ballots.

Creates a fresh database (PostgreSQL when DATABASE_URL names a server: a
throw-away database is created beside the one named and dropped afterwards;
SQLite in a temporary folder otherwise), fills it with users, a frozen
electorate and one ranked ballot each, then times `do_close_proposal`:
grouping and hashing the ballots (in the database on PostgreSQL), the
instant run-off, the log entry and the enactment, in one transaction. The
target is 2 s in PostgreSQL mode. A recount from the published ballots, in
Python, then checks that both ways give the same digest and tally.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/closing.py [--ballots 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OPTIONS = ["Red", "Orange", "Yellow", "Green", "Blue", "Indigo", "Violet"]


@contextmanager
def scratch_database() -> Iterator[str]:
    """Yield a DATABASE_URL for a database of its own, removed afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield ""
        return
    import psycopg

    name = f"mutuals_bench_closing_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fill(count: int) -> int:
    """Create the users, the proposal, its electorate and one ranked ballot each; return the proposal's id."""
    from django.db import connection
    from django.utils import timezone

    from governance.actions.ballots import tracker_for
    from governance.ballot_keys import new_sealed_tracker_key
    from governance.models import Ballot, Elector, Proposal
    from members.models import User

    started = time.perf_counter()
    unusable = "!"  # Django's marker for a password that never matches
    User.objects.bulk_create([User(username=f"voter{n}", password=unusable) for n in range(count)], batch_size=5000)
    user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    key_id, sealed_key = new_sealed_tracker_key()
    proposal = Proposal.objects.create(
        kind="text",
        title="Which colour for the co-op's logo?",
        method="ranked_choice",
        options=OPTIONS,
        author_id=user_ids[0],
        opened_at=now - timedelta(days=7),
        closes_at=now - timedelta(seconds=1),
        bylaws_version=1,
        min_open_days=6,
        quorum="0.200",
        pass_threshold="0.500",  # noqa: S106 (a share, not a password)
        block_override="0.900",
        electorate_size=count,
        electorate_hash="0" * 64,
        tracker_key=sealed_key,
        tracker_key_id=key_id,
    )
    Elector.objects.bulk_create([Elector(proposal=proposal, user_id=pk) for pk in user_ids], batch_size=10000)
    chooser = random.Random(42)  # noqa: S311 (reproducible test data, not secrets)
    weights = [30, 22, 15, 12, 10, 7, 4]
    ballots = []
    for pk in user_ids:
        first = chooser.choices(range(len(OPTIONS)), weights=weights)[0]
        rest = [option for option in range(len(OPTIONS)) if option != first]
        chooser.shuffle(rest)
        ranking = [first, *rest[: chooser.randint(0, 3)]]
        ballots.append(
            Ballot(proposal=proposal, voter_id=pk, tracker=tracker_for(proposal, pk), choice=ranking, cast_at=now)
        )
    Ballot.objects.bulk_create(ballots, batch_size=10000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"set up {count} ballots in {time.perf_counter() - started:.1f} s ({connection.vendor})")

    return proposal.pk


def main() -> None:
    """Fill the database, close the proposal, print the time it took."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000, help="ballots to count (at most 500,000)")
    count = min(parser.parse_args().ballots, 500_000)
    data_dir = Path(tempfile.mkdtemp(prefix="mutuals-bench-closing-"))
    with scratch_database() as database_url:
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings.base",
                "MUTUALS_DATA_DIR": str(data_dir),
                "MUTUALS_LOG_LEVEL": "WARNING",
                "DATABASE_URL": database_url,
            }
        )
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from governance.actions.closing import do_close_proposal, recount_proposal

        call_command("migrate", "--noinput", "-v0")
        proposal_id = fill(count)
        started = time.perf_counter()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            closed = profiler.runcall(do_close_proposal, proposal_id)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        else:
            closed = do_close_proposal(proposal_id)
        elapsed = time.perf_counter() - started
        assert closed.tally is not None
        rounds = len(closed.tally["rounds"])
        print(f"closed: {closed.outcome}, winner {OPTIONS[closed.tally['winner']]} after {rounds} rounds")
        print(f"closing time: {elapsed:.2f} s for {count} ranked ballots ({connection.vendor}; target 2 s)")
        started = time.perf_counter()
        problems = recount_proposal(closed).problems
        print(f"recount: {problems or 'matches'} in {time.perf_counter() - started:.2f} s")
        connection.close()


if __name__ == "__main__":
    main()

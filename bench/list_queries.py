"""Count the queries of a page of conversations and of notifications, in the client API and the web app, by length.

Runs Django's test client against a fresh in-memory SQLite database (test
settings), as `bench/api_cpu.py` does. For each page length it seeds a new
member with that many conversations (direct messages from others and the
member's own, every third from an account suspended since) and that many
notifications (each about a post of its own, public, followers-only or
direct, or a follow), then reads each list once to warm it up and once
counted:

    .venv/bin/python bench/list_queries.py [--rows 2 10 40]

Prints the queries per request of each list at each length; a list whose
count grows with its length makes queries per row.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["MUTUALS_TEST_BACKEND"] = "embedded"
os.environ["MUTUALS_API_RATE_LIMIT"] = "1000000"

LISTS = {
    "API conversations": "/api/v1/conversations?limit=40",
    "API notifications": "/api/v1/notifications?limit=40",
    "web conversations": "/conversations",
    "web notifications": "/notifications",
}


def main() -> None:
    """Seed, count, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[2, 10, 40])
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)

    from config import queueing
    from federation.models import Actor
    from tests.clients import bearer_for
    from tests.factories.federation import LocalActorFactory
    from tests.factories.moderation import restrict_account
    from tests.timeline.api.test_notifications import notifications_about_posts
    from timeline.actions.conversations import do_record_direct_status
    from timeline.actions.statuses import check_create_status, do_create_status

    # Fan-out and deliveries are the worker's: queued work is dropped, and conversations are filed here.
    queueing._send = lambda task_name, args, eta=None: None

    def direct(author: Actor, text: str) -> None:
        do_record_direct_status(do_create_status(author, check_create_status(author, text=text, visibility="direct")))

    counts: dict[str, list[int]] = {name: [] for name in LISTS}
    for rows in args.rows:
        member = LocalActorFactory.create()
        for index in range(rows):
            other = LocalActorFactory.create()
            if index % 3 == 2:
                direct(member, f"@{other.username} hello")
            else:
                direct(other, f"@{member.username} hello")
            if index % 3 == 0:
                restrict_account(other)
        notifications_about_posts(member, range(rows * 100, rows * 101))
        api, web = Client(headers=bearer_for(member, "read")), Client()
        assert member.user is not None
        web.force_login(member.user)
        for name, path in LISTS.items():
            client = api if name.startswith("API") else web
            assert client.get(path).status_code == 200
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            counts[name].append(len(queries))
    print("queries per request, by rows on the page: " + ", ".join(str(rows) for rows in args.rows))
    for name, figures in counts.items():
        print(f"  {name:<18} " + " ".join(f"{figure:>4}" for figure in figures))


if __name__ == "__main__":
    main()

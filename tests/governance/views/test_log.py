"""The log is served as a page, as JSON and as an ActivityPub collection, by visibility."""

from __future__ import annotations

import pytest
from django.test import Client

from governance.actions.log import do_append_log_entry
from governance.models import LogEntry, LogVisibility
from tests.factories.governance import make_moderator

pytestmark = pytest.mark.django_db

ACTIVITY_JSON = {"Accept": "application/activity+json"}


@pytest.fixture
def entries() -> None:
    do_append_log_entry(LogEntry.Kind.BUDGET, summary="Public budget", data={})
    do_append_log_entry(
        LogEntry.Kind.MODERATION_ACTION, summary="Private action", data={}, visibility=LogVisibility.MODERATORS
    )


@pytest.mark.usefixtures("entries")
def test_anonymous_readers_see_public_entries_only() -> None:
    page = Client().get("/governance/log")
    assert page.status_code == 200
    assert b"Public budget" in page.content
    assert b"Private action" not in page.content
    assert [entry["summary"] for entry in Client().get("/governance/log?format=json").json()] == ["Public budget"]


@pytest.mark.usefixtures("entries")
def test_moderators_see_moderator_entries() -> None:
    client = Client()
    client.force_login(make_moderator())
    summaries = [entry["summary"] for entry in client.get("/governance/log?format=json").json()]
    assert summaries == ["Public budget", "Private action"]


@pytest.mark.usefixtures("entries")
def test_peers_get_an_ordered_collection_of_public_entries() -> None:
    collection = Client().get("/governance/log", headers=ACTIVITY_JSON)
    assert collection["Content-Type"].startswith("application/activity+json")
    document = collection.json()
    assert document["type"] == "OrderedCollection"
    assert document["totalItems"] == 1
    page = Client().get(document["first"].split("localhost:8000", 1)[-1], headers=ACTIVITY_JSON).json()
    assert page["type"] == "OrderedCollectionPage"
    assert [item["content"] for item in page["orderedItems"]] == ["Public budget"]
    assert page["orderedItems"][0]["mutualsLogEntry"]["sequence"] == 1

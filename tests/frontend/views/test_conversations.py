"""Direct conversations on the web: listed newest first, read when opened, answered directly, removed."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from federation.models import Actor
from frontend.views import conversations as conversations_view
from tests.factories.federation import LocalActorFactory
from tests.factories.moderation import restrict_account
from tests.factories.timeline import make_custom_emoji
from timeline.actions.conversations import do_record_direct_status
from timeline.actions.statuses import check_create_status, do_create_status
from timeline.models import Conversation, Status, Visibility

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[Any]]


def _direct(author: Actor, text: str, **fields: Any) -> Status:
    status = do_create_status(author, check_create_status(author, text=text, visibility="direct", **fields))
    # The fan-out files it after commit; these tests run inside one transaction.
    do_record_direct_status(status)
    return status


def test_a_message_sent_from_the_web_reaches_the_recipients_conversations(
    alice_client: Client, bob: Actor, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post("/home", {"text": "@bob are you coming?", "visibility": "direct", "language": "en"})
    bob_client = Client()
    assert bob.user is not None
    bob_client.force_login(bob.user)
    page = bob_client.get("/conversations").content.decode()
    conversation = Conversation.objects.get(owner=bob)
    assert 'class="unread"' in page
    assert "are you coming?" in page
    assert "@alice" in page
    assert 'class="avatar"' in page
    assert conversation.unread


def test_opening_a_conversation_shows_the_thread_marks_it_read_and_replies_stay_direct(
    alice: Actor, bob: Actor
) -> None:
    first = _direct(alice, "@bob the first word")
    conversation = Conversation.objects.get(owner=bob)
    bob_client = Client()
    assert bob.user is not None
    bob_client.force_login(bob.user)
    page = bob_client.get(f"/conversations/{conversation.pk}").content.decode()
    assert "the first word" in page
    assert '<option value="direct" selected>' in page
    assert "@alice" in page
    conversation.refresh_from_db()
    assert not conversation.unread
    response = bob_client.post(f"/conversations/{conversation.pk}", {"text": "@alice got it", "language": "en"})
    assert response.status_code == 400  # the audience is part of the form: left out, nothing is posted
    assert Status.objects.count() == 1
    response = bob_client.post(
        f"/conversations/{conversation.pk}", {"text": "@alice got it", "visibility": "direct", "language": "en"}
    )
    assert response.headers["Location"] == f"/conversations/{conversation.pk}"
    reply = Status.objects.get(account=bob)
    assert (reply.visibility, reply.in_reply_to_id) == (Visibility.DIRECT, first.pk)


def test_conversations_come_newest_first_a_page_at_a_time(
    alice_client: Client, alice: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conversations_view, "PAGE_SIZE", 2)
    for name in ("carol", "dave", "erin"):
        LocalActorFactory.create(username=name)
        _direct(alice, f"@{name} hello {name}")
    page = alice_client.get("/conversations").content.decode()
    assert page.index("hello erin") < page.index("hello dave")
    assert "hello carol" not in page
    older = Conversation.objects.get(owner=alice, last_status__text="@dave hello dave").last_status_id
    assert f"?max_id={older}" in page
    assert "hello carol" in alice_client.get(f"/conversations?max_id={older}").content.decode()


def test_removing_a_conversation_keeps_its_posts(alice_client: Client, alice: Actor, bob: Actor) -> None:
    status = _direct(alice, "@bob keep this")
    mine = Conversation.objects.get(owner=alice)
    response = alice_client.post(f"/conversations/{mine.pk}/remove", follow=True)
    assert "removed from your list" in response.content.decode()
    assert not Conversation.objects.filter(owner=alice).exists()
    assert Status.objects.filter(pk=status.pk).exists()
    assert Conversation.objects.filter(owner=bob).exists()


def test_someone_elses_conversation_is_not_found_and_stays(alice_client: Client, alice: Actor, bob: Actor) -> None:
    _direct(bob, "@alice private to us")
    carol = LocalActorFactory.create(username="carol")
    _direct(bob, "@carol not for alice")
    theirs = Conversation.objects.get(owner=carol)
    assert alice_client.get(f"/conversations/{theirs.pk}").status_code == 404
    assert alice_client.post(f"/conversations/{theirs.pk}/remove").status_code == 404
    theirs.refresh_from_db()
    assert theirs.unread


def test_the_menu_links_to_direct_messages(alice_client: Client) -> None:
    assert 'href="/conversations"' in alice_client.get("/home").content.decode()


def _emoji_queries(queries: CaptureQueriesContext) -> int:
    return sum("timeline_customemoji" in query["sql"] for query in queries.captured_queries)


def test_conversations_show_names_with_their_emoji_and_how_long_ago_in_the_same_queries(
    alice_client: Client, alice: Actor
) -> None:
    make_custom_emoji("teapot")
    _direct(LocalActorFactory.create(username="carol", display_name="Carol :teapot:"), "@alice tea :teapot:?")
    with CaptureQueriesContext(connection) as alone:
        page = alice_client.get("/conversations").content.decode()
    assert '<strong class="name">Carol <img class="custom-emoji"' in page
    assert "tea <img" in page
    assert page.count('alt=":teapot:"') == 2
    assert re.search(r'<time class="meta" datetime="[^"]+" title="[^"]+">just now</time>', page)
    for name in ("dave", "erin", "frank"):
        _direct(LocalActorFactory.create(username=name, display_name=f"{name} :teapot:"), f"@alice hello from {name}")
    with CaptureQueriesContext(connection) as more:
        page = alice_client.get("/conversations").content.decode()
    assert page.count('alt=":teapot:"') == 5
    # The emoji of every name and last post are read in the same queries however many rows there are.
    assert _emoji_queries(more) == _emoji_queries(alone)


def test_a_page_of_conversations_costs_no_more_queries_for_more_rows(
    alice_client: Client, alice: Actor, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    def converse(indices: range) -> None:
        # Every third from an account suspended since (its last post is not shown), some the member's own.
        for index in indices:
            other = LocalActorFactory.create(username=f"friend{index}")
            if index % 3 == 2:
                _direct(alice, f"@{other.username} hello")
            else:
                _direct(other, "@alice hello")
            if index % 3 == 0:
                restrict_account(other)

    converse(range(2))
    with CaptureQueriesContext(connection) as two:
        assert alice_client.get("/conversations").content.decode().count("<article ") == 2
    converse(range(2, 10))
    with django_assert_max_num_queries(len(two)):
        page = alice_client.get("/conversations").content.decode()
    assert page.count("<article ") == 10
    assert page.count('<p class="last') == len([index for index in range(10) if index % 3 != 0])

"""Direct-message conversations: filed on fan-out, listed per participant set, read and removed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.moderation import restrict_account
from tests.factories.timeline import MentionFactory, StatusFactory
from timeline.actions.fan_out import do_fan_out_status
from timeline.actions.statuses import check_create_status, do_create_status
from timeline.models import Conversation, Visibility

pytestmark = pytest.mark.django_db(transaction=True)


def _direct(author: Actor, text: str) -> str:
    status = do_create_status(author, check_create_status(author, text=text, visibility="direct"))
    return str(status.pk)


def test_direct_statuses_group_by_participants(alice: Actor, bob: Actor) -> None:
    carol = LocalActorFactory.create(username="carol")
    first = _direct(alice, "@bob hello")
    second = _direct(bob, "@alice hi back")
    group = _direct(alice, "@bob @carol all of us")
    alices = Client().get("/api/v1/conversations", headers=bearer_for(alice)).json()
    assert [item["last_status"]["id"] for item in alices] == [group, second]
    assert [account["id"] for account in alices[1]["accounts"]] == [str(bob.pk)]
    assert alices[1]["unread"] is True
    assert alices[0]["unread"] is False
    bobs = Client().get("/api/v1/conversations", headers=bearer_for(bob)).json()
    assert [item["last_status"]["id"] for item in bobs] == [group, second]
    carols = Client().get("/api/v1/conversations", headers=bearer_for(carol)).json()
    assert sorted(account["id"] for account in carols[0]["accounts"]) == sorted([str(alice.pk), str(bob.pk)])
    assert first != second


def test_read_and_remove(alice: Actor, bob: Actor) -> None:
    _direct(bob, "@alice hello")
    conversation = Conversation.objects.get(owner=alice)
    body = Client().post(f"/api/v1/conversations/{conversation.pk}/read", headers=bearer_for(alice)).json()
    assert body["unread"] is False
    assert Client().delete(f"/api/v1/conversations/{conversation.pk}", headers=bearer_for(alice)).json() == {}
    assert not Conversation.objects.filter(owner=alice).exists()
    assert Conversation.objects.filter(owner=bob).exists()


def test_others_conversations_are_not_found_and_unchanged(alice: Actor, bob: Actor) -> None:
    carol = LocalActorFactory.create(username="carol")
    _direct(bob, "@alice hello")
    conversation = Conversation.objects.get(owner=alice)
    headers = bearer_for(carol)
    assert Client().post(f"/api/v1/conversations/{conversation.pk}/read", headers=headers).status_code == 404
    assert Client().delete(f"/api/v1/conversations/{conversation.pk}", headers=headers).status_code == 404
    assert Client().get("/api/v1/conversations", headers=headers).json() == []
    conversation.refresh_from_db()
    assert conversation.unread is True
    read_only = Client().delete(f"/api/v1/conversations/{conversation.pk}", headers=bearer_for(alice, "read"))
    assert read_only.status_code == 403
    assert Conversation.objects.filter(pk=conversation.pk).exists()


def test_a_received_direct_status_starts_a_conversation(alice: Actor) -> None:
    remote = RemoteActorFactory.create()
    status = StatusFactory.create(account=remote, local=False, visibility=Visibility.DIRECT, fanned_out_at=None)
    MentionFactory.create(status=status, account=alice)
    do_fan_out_status(status.pk)
    do_fan_out_status(status.pk)
    conversation = Conversation.objects.get()
    assert conversation.owner == alice
    assert conversation.unread is True
    assert list(conversation.participants.all()) == [remote]
    listed = Client().get("/api/v1/conversations", headers=bearer_for(alice)).json()
    assert listed[0]["last_status"]["id"] == str(status.pk)


def _conversations(owner: Actor, indices: range) -> None:
    """File a conversation of the owner's per index: every third from an account suspended since, some her own."""
    for index in indices:
        other = LocalActorFactory.create(username=f"friend{index}")
        if index % 3 == 2:
            _direct(owner, f"@{other.username} hello")
        else:
            _direct(other, f"@{owner.username} hello")
        if index % 3 == 0:
            restrict_account(other)


def test_a_page_of_conversations_costs_no_more_queries_for_more_rows(
    alice: Actor, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    headers = bearer_for(alice)
    _conversations(alice, range(2))
    with CaptureQueriesContext(connection) as two:
        assert len(Client().get("/api/v1/conversations", headers=headers).json()) == 2
    _conversations(alice, range(2, 10))
    with django_assert_max_num_queries(len(two)):
        listed = Client().get("/api/v1/conversations", headers=headers).json()
    # A suspended author's last status is left out, as before; the others are shown.
    assert [item["last_status"] is None for item in listed] == [index % 3 == 0 for index in reversed(range(10))]

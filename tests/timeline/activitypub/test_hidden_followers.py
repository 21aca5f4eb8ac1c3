"""Followers-only posts from actors that do not publish their followers collection (bovine-herd hides it).

Such a post is addressed to a collection nobody here can expand; the personal
inboxes it is delivered to say who may read it. As on Mastodon, each of their
owners gets a silent mention and the status becomes limited.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from federation.activitypub.context import PUBLIC
from federation.models import Actor, InboxItem, InboxRecipient
from tests.clients import bearer_for
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.federation.signing import signed_post
from tests.federation.views.test_inbox import CaptureHooks, note_create
from timeline.models import Follow, Mention, Notification, Status, Visibility

pytestmark = pytest.mark.django_db

HIDDEN_FOLLOWERS = "https://bovine.example/endpoints/followers-of-moo"


@pytest.fixture
def moo(db: None) -> Actor:
    """Return a remote author whose actor document names no followers collection."""
    return RemoteActorFactory.create(username="moo", domain="bovine.example", followers_uri="")


def followers_only_post(author: Actor, *, number: int = 1, tag: dict[str, str] | None = None) -> dict[str, Any]:
    """Return a Create addressed, as bovine-herd addresses it, to a followers collection it does not publish."""
    activity = note_create(author, note_id=f"{author.uri}/statuses/{number}")
    activity["to"] = activity["object"]["to"] = [HIDDEN_FOLLOWERS]
    activity["cc"] = activity["object"]["cc"] = []
    if tag is not None:
        activity["object"]["tag"] = [tag]
    return activity


def follow(follower: Actor, author: Actor) -> None:
    Follow.objects.create(follower=follower, target=author, state=Follow.State.ACCEPTED)


def deliver(client: Client, path: str, activity: dict[str, Any], author: Actor, hooks: CaptureHooks) -> None:
    with hooks(execute=True):
        assert signed_post(client, path, activity, actor=author).status_code == 202


def test_followers_only_post_delivered_to_a_personal_inbox_reaches_its_owner(
    client: Client, alice: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    follow(alice, moo)
    activity = followers_only_post(moo)
    deliver(client, "/users/alice/inbox", activity, moo, django_capture_on_commit_callbacks)
    status = Status.objects.get(uri=activity["object"]["id"])
    assert alice.home_entries.filter(status=status).exists()
    assert status.visibility == Visibility.LIMITED
    assert list(Mention.objects.filter(status=status).values_list("account_id", "silent")) == [(alice.pk, True)]
    recipient = InboxRecipient.objects.get()
    assert (recipient.account_id, recipient.item.state) == (alice.pk, InboxItem.State.PROCESSED)
    assert recipient.handled_at is not None


def test_redelivery_to_a_second_personal_inbox_gives_that_account_the_status_too(
    client: Client, alice: Actor, bob: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    follow(alice, moo)
    follow(bob, moo)
    activity = followers_only_post(moo)
    deliver(client, "/users/alice/inbox", activity, moo, django_capture_on_commit_callbacks)
    deliver(client, "/users/bob/inbox", activity, moo, django_capture_on_commit_callbacks)
    assert InboxItem.objects.count() == 1
    assert set(InboxRecipient.objects.values_list("account_id", flat=True)) == {alice.pk, bob.pk}
    assert not InboxRecipient.objects.filter(handled_at__isnull=True).exists()
    status = Status.objects.get(uri=activity["object"]["id"])
    assert status.visibility == Visibility.LIMITED
    assert set(Mention.objects.filter(status=status, silent=True).values_list("account_id", flat=True)) == {
        alice.pk,
        bob.pk,
    }
    assert bob.home_entries.filter(status=status).exists()
    assert alice.home_entries.filter(status=status).exists()


def test_redelivery_to_the_same_inbox_or_the_shared_inbox_changes_nothing(
    client: Client, alice: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    follow(alice, moo)
    activity = followers_only_post(moo)
    for path in ("/users/alice/inbox", "/users/alice/inbox", "/inbox", "/users/ALICE/inbox"):
        deliver(client, path, activity, moo, django_capture_on_commit_callbacks)
    status = Status.objects.get(uri=activity["object"]["id"])
    assert InboxItem.objects.count() == 1
    assert InboxRecipient.objects.count() == 1
    assert Mention.objects.filter(status=status).count() == 1
    assert alice.home_entries.filter(status=status).count() == 1


def test_shared_inbox_delivery_names_no_recipient_until_a_personal_inbox_receives_it(
    client: Client, alice: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    follow(alice, moo)
    activity = followers_only_post(moo)
    deliver(client, "/inbox", activity, moo, django_capture_on_commit_callbacks)
    status = Status.objects.get(uri=activity["object"]["id"])
    # Addressed to no one this server knows, it is a direct message to no one, as on Mastodon.
    assert status.visibility == Visibility.DIRECT
    assert not InboxRecipient.objects.exists()
    assert not Mention.objects.filter(status=status).exists()
    assert not alice.home_entries.filter(status=status).exists()
    deliver(client, "/users/alice/inbox", activity, moo, django_capture_on_commit_callbacks)
    status.refresh_from_db()
    assert status.visibility == Visibility.LIMITED
    assert Mention.objects.get(status=status).account_id == alice.pk
    assert alice.home_entries.filter(status=status).exists()


def test_a_recipient_who_does_not_follow_the_author_may_read_it_but_gets_no_home_entry(
    client: Client, alice: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    activity = followers_only_post(moo)
    deliver(client, "/users/alice/inbox", activity, moo, django_capture_on_commit_callbacks)
    status = Status.objects.get(uri=activity["object"]["id"])
    assert Client().get(f"/api/v1/statuses/{status.pk}", headers=bearer_for(alice)).status_code == 200
    # Delivering a post to someone's inbox is not enough to enter their home timeline.
    assert not alice.home_entries.filter(status=status).exists()


def test_only_the_recipient_reads_it_and_clients_see_private_without_silent_mentions(
    client: Client, alice: Actor, bob: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    follow(alice, moo)
    follow(bob, moo)
    activity = followers_only_post(moo)
    deliver(client, "/users/alice/inbox", activity, moo, django_capture_on_commit_callbacks)
    status = Status.objects.get(uri=activity["object"]["id"])
    response = Client().get(f"/api/v1/statuses/{status.pk}", headers=bearer_for(alice))
    assert response.status_code == 200
    body = response.json()
    assert body["visibility"] == "private"
    assert body["mentions"] == []
    # Following the author is not enough: only the accounts it was given to may read it.
    for stranger in (bearer_for(bob), {}, bearer_for(LocalActorFactory.create())):
        assert Client().get(f"/api/v1/statuses/{status.pk}", headers=stranger).status_code == 404


def test_a_silent_mention_notifies_no_one_while_a_tagged_account_is_notified(
    client: Client, alice: Actor, bob: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    follow(alice, moo)
    activity = followers_only_post(moo, tag={"type": "Mention", "href": bob.uri, "name": "@bob"})
    activity["to"] = activity["object"]["to"] = [HIDDEN_FOLLOWERS, bob.uri]
    deliver(client, "/users/alice/inbox", activity, moo, django_capture_on_commit_callbacks)
    status = Status.objects.get(uri=activity["object"]["id"])
    assert status.visibility == Visibility.LIMITED
    assert set(Mention.objects.filter(status=status).values_list("account_id", "silent")) == {
        (alice.pk, True),
        (bob.pk, False),
    }
    assert list(Notification.objects.values_list("recipient_id", "type")) == [(bob.pk, Notification.Type.MENTION)]
    body = Client().get(f"/api/v1/statuses/{status.pk}", headers=bearer_for(alice)).json()
    assert [mention["id"] for mention in body["mentions"]] == [str(bob.pk)]


def test_a_limited_status_stays_off_the_public_and_hashtag_timelines_and_cannot_be_boosted(
    client: Client, alice: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    follow(alice, moo)
    activity = followers_only_post(moo, tag={"type": "Hashtag", "name": "#cows", "href": "https://bovine.example/t"})
    deliver(client, "/users/alice/inbox", activity, moo, django_capture_on_commit_callbacks)
    status = Status.objects.get(uri=activity["object"]["id"])
    assert status.tags.filter(name="cows").exists()
    headers = bearer_for(alice)
    for url in ("/api/v1/timelines/public", "/api/v1/timelines/public?remote=true", "/api/v1/timelines/tag/cows"):
        assert str(status.pk) not in [item["id"] for item in Client().get(url, headers=headers).json()]
    home = Client().get("/api/v1/timelines/home", headers=headers).json()
    assert [item["id"] for item in home] == [str(status.pk)]
    assert Client().post(f"/api/v1/statuses/{status.pk}/reblog", headers=headers).status_code == 403
    assert not Status.objects.filter(reblog_of=status).exists()


def test_a_public_post_delivered_to_a_personal_inbox_needs_no_silent_mention(
    client: Client, alice: Actor, moo: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    follow(alice, moo)
    activity = note_create(moo)
    assert activity["to"] == [PUBLIC]
    deliver(client, "/users/alice/inbox", activity, moo, django_capture_on_commit_callbacks)
    status = Status.objects.get(uri=activity["object"]["id"])
    assert status.visibility == Visibility.PUBLIC
    assert not Mention.objects.filter(status=status).exists()
    assert InboxRecipient.objects.get().account_id == alice.pk

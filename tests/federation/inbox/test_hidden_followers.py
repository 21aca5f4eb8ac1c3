"""Followers-only posts from actors that do not publish their followers collection (bovine-herd hides it)."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor
from tests.factories.federation import RemoteActorFactory
from tests.federation.signing import signed_post
from tests.federation.views.test_inbox import CaptureHooks, note_create
from timeline.models import Follow, Status


@pytest.mark.django_db
@pytest.mark.xfail(
    strict=True,
    reason=(
        "Mastodon gives a status addressed to an unknown collection to the owner of the personal inbox it was "
        "delivered to (a silent mention, visibility limited); this server keeps it as a direct message to no one"
    ),
)
def test_followers_only_post_delivered_to_a_personal_inbox_reaches_its_owner(
    client: Client, alice: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    author = RemoteActorFactory.create(username="moo", domain="bovine.example", followers_uri="")
    Follow.objects.create(follower=alice, target=author, state=Follow.State.ACCEPTED)
    activity = note_create(author)
    hidden_followers = "https://bovine.example/endpoints/followers-of-moo"
    activity["to"] = activity["object"]["to"] = [hidden_followers]
    activity["cc"] = activity["object"]["cc"] = []
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_post(client, "/users/alice/inbox", activity, actor=author).status_code == 202
    status = Status.objects.get(uri=activity["object"]["id"])
    assert alice.home_entries.filter(status=status).exists()

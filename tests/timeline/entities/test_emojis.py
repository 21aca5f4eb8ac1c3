"""Custom emoji in the Status, Account and Poll entities, and as tags of what this server sends."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.activitypub import Emoji
from federation.models import Actor
from federation.renderers import person_for_actor
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import PollFactory, StatusFactory, make_custom_emoji
from timeline.activitypub.renderers import note_for_status
from timeline.entities.accounts import account_entity
from timeline.entities.emojis import shortcodes_in
from timeline.entities.statuses import status_entity


def test_shortcodes_are_found_between_colons_only_when_standing_alone() -> None:
    assert shortcodes_in(["<p>:blobcat: and :wave:!</p>", "a:glued: b", "::double::", ":x:"]) == {"blobcat", "wave"}


@pytest.mark.django_db
def test_a_local_status_shows_the_local_emoji_it_names(alice: Actor) -> None:
    make_custom_emoji("blobcat", category="Cats")
    make_custom_emoji("blobcat", domain="social.example")
    make_custom_emoji("hidden", disabled=True)
    status = StatusFactory.create(account=alice, content="<p>:blobcat: :hidden: :unknown:</p>", spoiler_text="")
    emojis = status_entity(status, None)["emojis"]
    assert [(emoji["shortcode"], emoji["category"]) for emoji in emojis] == [("blobcat", "Cats")]
    assert emojis[0]["url"].startswith("http") and "/emoji/" in emojis[0]["url"]
    assert emojis[0]["static_url"] == emojis[0]["url"]
    assert emojis[0]["visible_in_picker"] is True


@pytest.mark.django_db
def test_a_remote_status_shows_its_own_server_s_emoji_once_fetched() -> None:
    author = RemoteActorFactory.create(domain="social.example")
    make_custom_emoji("blobcat")
    make_custom_emoji("blobcat", domain="social.example")
    make_custom_emoji("later", domain="social.example").image.delete(save=True)
    status = StatusFactory.create(account=author, local=False, content="<p>:blobcat: :later:</p>")
    emojis = status_entity(status, None)["emojis"]
    assert len(emojis) == 1
    assert "blobcat" in emojis[0]["url"]


@pytest.mark.django_db
def test_accounts_and_polls_carry_the_emoji_of_their_texts(alice: Actor) -> None:
    make_custom_emoji("wave")
    make_custom_emoji("tick")
    alice.display_name = "Alice :wave:"
    alice.fields = [{"name": "Mood", "value": ":tick:"}]
    alice.save()
    assert [emoji["shortcode"] for emoji in account_entity(alice)["emojis"]] == ["tick", "wave"]
    status = StatusFactory.create(account=alice, content="<p>Vote</p>")
    poll = PollFactory.create(status=status, options=[":tick:", "no"])
    entity = status_entity(poll.status, None)
    assert [emoji["shortcode"] for emoji in entity["poll"]["emojis"]] == ["tick"]
    assert [emoji["shortcode"] for emoji in entity["emojis"]] == ["tick"]


@pytest.mark.django_db
def test_notes_and_actors_sent_tag_the_local_emoji_they_use(alice: Actor) -> None:
    make_custom_emoji("blobcat")
    status = StatusFactory.create(account=alice, content="<p>hello :blobcat: :unknown:</p>")
    emojis = [tag for tag in note_for_status(status).tag if isinstance(tag, Emoji)]
    assert [emoji.name for emoji in emojis] == [":blobcat:"]
    assert emojis[0].icon_url.endswith(".png")
    assert emojis[0].to_json()["icon"]["type"] == "Image"
    alice.summary = "<p>I like :blobcat:</p>"
    alice.save()
    assert [tag.name for tag in person_for_actor(alice).tag if isinstance(tag, Emoji)] == [":blobcat:"]


@pytest.mark.django_db
def test_a_status_s_history_carries_the_emoji_of_each_version(alice: Actor) -> None:
    make_custom_emoji("blobcat")
    status = StatusFactory.create(account=alice, content="<p>hello :blobcat:</p>")
    versions = Client().get(f"/api/v1/statuses/{status.pk}/history").json()
    assert [[emoji["shortcode"] for emoji in version["emojis"]] for version in versions] == [["blobcat"]]

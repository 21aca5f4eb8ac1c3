"""Remote statuses: attachments referenced within limits, and who is given a status that names no one here."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from federation.activitypub import Note, parse_as
from federation.models import Actor
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import FollowFactory
from timeline.actions.remote_statuses import do_add_status_recipients, do_store_remote_status, do_update_remote_status
from timeline.entities.statuses import status_entity
from timeline.models import MediaAttachment, Notification, Status, TimelineEntry, Visibility

pytestmark = pytest.mark.django_db

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def note(author_uri: str, attachments: list[Any], suffix: str = "1") -> dict[str, Any]:
    return {
        "id": f"{author_uri}/statuses/{suffix}",
        "type": "Note",
        "attributedTo": author_uri,
        "content": "<p>Look</p>",
        "published": "2026-01-01T00:00:00Z",
        "to": [PUBLIC],
        "attachment": attachments,
    }


def document(n: int, **extra: Any) -> dict[str, Any]:
    return {"type": "Document", "mediaType": "image/jpeg", "url": f"https://files.example/{n}.jpg", **extra}


def test_attachments_are_stored_as_references_until_copied() -> None:
    author = RemoteActorFactory.create()
    doc = note(
        author.uri,
        [
            document(1, name="A\x00 red\x07 tomato", blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj", width=800, height=600),
            document(2, mediaType="application/x-msdownload"),
            document(3, mediaType="image/png; charset=evil"),
            document(4, blurhash="<script>", width=10**9, height=5),
            document(5, mediaType="video/mp4"),
            document(6, mediaType="audio/mpeg"),
            document(7),
        ],
    )
    status = do_store_remote_status(author, parse_as(Note, doc))
    assert status is not None
    media = list(status.media.order_by("position"))
    # Unusable types are dropped, and at most four are kept, as Mastodon keeps.
    assert [m.remote_url for m in media] == [f"https://files.example/{n}.jpg" for n in (1, 4, 5, 6)]
    assert [m.type for m in media] == ["image", "image", "video", "audio"]
    assert all(m.file.name == "" and m.account_id == author.pk for m in media)
    assert media[0].description == "A red tomato"
    assert media[0].meta["original"]["aspect"] == 800 / 600
    assert media[1].blurhash == "" and media[1].meta == {}
    [first, *_] = status_entity(status, None)["media_attachments"]
    assert first["remote_url"] == "https://files.example/1.jpg"
    assert first["url"].startswith("https://localhost:8000/media_proxy/")
    assert first["blurhash"] == "LEHV6nWB2yk8pyo0adR*.7kCMdnj"


def test_an_update_replaces_the_referenced_attachments() -> None:
    author = RemoteActorFactory.create()
    status = do_store_remote_status(author, parse_as(Note, note(author.uri, [document(1), document(2)])))
    assert status is not None
    edited = note(author.uri, [document(3, name="new")])
    edited["updated"] = "2026-01-02T00:00:00Z"
    do_update_remote_status(author, parse_as(Note, edited))
    assert list(MediaAttachment.objects.values_list("remote_url", "description")) == [
        ("https://files.example/3.jpg", "new")
    ]


def addressed_note(
    author: Actor, to: list[str], cc: list[str] | None = None, tagged: tuple[Actor, ...] | list[Actor] = ()
) -> Note:
    return parse_as(
        Note,
        {
            "id": f"{author.uri}/statuses/9",
            "type": "Note",
            "attributedTo": author.uri,
            "content": "<p>For a few</p>",
            "published": "2026-01-01T00:00:00Z",
            "to": to,
            "cc": cc or [],
            "tag": [{"type": "Mention", "href": actor.uri} for actor in tagged],
        },
    )


def mentions_of(status: Status) -> set[tuple[int, bool]]:
    return set(status.mentions.values_list("account_id", "silent"))


def test_known_accounts_addressed_without_a_tag_are_mentioned_silently_and_make_it_limited(
    alice: Actor, bob: Actor
) -> None:
    author = RemoteActorFactory.create()
    status = do_store_remote_status(author, addressed_note(author, [alice.uri, bob.uri], tagged=[bob]))
    assert status is not None
    assert status.visibility == Visibility.LIMITED
    assert mentions_of(status) == {(alice.pk, True), (bob.pk, False)}
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [bob.pk]


def test_a_message_to_tagged_accounts_only_stays_direct(alice: Actor) -> None:
    author = RemoteActorFactory.create()
    status = do_store_remote_status(author, addressed_note(author, [alice.uri], tagged=[alice]))
    assert status is not None
    assert status.visibility == Visibility.DIRECT
    assert mentions_of(status) == {(alice.pk, False)}


def test_the_recipient_of_a_followers_only_post_is_mentioned_silently_and_it_stays_private(alice: Actor) -> None:
    author = RemoteActorFactory.create()
    status = do_store_remote_status(author, addressed_note(author, [author.followers_uri]), recipients=[alice])
    assert status is not None
    assert status.visibility == Visibility.PRIVATE
    assert mentions_of(status) == {(alice.pk, True)}


@pytest.mark.parametrize(("to", "cc"), [([PUBLIC], []), ([], [PUBLIC])])
def test_public_and_unlisted_posts_need_no_silent_mention(alice: Actor, to: list[str], cc: list[str]) -> None:
    author = RemoteActorFactory.create()
    status = do_store_remote_status(author, addressed_note(author, [*to, alice.uri], cc), recipients=[alice])
    assert status is not None
    assert status.visibility in (Visibility.PUBLIC, Visibility.UNLISTED)
    assert mentions_of(status) == set()
    assert do_add_status_recipients(status, [alice]) == []


def test_a_stored_status_given_to_one_more_recipient_becomes_limited(alice: Actor, bob: Actor) -> None:
    author = RemoteActorFactory.create()
    FollowFactory.create(follower=bob, target=author)
    status = do_store_remote_status(author, addressed_note(author, ["https://remote.example/hidden"]))
    assert status is not None
    assert status.visibility == Visibility.DIRECT
    status.fanned_out_at = timezone.now()
    status.save(update_fields=["fanned_out_at"])
    assert do_add_status_recipients(status, [alice, bob]) == [alice, bob]
    assert do_add_status_recipients(status, [alice]) == []
    status.refresh_from_db()
    assert status.visibility == Visibility.LIMITED
    assert mentions_of(status) == {(alice.pk, True), (bob.pk, True)}
    # Only the follower finds it at home; neither is notified.
    assert list(TimelineEntry.objects.filter(status=status).values_list("owner_id", flat=True)) == [bob.pk]
    assert not Notification.objects.exists()


def test_an_edit_keeps_silent_mentions_and_a_new_tag_makes_one_a_real_mention(alice: Actor, bob: Actor) -> None:
    author = RemoteActorFactory.create()
    status = do_store_remote_status(author, addressed_note(author, [alice.uri, bob.uri], tagged=[bob]))
    assert status is not None
    edited = addressed_note(author, [alice.uri, bob.uri], tagged=[alice])
    do_update_remote_status(author, edited)
    assert mentions_of(status) == {(alice.pk, False)}
    status.mentions.create(account=bob, silent=True)
    do_update_remote_status(author, addressed_note(author, [alice.uri, bob.uri]))
    assert mentions_of(status) == {(bob.pk, True)}

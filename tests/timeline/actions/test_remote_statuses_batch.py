"""Storing many remote statuses in one call: the rows of one-by-one storing, with a few queries in all."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from federation.activitypub import Note, parse_as
from federation.models import Actor, Tombstone
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.timeline import FollowFactory, StatusFactory
from timeline.actions import remote_statuses
from timeline.actions.remote_statuses import IncomingStatus, do_store_remote_status, do_store_remote_statuses
from timeline.ids import snowflake_id
from timeline.models import MediaAttachment, Mention, Notification, Poll, Status, Tag, TimelineEntry, Visibility
from timeline.streaming import events

pytestmark = pytest.mark.django_db

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
CaptureHooks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def note(author: Actor, name: str, /, **extra: Any) -> Note:
    """Return a public note of the author's with the id `<author>/statuses/<name>`, changed by `extra`."""
    return parse_as(
        Note,
        {
            "id": f"{author.uri}/statuses/{name}",
            "type": "Note",
            "attributedTo": author.uri,
            "content": f"<p>{name}</p>",
            "published": "2026-01-01T00:00:00Z",
            "to": [PUBLIC],
            "cc": [author.followers_uri],
            **extra,
        },
    )


def mention(actor: Actor) -> dict[str, str]:
    return {"type": "Mention", "href": actor.uri}


def hashtag(name: str) -> dict[str, str]:
    return {"type": "Hashtag", "name": f"#{name}", "href": f"https://mastodon.example/tags/{name}"}


def mentions_in_order(status: Status) -> list[tuple[int, bool]]:
    return list(Mention.objects.filter(status=status).order_by("pk").values_list("account_id", "silent"))


def tag_names(status: Status) -> list[str]:
    return sorted(status.tags.values_list("name", flat=True))


def stored_rows(status: Status) -> dict[str, Any]:
    """Return what was stored for a status, leaving out what differs by its id alone."""
    status.refresh_from_db()
    poll = Poll.objects.filter(status=status).first()
    return {
        "account": status.account_id,
        "url": "" if status.url == status.uri else status.url,
        "content": status.content,
        "spoiler_text": status.spoiler_text,
        "sensitive": status.sensitive,
        "visibility": status.visibility,
        "language": status.language,
        "in_reply_to": status.in_reply_to_id,
        "local": status.local,
        "created_at": status.created_at,
        "mentions": mentions_in_order(status),
        "notified": sorted(Notification.objects.filter(status=status).values_list("recipient_id", "type")),
        "tags": tag_names(status),
        "media": list(
            MediaAttachment.objects.filter(status=status)
            .order_by("position")
            .values_list(
                "account_id",
                "type",
                "state",
                "content_type",
                "remote_url",
                "description",
                "blurhash",
                "meta",
                "position",
            )
        ),
        "poll": None if poll is None else (poll.options, poll.votes, poll.multiple, poll.voters_count, poll.expires_at),
    }


def varied_notes(
    author: Actor, prefix: str, *, alice: Actor, bob: Actor, dave: Actor, erin: Actor
) -> list[IncomingStatus]:
    """Return notes that each exercise one part of storing, their ids starting with `prefix`."""
    parent = Status.objects.get(uri="https://mutuals.example/parent")
    return [
        IncomingStatus(
            author, note(author, f"{prefix}-html", content="<p>Hi <script>alert(1)</script><b>there</b></p>")
        ),
        IncomingStatus(
            author,
            note(
                author,
                f"{prefix}-direct",
                content="<p>direct</p>",
                to=[bob.uri, dave.uri, alice.uri],
                cc=[],
                tag=[mention(bob)],
            ),
            recipients=[erin, alice],
        ),
        IncomingStatus(
            author,
            note(author, f"{prefix}-followers", content="<p>followers</p>", to=[author.followers_uri], cc=[]),
            recipients=[alice],
        ),
        IncomingStatus(
            author,
            note(
                author,
                f"{prefix}-poll",
                content="<p>poll</p>",
                type="Question",
                oneOf=[
                    {"type": "Note", "name": "Yes", "replies": {"type": "Collection", "totalItems": 3}},
                    {"type": "Note", "name": "No", "replies": {"type": "Collection", "totalItems": 1}},
                ],
                endTime="2026-01-08T00:00:00Z",
                votersCount=4,
            ),
        ),
        IncomingStatus(
            author,
            note(
                author,
                f"{prefix}-media",
                content="<p>media</p>",
                url="https://mastodon.example/@moo/media",
                tag=[hashtag("Cows"), hashtag("fields"), mention(alice)],
                attachment=[
                    {
                        "type": "Document",
                        "mediaType": "image/jpeg",
                        "url": "https://files.example/cow.jpg",
                        "name": "A cow",
                        "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
                        "width": 800,
                        "height": 600,
                    },
                    {"type": "Document", "mediaType": "video/mp4", "url": "https://files.example/moo.mp4"},
                ],
            ),
        ),
        IncomingStatus(
            author, note(author, f"{prefix}-reply", content="<p>reply</p>", inReplyTo=parent.uri), in_reply_to=parent
        ),
        IncomingStatus(
            author,
            note(
                author,
                f"{prefix}-unlisted",
                to=[author.followers_uri],
                cc=[PUBLIC],
                summary="Spoilers",
                contentMap={"de": "<p>Hallo</p>"},
                content=None,
            ),
        ),
    ]


def test_many_notes_in_one_call_give_the_rows_of_storing_them_one_by_one(alice: Actor, bob: Actor) -> None:
    author = RemoteActorFactory.create(username="moo")
    dave = LocalActorFactory.create()
    erin = LocalActorFactory.create()
    parent = StatusFactory.create(account=alice, uri="https://mutuals.example/parent")
    one_by_one = [
        do_store_remote_status(item.author, item.note, in_reply_to=item.in_reply_to, recipients=item.recipients)
        for item in varied_notes(author, "single", alice=alice, bob=bob, dave=dave, erin=erin)
    ]
    together = do_store_remote_statuses(varied_notes(author, "batch", alice=alice, bob=bob, dave=dave, erin=erin))
    singles = [status for status in one_by_one if status is not None]
    batched = [status for status in together if status is not None]
    assert len(singles) == len(batched) == 7
    assert [status.uri.rsplit("/", 1)[1] for status in batched] == [
        "batch-html",
        "batch-direct",
        "batch-followers",
        "batch-poll",
        "batch-media",
        "batch-reply",
        "batch-unlisted",
    ]
    rows = [stored_rows(status) for status in batched]
    for single, batch in zip(singles, rows, strict=True):
        expected = stored_rows(single)
        for name, value in expected.items():
            assert batch[name] == value, f"{single.uri}: {name}"
    html, direct, followers, poll, media, reply, unlisted = rows
    assert "<script>" not in html["content"] and "alert" not in html["content"]
    assert "<b>there</b>" in html["content"]
    assert html["visibility"] == Visibility.PUBLIC and html["mentions"] == [] and html["url"] == ""
    # The tagged account first, then the addressed ones by id, then the personal inboxes' owners.
    assert direct["visibility"] == Visibility.LIMITED
    assert direct["mentions"] == [(bob.pk, False), (alice.pk, True), (dave.pk, True), (erin.pk, True)]
    assert (followers["visibility"], followers["mentions"]) == (Visibility.PRIVATE, [(alice.pk, True)])
    assert poll["poll"][:4] == (["Yes", "No"], [3, 1], False, 4)
    assert poll["poll"][4] is not None and poll["poll"][4].isoformat() == "2026-01-08T00:00:00+00:00"
    assert media["tags"] == ["cows", "fields"]
    assert media["mentions"] == [(alice.pk, False)]
    assert media["notified"] == [(alice.pk, Notification.Type.MENTION)]
    assert direct["notified"] == [(bob.pk, Notification.Type.MENTION)]
    assert media["url"] == "https://mastodon.example/@moo/media"
    assert [(row[1], row[4], row[5], row[8]) for row in media["media"]] == [
        ("image", "https://files.example/cow.jpg", "A cow", 0),
        ("video", "https://files.example/moo.mp4", "", 1),
    ]
    assert media["media"][0][7]["original"]["size"] == "800x600"
    assert reply["in_reply_to"] == parent.pk
    assert (unlisted["visibility"], unlisted["spoiler_text"], unlisted["sensitive"], unlisted["language"]) == (
        Visibility.UNLISTED,
        "Spoilers",
        True,
        "de",
    )
    assert unlisted["content"] == "<p>Hallo</p>"
    assert all(row["local"] is False and row["account"] == author.pk for row in rows)


def queries_storing(author: Actor, count: int, offset: int, extra: dict[str, Any]) -> int:
    """Store `count` new public notes, changed by `extra`, in one call and return how many queries that took."""
    # The process takes its id slot on its first id (a query on PostgreSQL): not part of what is measured.
    snowflake_id()
    incoming = [IncomingStatus(author, note(author, str(offset + n), **extra)) for n in range(count)]
    with CaptureQueriesContext(connection) as captured:
        stored = do_store_remote_statuses(incoming)
    assert [status.uri if status else None for status in stored] == [item.note.id for item in incoming]
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_plain_notes() -> None:
    author = RemoteActorFactory.create()
    five = queries_storing(author, 5, 0, {})
    fifteen = queries_storing(author, 15, 100, {})
    assert fifteen == five
    assert Status.objects.filter(account=author).count() == 20


def test_notes_with_attachments_read_the_domain_policies_once_per_call() -> None:
    # Fails at present: `_remote_media` asks `policy_for_domain` for each note that has attachments,
    # and inside a transaction (the inbox's, or this test's) that reads the policy table every time.
    author = RemoteActorFactory.create()
    extra = {"attachment": [{"type": "Document", "mediaType": "image/png", "url": "https://files.example/a.png"}]}
    five = queries_storing(author, 5, 0, extra)
    fifteen = queries_storing(author, 15, 100, extra)
    assert MediaAttachment.objects.count() == 20
    assert fifteen == five


def test_a_mix_of_deleted_stored_and_new_notes_is_answered_in_input_order(alice: Actor) -> None:
    author = RemoteActorFactory.create()
    first_new = note(author, "new-1")
    deleted = note(author, "deleted")
    Tombstone.objects.create(uri=deleted.id)
    hidden = note(author, "hidden", to=["https://mastodon.example/hidden-followers"], cc=[])
    stored_before = do_store_remote_status(author, hidden)
    assert stored_before is not None and stored_before.visibility == Visibility.DIRECT
    public_before = do_store_remote_status(author, note(author, "public"))
    assert public_before is not None
    second_new = note(author, "new-2")
    # The stored ones arrive again with other text: they are returned as they were stored.
    hidden_again = note(author, "hidden", to=["https://mastodon.example/hidden-followers"], cc=[], content="<p>x</p>")
    results = do_store_remote_statuses(
        [
            IncomingStatus(author, first_new),
            IncomingStatus(author, deleted),
            IncomingStatus(author, hidden_again, recipients=[alice]),
            IncomingStatus(author, note(author, "public", content="<p>y</p>"), recipients=[alice]),
            IncomingStatus(author, second_new),
        ]
    )
    assert [status.uri if status else None for status in results] == [
        first_new.id,
        None,
        hidden.id,
        public_before.uri,
        second_new.id,
    ]
    assert not Status.objects.filter(uri=deleted.id).exists()
    assert results[2] is not None and results[2].pk == stored_before.pk
    assert results[2].visibility == Visibility.LIMITED
    assert results[3] is not None and results[3].pk == public_before.pk
    stored_before.refresh_from_db()
    assert (stored_before.content, stored_before.visibility) == ("<p>hidden</p>", Visibility.LIMITED)
    assert mentions_in_order(stored_before) == [(alice.pk, True)]
    # A public status needs no one added.
    assert mentions_in_order(public_before) == []
    assert Status.objects.filter(account=author).count() == 4
    assert Status.objects.get(uri=first_new.id).content == "<p>new-1</p>"


def test_a_tombstone_wins_over_a_copy_stored_before_the_deletion_was_known() -> None:
    author = RemoteActorFactory.create()
    stored_before = do_store_remote_status(author, note(author, "gone"))
    assert stored_before is not None
    Tombstone.objects.create(uri=stored_before.uri)
    assert do_store_remote_statuses([IncomingStatus(author, note(author, "gone"))]) == [None]
    assert Status.objects.filter(uri=stored_before.uri).count() == 1


def test_recipients_are_not_added_to_a_stored_status_of_another_author(alice: Actor) -> None:
    author = RemoteActorFactory.create()
    other = RemoteActorFactory.create()
    hidden = note(author, "hidden", to=["https://mastodon.example/hidden-followers"], cc=[])
    stored_before = do_store_remote_status(author, hidden)
    assert stored_before is not None
    [result] = do_store_remote_statuses([IncomingStatus(other, hidden, recipients=[alice])])
    assert result is not None and result.pk == stored_before.pk
    stored_before.refresh_from_db()
    assert stored_before.visibility == Visibility.DIRECT
    assert mentions_in_order(stored_before) == []


def test_the_same_note_twice_in_one_call_is_refused_and_nothing_is_stored(alice: Actor) -> None:
    author = RemoteActorFactory.create()
    twice = note(author, "twice", tag=[mention(alice), hashtag("cows")])
    with pytest.raises(ValueError, match="once per call"):
        do_store_remote_statuses(
            [
                IncomingStatus(author, twice),
                IncomingStatus(author, note(author, "other")),
                IncomingStatus(author, twice),
            ]
        )
    assert not Status.objects.exists()
    assert not Mention.objects.exists()
    assert not Tag.objects.exists()
    assert not Notification.objects.exists()


def test_tags_shared_by_several_notes_are_created_once_and_given_to_each() -> None:
    author = RemoteActorFactory.create()
    older = Tag.objects.create(name="older")
    first, second, third = do_store_remote_statuses(
        [
            IncomingStatus(author, note(author, "1", tag=[hashtag("Shared"), hashtag("older")])),
            IncomingStatus(author, note(author, "2", tag=[hashtag("shared"), hashtag("other"), hashtag("SHARED")])),
            IncomingStatus(author, note(author, "3", tag=[hashtag("shared")])),
        ]
    )
    assert first is not None and second is not None and third is not None
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["older", "other", "shared"]
    assert Tag.objects.get(name="older").pk == older.pk
    assert tag_names(first) == ["older", "shared"]
    assert tag_names(second) == ["other", "shared"]
    assert tag_names(third) == ["shared"]
    assert Status.tags.through.objects.count() == 5


def test_direct_notes_become_limited_when_given_to_untagged_accounts_and_notify_the_tagged_only(
    alice: Actor, bob: Actor
) -> None:
    author = RemoteActorFactory.create()
    to_alice, to_both, to_bob = do_store_remote_statuses(
        [
            IncomingStatus(author, note(author, "to-alice", to=[alice.uri], cc=[])),
            IncomingStatus(author, note(author, "to-both", to=[alice.uri, bob.uri], cc=[], tag=[mention(bob)])),
            IncomingStatus(author, note(author, "to-bob", to=[bob.uri], cc=[], tag=[mention(bob)])),
        ]
    )
    assert to_alice is not None and to_both is not None and to_bob is not None
    assert (to_alice.visibility, mentions_in_order(to_alice)) == (Visibility.LIMITED, [(alice.pk, True)])
    assert (to_both.visibility, mentions_in_order(to_both)) == (
        Visibility.LIMITED,
        [(bob.pk, False), (alice.pk, True)],
    )
    # Given to its tagged account alone, a direct message stays direct.
    assert (to_bob.visibility, mentions_in_order(to_bob)) == (Visibility.DIRECT, [(bob.pk, False)])
    assert Status.objects.get(pk=to_alice.pk).visibility == Visibility.LIMITED
    assert sorted(Notification.objects.values_list("recipient_id", "from_account_id", "type", "status_id")) == sorted(
        [
            (bob.pk, author.pk, Notification.Type.MENTION, to_both.pk),
            (bob.pk, author.pk, Notification.Type.MENTION, to_bob.pk),
        ]
    )


def test_new_statuses_are_fanned_out_and_streamed_after_the_commit(
    alice: Actor, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    author = RemoteActorFactory.create()
    FollowFactory.create(follower=alice, target=author)
    before = do_store_remote_status(author, note(author, "before"))
    assert before is not None
    streamed: list[int] = []

    def stream_status_created_on_commit(status_id: int) -> None:
        streamed.append(status_id)
        events.stream_status_created_on_commit(status_id)

    monkeypatch.setattr(remote_statuses, "stream_status_created_on_commit", stream_status_created_on_commit)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        results = do_store_remote_statuses(
            [IncomingStatus(author, note(author, str(n))) for n in range(3)]
            + [IncomingStatus(author, note(author, "before"))]
        )
        new = [status for status in results[:3] if status is not None]
        assert len(new) == 3
        # Nothing is placed before the transaction commits.
        assert not TimelineEntry.objects.exists()
        assert not Status.objects.filter(fanned_out_at__isnull=False).exists()
    # Each new status is streamed and fanned out; the one stored before is neither.
    assert callbacks
    assert streamed == [status.id for status in new]
    assert set(TimelineEntry.objects.filter(owner=alice).values_list("status_id", flat=True)) == {
        status.id for status in new
    }
    assert Status.objects.filter(id__in=[status.id for status in new], fanned_out_at__isnull=False).count() == 3
    assert Status.objects.get(pk=before.pk).fanned_out_at is None


def created_on_arrival(status: Status) -> bool:
    return abs(timezone.now() - status.created_at) < timedelta(minutes=1)


QUESTION = {"type": "Question", "oneOf": [{"type": "Note", "name": "Yes", "replies": {"totalItems": 2}}]}


@pytest.mark.parametrize(
    ("extra", "check"),
    [
        ({"published": "2026-13-45T00:00:00Z"}, created_on_arrival),
        ({**QUESTION, "endTime": "2026-13-45T00:00:00Z"}, lambda status: status.poll.expires_at is None),
        ({**QUESTION, "votersCount": -1}, lambda status: status.poll.voters_count == 2),
    ],
    ids=["impossible published date", "impossible poll end", "negative voters count"],
)
def test_a_note_with_an_impossible_date_or_count_is_stored_with_the_usual_fallback(
    extra: dict[str, Any], check: Callable[[Status], bool]
) -> None:
    # Fails at present: parse_datetime raises ValueError on a well-formed but impossible date (in
    # `_moment` and `_new_poll`), and a negative votersCount breaks the poll's CHECK constraint, so
    # the whole call fails and the good note stored with it is lost too.
    author = RemoteActorFactory.create()
    good, odd = do_store_remote_statuses(
        [IncomingStatus(author, note(author, "good")), IncomingStatus(author, note(author, "odd", **extra))]
    )
    assert good is not None and odd is not None
    assert check(Status.objects.select_related("poll").get(pk=odd.pk))

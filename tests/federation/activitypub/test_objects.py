"""Actors, posts and tags parse from what each server sends, and serialise as this server sends them."""

from __future__ import annotations

from typing import Any

import pytest

from federation.activitypub import (
    Application,
    Article,
    Document,
    Emoji,
    Hashtag,
    Image,
    MalformedDocument,
    Mention,
    Note,
    Person,
    PropertyValue,
    PublicKey,
    Question,
    Tombstone,
    VoteNote,
    parse,
    parse_as,
)
from federation.activitypub.context import CONTEXT, PUBLIC
from federation.uris import base_url
from tests.fixtures import load_activitypub

DANA = "https://mastodon.example/users/dana"


def _note(server: str) -> dict[str, Any]:
    note: dict[str, Any] = load_activitypub(f"{server}/create_note")["object"]
    return note


@pytest.mark.parametrize(
    ("name", "cls", "username", "shared_inbox"),
    [
        ("mastodon/actor", Person, "dana", "https://mastodon.example/inbox"),
        ("mastodon/instance_actor", Application, "mastodon.example", "https://mastodon.example/inbox"),
        ("akkoma/actor", Person, "frank", "https://akkoma.example/inbox"),
        ("misskey/actor", Person, "gina", "https://misskey.example/inbox"),
        # GoToSocial has no shared inbox, so it sends no endpoints at all.
        ("gotosocial/actor", Person, "erin", ""),
    ],
)
def test_each_servers_actor_parses(name: str, cls: type[Person], username: str, shared_inbox: str) -> None:
    actor = parse(load_activitypub(name))
    assert type(actor) is cls
    assert isinstance(actor, Person)
    assert actor.preferred_username == username
    assert actor.shared_inbox == shared_inbox
    assert actor.public_key.owner == actor.id
    assert actor.public_key.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")


def test_a_mastodon_actor_keeps_its_profile() -> None:
    actor = parse_as(Person, load_activitypub("mastodon/actor"))
    assert actor.fields[0] == PropertyValue(name="Pronouns", value="she/her")
    assert actor.tag == (
        Emoji(
            id="https://mastodon.example/emojis/1",
            name=":verified:",
            icon_url="https://files.mastodon.example/emoji/verified.png",
            updated="2023-01-01T00:00:00Z",
        ),
    )
    assert actor.also_known_as == ("https://old.example/users/dana",)
    assert actor.icon_url == "https://files.mastodon.example/accounts/avatars/dana.png"
    assert (actor.discoverable, actor.indexable, actor.bot) == (True, True, False)


def test_an_actor_missing_optional_terms_takes_the_cautious_defaults() -> None:
    actor = parse_as(Person, load_activitypub("mastodon/instance_actor"))
    assert (actor.discoverable, actor.indexable, actor.manually_approves_followers) == (False, False, True)
    assert actor.bot
    assert actor.moved_to is None


def test_an_actor_without_preferred_username_is_read_with_an_empty_one() -> None:
    actor = parse_as(Person, load_activitypub("relay/actor"))
    assert actor.preferred_username == ""
    assert actor.bot


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"publicKey": None}, "publicKey is missing"),
        ({"preferredUsername": ["dana"]}, "preferredUsername is not a name"),
        ({"preferredUsername": "d" * 101}, "preferredUsername is not a name"),
        ({"inbox": "ftp://mastodon.example/inbox"}, "inbox must be an http"),
        ({"publicKey": {"id": f"{DANA}#k", "owner": "https://evil.example/x", "publicKeyPem": "x"}}, "owner"),
    ],
)
def test_a_malformed_actor_is_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(MalformedDocument, match=message):
        parse({**load_activitypub("mastodon/actor"), **change})


def test_a_mastodon_note_keeps_tags_attachments_and_language() -> None:
    note = parse_as(Note, _note("mastodon"))
    assert note.summary == "garden spoilers"
    assert note.sensitive
    assert note.language == "en"
    assert note.in_reply_to is None
    assert note.mentions == (Mention(href=f"{base_url()}/users/alice", name="@alice@localhost:8000"),)
    assert [tag.tag for tag in note.hashtags] == ["gardening"]
    first, second = note.attachment
    assert first == Document(
        url="https://files.mastodon.example/media_attachments/files/1/original/tomatoes.jpg",
        media_type="image/jpeg",
        name="Three red tomatoes on a vine",
        blurhash="UFGb~+of00WB~qj[D%ay",
        width=1200,
        height=800,
        focal_point=(0.0, 0.0),
    )
    assert isinstance(second, Document)
    assert second.name is None


def test_gotosocial_single_values_read_as_lists() -> None:
    note = parse_as(Note, _note("gotosocial"))
    assert note.to == ["https://gts.example/users/erin/followers"]
    assert note.cc == [f"{base_url()}/users/alice"]
    assert len(note.mentions) == 1
    assert len(note.attachment) == 1
    assert note.language == "en"


def test_misskey_and_akkoma_notes_ignore_their_own_terms() -> None:
    misskey = parse_as(Note, _note("misskey"))
    assert [tag.name for tag in misskey.hashtags] == ["#art"]
    assert misskey.summary is None
    akkoma = parse_as(Note, _note("akkoma"))
    # Akkoma sends "sensitive": null and an empty summary.
    assert (akkoma.sensitive, akkoma.summary) == (False, None)


def test_a_note_with_only_a_content_map_takes_its_text() -> None:
    document = {**_note("mastodon"), "contentMap": {"de": "<p>Hallo</p>"}}
    del document["content"]
    del document["sensitive"]
    del document["published"]
    note = parse_as(Note, document)
    assert (note.content, note.language, note.sensitive, note.published) == ("<p>Hallo</p>", "de", False, "")


def test_a_mastodon_question_keeps_its_choices() -> None:
    question = parse(load_activitypub("mastodon/create_question")["object"])
    assert isinstance(question, Question)
    assert question.poll_options == (("Beans", 2), ("Peas", 1))
    assert (question.poll_multiple, question.voters_count) == (False, 3)
    assert question.end_time == "2026-11-27T10:00:00Z"


def test_an_article_keeps_its_title() -> None:
    article = parse({"id": f"{DANA}/a/1", "type": "Article", "attributedTo": DANA, "name": "On compost"})
    assert isinstance(article, Article)
    assert article.name == "On compost"


def test_odd_tags_and_attachments_are_dropped_not_the_note() -> None:
    document = {
        **_note("mastodon"),
        "tag": ["#loose", {"type": "Mention"}, {"type": "Hashtag", "name": "#kept"}, {"type": "Unheard"}],
        "attachment": [{"type": "Image", "url": [{"type": "Link", "href": "https://cdn.example/a.png"}]}, 5],
    }
    note = parse_as(Note, document)
    assert note.tag == (Hashtag(name="#kept"),)
    assert note.attachment == (Image(url="https://cdn.example/a.png"),)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"attributedTo": None}, "attributedTo must be an http"),
        ({"id": "tag:mastodon.example,2026:1"}, "id must be an http"),
        ({"attributedTo": "https://user:pw@mastodon.example/users/dana"}, "must not carry credentials"),
    ],
)
def test_a_malformed_note_is_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(MalformedDocument, match=message):
        parse({**_note("mastodon"), **change})


def _local_note(cls: type[Note] = Note, **changes: Any) -> Note:
    fields: dict[str, Any] = {
        "id": "https://here.example/users/alice/statuses/1",
        "attributed_to": "https://here.example/users/alice",
        "content": "<p>hello #tomatoes</p>",
        "published": "2026-11-20T09:30:00Z",
        "to": [PUBLIC],
        "cc": ["https://here.example/users/alice/followers"],
        "url": "https://here.example/@alice/1",
        "tag": (Hashtag(name="#tomatoes"),),
        "attachment": (Document(url="https://here.example/media/1.png", media_type="image/png"),),
        "language": "en",
    }
    return cls(**(fields | changes))


def test_a_note_serialises_as_mastodon_writes_it() -> None:
    assert _local_note().to_json() == {
        "@context": CONTEXT,
        "id": "https://here.example/users/alice/statuses/1",
        "type": "Note",
        "summary": None,
        "inReplyTo": None,
        "published": "2026-11-20T09:30:00Z",
        "url": "https://here.example/@alice/1",
        "attributedTo": "https://here.example/users/alice",
        "to": [PUBLIC],
        "cc": ["https://here.example/users/alice/followers"],
        "sensitive": False,
        "content": "<p>hello #tomatoes</p>",
        "tag": [{"type": "Hashtag", "name": "#tomatoes"}],
        "attachment": [
            {"type": "Document", "mediaType": "image/png", "url": "https://here.example/media/1.png", "name": None}
        ],
        "contentMap": {"en": "<p>hello #tomatoes</p>"},
    }


def test_a_prepared_tag_is_sent_as_it_is() -> None:
    note = _local_note(tag=[{"type": "Hashtag", "name": "#as-is"}])
    assert note.to_json(with_context=False)["tag"] == [{"type": "Hashtag", "name": "#as-is"}]


@pytest.mark.parametrize(
    "note",
    [
        _local_note(),
        _local_note(
            summary="cw", sensitive=True, in_reply_to="https://there.example/s/1", updated="2026-11-21T00:00:00Z"
        ),
        _local_note(
            Question, poll_options=(("Beans", 2), ("Peas", 0)), end_time="2026-11-27T10:00:00Z", voters_count=2
        ),
    ],
)
def test_a_sent_note_parses_back_to_itself(note: Note) -> None:
    assert parse(note.to_json()) == note


def test_a_vote_is_sent_as_a_bare_note_and_read_back_as_a_note() -> None:
    vote = VoteNote(
        id="https://here.example/users/alice#votes/1",
        name="Beans",
        attributed_to="https://here.example/users/alice",
        to=["https://there.example/users/bob"],
        in_reply_to="https://there.example/users/bob/statuses/1",
    )
    sent = vote.to_json(with_context=False)
    assert list(sent.items()) == [
        ("id", "https://here.example/users/alice#votes/1"),
        ("type", "Note"),
        ("name", "Beans"),
        ("attributedTo", "https://here.example/users/alice"),
        ("to", ["https://there.example/users/bob"]),
        ("inReplyTo", "https://there.example/users/bob/statuses/1"),
    ]
    assert next(iter(vote.to_json())) == "@context"
    received = parse(sent)
    assert type(received) is Note
    assert (received.name, received.content, received.in_reply_to) == ("Beans", "", vote.in_reply_to)


def test_a_sent_person_parses_back_to_itself() -> None:
    person = Person(
        id="https://here.example/users/alice",
        preferred_username="alice",
        inbox="https://here.example/users/alice/inbox",
        outbox="https://here.example/users/alice/outbox",
        followers="https://here.example/users/alice/followers",
        shared_inbox="https://here.example/inbox",
        public_key=PublicKey(
            id="https://here.example/users/alice#main-key",
            owner="https://here.example/users/alice",
            public_key_pem="PEM",
        ),
        published="2026-01-01T00:00:00Z",
        fields=(PropertyValue(name="Pronouns", value="she/her"),),
        icon_url="https://here.example/media/avatar.png",
        also_known_as=("https://old.example/users/alice",),
    )
    sent = person.to_json()
    assert sent["@context"] == CONTEXT
    assert sent["endpoints"] == {"sharedInbox": "https://here.example/inbox"}
    assert sent["attachment"] == [{"type": "PropertyValue", "name": "Pronouns", "value": "she/her"}]
    assert "@context" not in person.to_json(with_context=False)
    assert parse(sent) == person


def test_a_tombstone_serialises_for_a_delete_and_for_a_gone_page() -> None:
    uri = "https://here.example/users/alice/statuses/1"
    assert Tombstone(id=uri, atom_uri=uri).to_json(with_context=False) == {
        "id": uri,
        "type": "Tombstone",
        "atomUri": uri,
    }
    gone = Tombstone(id=uri, former_type="Note", deleted="2026-11-20T09:30:00Z")
    assert gone.to_json() == {
        "@context": CONTEXT,
        "id": uri,
        "type": "Tombstone",
        "formerType": "Note",
        "deleted": "2026-11-20T09:30:00Z",
    }
    assert parse(gone.to_json()) == gone


def test_a_prepared_profile_field_is_sent_as_a_property_value() -> None:
    key = PublicKey(id=f"{DANA}#main-key", owner=DANA, public_key_pem="PEM")
    person = Person(
        id=DANA, preferred_username="dana", inbox=f"{DANA}/inbox", public_key=key, fields=[{"name": "n", "value": "v"}]
    )
    assert person.to_json()["attachment"] == [{"type": "PropertyValue", "name": "n", "value": "v"}]

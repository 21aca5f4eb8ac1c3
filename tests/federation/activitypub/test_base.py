"""The registry knows every type sent or received; parse() refuses what it cannot read."""

from __future__ import annotations

import pytest

from federation.activitypub import TYPES, Follow, MalformedDocument, Note, Person, Unknown, parse, parse_as

ACTOR = "https://mastodon.example/users/dana"


def test_every_type_sent_or_received_is_registered_under_its_own_name() -> None:
    expected = {
        *("Create", "Update", "Delete", "Follow", "Accept", "Reject", "Undo", "Like", "Announce", "Block"),
        *("Flag", "Move", "Add", "Remove", "Note", "Question", "Article", "Page", "Image", "Document"),
        *("Tombstone", "Person", "Service", "Application", "Group", "Organization", "Emoji", "Hashtag", "Mention"),
    }
    assert expected <= set(TYPES)
    assert all(cls.__name__ == name for name, cls in TYPES.items())


def test_a_type_list_parses_as_its_first_known_type() -> None:
    follow = parse({"id": f"{ACTOR}/f/1", "type": ["Extension", "Follow"], "actor": ACTOR, "object": ACTOR})
    assert isinstance(follow, Follow)


def test_an_unknown_type_parses_to_unknown_with_its_id_and_type() -> None:
    parsed = parse({"id": f"{ACTOR}/r/1", "type": "EmojiReact", "_misskey_reaction": ":blobcat:"})
    assert parsed == Unknown(id=f"{ACTOR}/r/1", type="EmojiReact")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "must be a JSON object"),
        ({"id": ACTOR}, "type must be a string"),
        ({"id": ACTOR, "type": 3}, "type must be a string"),
    ],
)
def test_a_document_without_a_readable_type_is_refused(document: object, message: str) -> None:
    with pytest.raises(MalformedDocument, match=message):
        parse(document)


def test_parse_as_refuses_a_document_of_another_type() -> None:
    with pytest.raises(MalformedDocument, match="'Follow' is not a Person"):
        parse_as(Person, {"id": f"{ACTOR}/f/1", "type": "Follow", "actor": ACTOR, "object": ACTOR})


def test_parse_as_accepts_a_subtype() -> None:
    question = {"id": f"{ACTOR}/s/1", "type": "Question", "attributedTo": ACTOR, "oneOf": []}
    assert parse_as(Note, question).type == "Question"

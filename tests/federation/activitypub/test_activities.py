"""Activities parse from what each server sends, and serialise as this server sends them."""

from __future__ import annotations

from typing import Any

import pytest

from federation.activitypub import (
    Accept,
    Activity,
    Add,
    Announce,
    Create,
    Delete,
    Flag,
    Follow,
    Like,
    MalformedDocument,
    Move,
    Note,
    Person,
    Question,
    Tombstone,
    Undo,
    Unknown,
    Update,
    parse,
    parse_as,
)
from federation.activitypub.context import CONTEXT, PUBLIC
from federation.uris import base_url
from tests.fixtures import load_activitypub

DANA = "https://mastodon.example/users/dana"
STATUS = "https://here.example/users/alice/statuses/1"


def _load(name: str) -> dict[str, Any]:
    return load_activitypub(name, LOCAL_STATUS=STATUS)


@pytest.mark.parametrize(
    ("name", "cls", "object_cls"),
    [
        ("mastodon/create_note", Create, Note),
        ("mastodon/create_question", Create, Question),
        ("gotosocial/create_note", Create, Note),
        ("misskey/create_note", Create, Note),
        ("akkoma/create_note", Create, Note),
        ("mastodon/delete_note", Delete, Tombstone),
        ("mastodon/undo_follow", Undo, Follow),
        ("mastodon/follow", Follow, str),
        ("mastodon/flag", Flag, str),
        ("mastodon/move", Move, str),
        ("misskey/like", Like, str),
    ],
)
def test_each_servers_activity_parses_with_its_object(name: str, cls: type[Activity], object_cls: type) -> None:
    document = _load(name)
    activity = parse(document)
    assert type(activity) is cls
    assert isinstance(activity, Activity)
    assert activity.id == document["id"]
    assert activity.actor == document["actor"]
    assert type(activity.object) is object_cls


def test_a_create_addresses_as_its_sender_wrote_it() -> None:
    gotosocial = parse_as(Create, _load("gotosocial/create_note"))
    assert gotosocial.to == ("https://gts.example/users/erin/followers",)
    assert gotosocial.cc == (f"{base_url()}/users/alice",)
    mastodon = parse_as(Create, _load("mastodon/create_note"))
    assert mastodon.published == "2026-11-20T09:30:00Z"
    assert mastodon.object_id == "https://mastodon.example/users/dana/statuses/113000000000000001"


def test_an_undo_embeds_the_follow_it_undoes() -> None:
    undo = parse_as(Undo, _load("mastodon/undo_follow"))
    assert undo.object == Follow(
        id="https://mastodon.example/5d7c1f0e-8a3b-4c52-9e61-0f2a4b6c8d10",
        actor=DANA,
        object=f"{base_url()}/actor",
    )


def test_a_flag_keeps_every_reported_id_and_the_comment() -> None:
    flag = parse_as(Flag, _load("mastodon/flag"))
    assert flag.object_ids == (f"{base_url()}/users/alice", STATUS)
    assert flag.object == f"{base_url()}/users/alice"
    assert flag.content == "Spam links in replies"


def test_a_move_names_its_target() -> None:
    move = parse_as(Move, _load("mastodon/move"))
    assert (move.object_id, move.target) == (DANA, "https://gts.example/users/erin")


def test_a_misskey_like_keeps_its_reaction() -> None:
    assert parse_as(Like, _load("misskey/like")).content == "\u2b50"


def test_an_update_without_published_embeds_the_actor() -> None:
    update = parse({"id": f"{DANA}#updates/1", "type": "Update", "actor": DANA, "object": _load("mastodon/actor")})
    assert isinstance(update, Update)
    assert isinstance(update.object, Person)
    assert update.published == ""


def test_an_object_in_a_list_of_one_or_of_an_unknown_type_is_read() -> None:
    listed = parse({"id": f"{DANA}/l/1", "type": "Like", "actor": [{"id": DANA}], "object": [STATUS]})
    assert isinstance(listed, Like)
    assert (listed.actor, listed.object) == (DANA, STATUS)
    unknown = parse(
        {"id": f"{DANA}/u/1", "type": "Undo", "actor": DANA, "object": {"id": f"{DANA}/r/1", "type": "EmojiReact"}}
    )
    assert isinstance(unknown, Undo)
    assert unknown.object == Unknown(id=f"{DANA}/r/1", type="EmojiReact")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"type": "Follow", "actor": DANA, "object": STATUS}, "id must be an http"),
        ({"id": f"{DANA}/f/1", "type": "Follow", "object": STATUS}, "actor must be an http"),
        ({"id": f"{DANA}/f/1", "type": "Follow", "actor": DANA}, "object is missing"),
        ({"id": f"{DANA}/f/1", "type": "Follow", "actor": DANA, "object": 7}, "object must be an id or an object"),
        ({"id": f"{DANA}/f/1", "type": "Follow", "actor": DANA, "object": "urn:x"}, "object must be an http"),
        ({"id": f"{DANA}/u/1", "type": "Undo", "actor": DANA, "object": {"type": "Follow"}}, "object is missing"),
        ({"id": f"{DANA}/u/1", "type": "Undo", "actor": DANA, "object": {"type": "Unheard"}}, "object.id must be"),
        ({"id": f"{DANA}#moves/1", "type": "Move", "actor": DANA, "object": DANA}, "target is missing"),
        ({"id": f"{DANA}/x/1", "type": "Flag", "actor": DANA, "object": [STATUS, 3]}, "object must be an http"),
    ],
)
def test_a_malformed_activity_is_refused(document: dict[str, Any], message: str) -> None:
    with pytest.raises(MalformedDocument, match=message):
        parse(document)


@pytest.mark.parametrize("embedded_id", [None, "9"])
def test_an_embedded_follow_without_a_usable_id_is_read_with_an_empty_one(embedded_id: str | None) -> None:
    # Misskey used to leave the id out of the Follow it accepts; Friendica writes a database number there.
    follow = {"type": "Follow", "actor": STATUS.rsplit("/statuses", 1)[0], "object": DANA}
    if embedded_id is not None:
        follow["id"] = embedded_id
    accept = parse({"id": f"{DANA}#accepts/1", "type": "Accept", "actor": DANA, "object": follow})
    assert isinstance(accept, Accept)
    assert accept.object == Follow(id="", actor=follow["actor"], object=DANA)
    assert accept.object_id == ""


def test_an_embedded_object_that_cannot_be_read_is_referred_to_by_its_id() -> None:
    announce = parse({"id": f"{DANA}/a/1", "type": "Announce", "actor": DANA, "object": {"id": STATUS, "type": "Note"}})
    assert isinstance(announce, Announce)
    assert announce.object == STATUS


def test_an_activity_serialises_as_mastodon_writes_it() -> None:
    follow = Follow(id=f"{DANA}#follows/1", actor=DANA, object=STATUS, to=(STATUS,))
    accept = Accept(id=f"{STATUS}#accepts/follows/1", actor=STATUS, object=follow, to=[DANA])
    assert accept.to_json() == {
        "@context": CONTEXT,
        "id": f"{STATUS}#accepts/follows/1",
        "type": "Accept",
        "actor": STATUS,
        "to": [DANA],
        "object": {"id": f"{DANA}#follows/1", "type": "Follow", "actor": DANA, "to": [STATUS], "object": STATUS},
    }


def test_a_flag_and_an_add_serialise_their_extra_terms_before_the_addresses() -> None:
    flag = Flag(id=f"{DANA}/flags/1", actor=DANA, object=STATUS, object_ids=(DANA, STATUS), to=[DANA], content="")
    assert list(flag.to_json(with_context=False).items()) == [
        ("id", f"{DANA}/flags/1"),
        ("type", "Flag"),
        ("actor", DANA),
        ("content", ""),
        ("to", [DANA]),
        ("object", [DANA, STATUS]),
    ]
    add = Add(id=f"{DANA}/add/1", actor=DANA, object=STATUS, target=f"{DANA}/featured", to=[PUBLIC])
    assert list(add.to_json()) == ["@context", "id", "type", "actor", "target", "to", "object"]


@pytest.mark.parametrize(
    "activity",
    [
        Follow(id=f"{DANA}#follows/1", actor=DANA, object=STATUS, to=(STATUS,)),
        Undo(id=f"{DANA}#follows/1/undo", actor=DANA, object=Follow(id=f"{DANA}#follows/1", actor=DANA, object=STATUS)),
        Like(id=f"{DANA}/likes/1", actor=DANA, object=STATUS, to=(STATUS,)),
        Delete(id=f"{STATUS}#delete", actor=DANA, object=Tombstone(id=STATUS, atom_uri=STATUS), to=(PUBLIC,)),
        Move(id=f"{DANA}#moves/1", actor=DANA, object=DANA, target=STATUS, object_ids=(DANA,)),
        Flag(id=f"{DANA}/flags/1", actor=DANA, object=DANA, object_ids=(DANA, STATUS), content="spam"),
        Create(
            id=f"{STATUS}/activity",
            actor=DANA,
            object=Note(id=STATUS, attributed_to=DANA),
            published="2026-11-20T09:30:00Z",
        ),
    ],
)
def test_a_sent_activity_parses_back_to_itself(activity: Activity) -> None:
    assert parse(activity.to_json()) == activity

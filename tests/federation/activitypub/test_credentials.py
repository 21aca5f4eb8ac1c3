"""Documents from other servers never keep a URI that carries credentials."""

from __future__ import annotations

import pytest

from federation.activitypub import MalformedDocument, Note, Person, parse_as, require_http_uri
from tests.fixtures import load_activitypub

CREDENTIALS = "https://user:pass@mastodon.example/users/dana"


@pytest.mark.parametrize("uri", [CREDENTIALS, "https://user@mastodon.example/x", "http://:pw@mastodon.example/x"])
def test_a_uri_with_credentials_is_refused(uri: str) -> None:
    with pytest.raises(MalformedDocument, match="must not carry credentials"):
        require_http_uri(uri, "id")


def test_an_actor_whose_inbox_carries_credentials_is_refused() -> None:
    document = load_activitypub("mastodon/actor")
    document["inbox"] = f"{CREDENTIALS}/inbox"
    with pytest.raises(MalformedDocument, match="inbox must not carry credentials"):
        parse_as(Person, document)


def test_an_avatar_url_with_credentials_is_dropped() -> None:
    document = load_activitypub("mastodon/actor")
    document["icon"] = {"type": "Image", "url": f"{CREDENTIALS}/avatar.png"}
    assert parse_as(Person, document).icon_url == ""


def test_a_note_whose_author_carries_credentials_is_refused() -> None:
    note = load_activitypub("mastodon/create_note")["object"]
    note["attributedTo"] = CREDENTIALS
    with pytest.raises(MalformedDocument, match="attributedTo must not carry credentials"):
        parse_as(Note, note)

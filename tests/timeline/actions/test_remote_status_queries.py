"""Storing a new remote status: only the queries its contents call for, and the same rows as before."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from federation.activitypub import Note, parse_as
from federation.models import Actor, DomainPolicy
from tests.factories.federation import RemoteActorFactory
from timeline.actions.remote_statuses import do_store_remote_status
from timeline.models import MediaAttachment, Status, Tag

pytestmark = pytest.mark.django_db

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
MEDIA = MediaAttachment._meta.db_table
STATUS_TAGS = Status.tags.through._meta.db_table
TAGS = Tag._meta.db_table
POLICIES = DomainPolicy._meta.db_table


def note(author: Actor, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"{author.uri}/statuses/1",
        "type": "Note",
        "attributedTo": author.uri,
        "content": "<p>Hello</p>",
        "published": "2026-01-01T00:00:00Z",
        "to": [PUBLIC],
        "cc": [author.followers_uri],
        **extra,
    }


def statements_storing(author: Actor, doc: dict[str, Any]) -> list[str]:
    """Store the note as a new status and return the SQL that took, lower-cased."""
    with CaptureQueriesContext(connection) as captured:
        status = do_store_remote_status(author, parse_as(Note, doc))
    assert status is not None
    return [query["sql"].lower() for query in captured.captured_queries]


def mentioning(statements: list[str], table: str) -> list[str]:
    return [sql for sql in statements if table in sql]


def test_a_plain_new_status_deletes_no_media_and_reads_no_tags_or_policies() -> None:
    author = RemoteActorFactory.create()
    statements = statements_storing(author, note(author))
    assert Status.objects.filter(uri=f"{author.uri}/statuses/1", local=False).exists()
    assert [sql for sql in mentioning(statements, MEDIA) if sql.startswith("delete")] == []
    assert mentioning(statements, STATUS_TAGS) == []
    assert mentioning(statements, TAGS) == []
    assert mentioning(statements, POLICIES) == []


def test_a_new_status_with_a_hashtag_and_an_attachment_still_stores_both() -> None:
    author = RemoteActorFactory.create()
    doc = note(
        author,
        tag=[{"type": "Hashtag", "name": "#Cows", "href": "https://mastodon.example/tags/cows"}],
        attachment=[{"type": "Document", "mediaType": "image/png", "url": "https://files.example/cow.png"}],
    )
    statements = statements_storing(author, doc)
    status = Status.objects.get(uri=f"{author.uri}/statuses/1")
    assert list(status.tags.values_list("name", flat=True)) == ["cows"]
    assert list(status.media.values_list("remote_url", "content_type")) == [
        ("https://files.example/cow.png", "image/png")
    ]
    # The same capture sees these tables when the note calls for them.
    assert mentioning(statements, STATUS_TAGS)
    assert mentioning(statements, POLICIES)
    assert [sql for sql in mentioning(statements, MEDIA) if sql.startswith("delete")] == []


def test_a_domain_that_rejects_media_still_gets_no_attachments() -> None:
    author = RemoteActorFactory.create()
    DomainPolicy.objects.create(
        domain=author.domain, severity=DomainPolicy.Severity.NOOP, reject_media=True, authorised_by="Decision 1"
    )
    doc = note(
        author, attachment=[{"type": "Document", "mediaType": "image/png", "url": "https://files.example/a.png"}]
    )
    statements_storing(author, doc)
    assert not MediaAttachment.objects.exists()

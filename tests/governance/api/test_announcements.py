"""GET /api/v1/announcements, dismiss and reactions, in Mastodon's shapes and errors."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client

from federation.models import Actor
from governance.actions.announcements import check_publish_announcement, do_publish_announcement
from governance.models import Announcement, AnnouncementDismissal, AnnouncementReaction
from tests.clients import bearer_for
from tests.factories.governance import make_moderator
from tests.factories.timeline import make_custom_emoji

pytestmark = pytest.mark.django_db


def _publish(text: str = "Hello :blobcat:") -> Announcement:
    return do_publish_announcement(check_publish_announcement(make_moderator(), text=text))


def test_the_entity_has_mastodon_s_fields_with_read_reactions_and_emojis(alice: Actor, bob: Actor) -> None:
    make_custom_emoji("blobcat")
    announcement = _publish()
    client = Client(headers=bearer_for(alice))
    assert client.put(f"/api/v1/announcements/{announcement.pk}/reactions/blobcat").status_code == 200
    bob_client = Client(headers=bearer_for(bob))
    assert bob_client.put(f"/api/v1/announcements/{announcement.pk}/reactions/{quote('🎉')}").status_code == 200
    (entity,) = client.get("/api/v1/announcements").json()
    assert set(entity) == {
        "id", "content", "starts_at", "ends_at", "all_day", "published_at", "updated_at", "read",
        "mentions", "statuses", "tags", "emojis", "reactions",
    }  # fmt: skip
    assert entity["read"] is False
    assert [emoji["shortcode"] for emoji in entity["emojis"]] == ["blobcat"]
    reactions = {reaction["name"]: reaction for reaction in entity["reactions"]}
    assert reactions["blobcat"]["me"] is True and reactions["blobcat"]["count"] == 1
    assert reactions["blobcat"]["url"].endswith(".png") and "static_url" in reactions["blobcat"]
    assert reactions["🎉"] == {"name": "🎉", "count": 1, "me": False}


def test_dismissed_announcements_are_listed_only_when_asked(alice: Actor) -> None:
    announcement = _publish()
    client = Client(headers=bearer_for(alice))
    assert client.post(f"/api/v1/announcements/{announcement.pk}/dismiss").json() == {}
    assert client.get("/api/v1/announcements").json() == []
    (entity,) = client.get("/api/v1/announcements?with_dismissed=true").json()
    assert entity["read"] is True


def test_an_unknown_announcement_answers_404_and_nothing_changes(alice: Actor) -> None:
    client = Client(headers=bearer_for(alice))
    for response in (
        client.post("/api/v1/announcements/999/dismiss"),
        client.put("/api/v1/announcements/999/reactions/%F0%9F%8E%89"),
        client.delete("/api/v1/announcements/abc/reactions/%F0%9F%8E%89"),
    ):
        assert response.status_code == 404
        assert response.json() == {"error": "Record not found"}
    assert not AnnouncementDismissal.objects.exists()
    assert not AnnouncementReaction.objects.exists()


def test_an_unknown_reaction_answers_422_and_nothing_is_stored(alice: Actor) -> None:
    announcement = _publish()
    response = Client(headers=bearer_for(alice)).put(f"/api/v1/announcements/{announcement.pk}/reactions/nosuch")
    assert response.status_code == 422
    assert response.json() == {"error": "Validation failed: Name is not a recognized emoji"}
    assert not AnnouncementReaction.objects.exists()


def test_removing_another_member_s_reaction_answers_404_and_leaves_it(alice: Actor, bob: Actor) -> None:
    announcement = _publish()
    path = f"/api/v1/announcements/{announcement.pk}/reactions/{quote('🎉')}"
    assert Client(headers=bearer_for(alice)).put(path).status_code == 200
    response = Client(headers=bearer_for(bob)).delete(path)
    assert response.status_code == 404
    assert AnnouncementReaction.objects.filter(account=alice).count() == 1


def test_announcements_need_a_token(alice: Actor) -> None:
    _publish()
    assert Client().get("/api/v1/announcements").status_code == 401
    read_only = Client(headers=bearer_for(alice, scope="read"))
    announcement = Announcement.objects.get()
    assert read_only.post(f"/api/v1/announcements/{announcement.pk}/dismiss").status_code == 403
    assert not AnnouncementDismissal.objects.exists()

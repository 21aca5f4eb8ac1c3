"""Statuses carrying media: attached through media_ids, shown in entities and Notes; refusals store nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from federation.models import Actor, OutboundActivity
from tests.clients import bearer_for
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import FollowFactory, StatusFactory
from tests.timeline.media_files import image_bytes
from timeline.activitypub.renderers import note_for_status
from timeline.models import MediaAttachment, Status

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

pytestmark = pytest.mark.django_db


def uploaded(actor: Actor, **fields: str) -> str:
    """Upload a small image as the actor and return its id."""
    response = Client().post(
        "/api/v1/media",
        {"file": SimpleUploadedFile("x.png", image_bytes()), **fields},
        headers=bearer_for(actor, "read write follow"),
    )
    assert response.status_code == 200, response.content
    return str(response.json()["id"])


def post(actor: Actor, data: dict[str, object]) -> _MonkeyPatchedWSGIResponse:
    return Client().post("/api/v1/statuses", data, headers=bearer_for(actor, "read write follow"))


def test_a_status_carries_its_media_in_order(alice: Actor) -> None:
    FollowFactory.create(follower=RemoteActorFactory.create(), target=alice)
    first = uploaded(alice, description="First", focus="0.25,0.5")
    second = uploaded(alice)
    response = post(alice, {"status": "", "media_ids[]": [second, first]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [media["id"] for media in body["media_attachments"]] == [second, first]
    status = Status.objects.get()
    assert set(MediaAttachment.objects.values_list("status_id", flat=True)) == {status.pk}
    # Followers' servers receive the attachments as Documents.
    [create] = OutboundActivity.objects.filter(activity_type="Create")
    documents = create.body["object"]["attachment"]
    assert [d["type"] for d in documents] == ["Document", "Document"]
    described = documents[1]
    assert described["mediaType"] == "image/png"
    assert described["url"] == body["media_attachments"][1]["url"]
    assert described["name"] == "First"
    assert described["focalPoint"] == [0.25, 0.5]
    assert (described["width"], described["height"]) == (64, 48)
    assert described["blurhash"] == body["media_attachments"][1]["blurhash"]
    # only_media finds it.
    ids = [s["id"] for s in Client().get("/api/v1/timelines/public?only_media=true").json()]
    assert ids == [body["id"]]


def test_an_edit_replaces_the_media(alice: Actor) -> None:
    FollowFactory.create(follower=RemoteActorFactory.create(), target=alice)
    first, second = uploaded(alice), uploaded(alice)
    status_id = post(alice, {"status": "Pictures", "media_ids[]": [first]}).json()["id"]
    response = Client().put(
        f"/api/v1/statuses/{status_id}",
        {"status": "Other picture", "media_ids": [second]},
        content_type="application/json",
        headers=bearer_for(alice, "read write follow"),
    )
    assert response.status_code == 200, response.content
    assert [media["id"] for media in response.json()["media_attachments"]] == [second]
    assert MediaAttachment.objects.get(pk=first).status_id is None
    update = OutboundActivity.objects.get(activity_type="Update")
    assert len(update.body["object"]["attachment"]) == 1


def test_an_edit_describes_posted_media_with_media_attributes(alice: Actor) -> None:
    media_id = uploaded(alice, description="Before")
    status_id = post(alice, {"status": "Picture", "media_ids[]": [media_id]}).json()["id"]
    refused = Client().put(
        f"/api/v1/statuses/{status_id}",
        {"status": "Picture", "media_ids": [media_id], "media_attributes": [{"id": "1", "description": "x"}]},
        content_type="application/json",
        headers=bearer_for(alice, "read write follow"),
    )
    assert refused.status_code == 422
    assert Status.objects.get().edited_at is None
    response = Client().put(
        f"/api/v1/statuses/{status_id}",
        {
            "status": "Picture",
            "media_ids": [media_id],
            "media_attributes": [{"id": media_id, "description": "After", "focus": "0.1,0.2"}],
        },
        content_type="application/json",
        headers=bearer_for(alice, "read write follow"),
    )
    assert response.status_code == 200, response.content
    [media] = response.json()["media_attachments"]
    assert media["description"] == "After"
    assert media["meta"]["focus"] == {"x": 0.1, "y": 0.2}


def _others_media(alice: Actor, bob: Actor) -> dict[str, object]:
    return {"status": "hi", "media_ids[]": [uploaded(bob)]}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_others_media, "not found or already used"),
        (lambda alice, bob: {"status": "hi", "media_ids[]": [uploaded(alice) for _ in range(5)]}, "more than 4"),
        (lambda alice, bob: {"status": "hi", "media_ids[]": ["12", "abc"]}, "must be numbers"),
        (lambda alice, bob: {"status": "hi", "media_ids[]": ["999"]}, "not found"),
        (
            lambda alice, bob: {
                "status": "hi",
                "media_ids[]": [uploaded(alice)],
                "poll[options][]": ["a", "b"],
                "poll[expires_in]": "3600",
            },
            "both a poll and media",
        ),
    ],
)
def test_refused_media_ids_create_nothing(alice: Actor, bob: Actor, make: object, message: str) -> None:
    data = make(alice, bob)  # type: ignore[operator]
    response = post(alice, data)
    assert response.status_code == 422
    assert message in response.json()["error"]
    assert not Status.objects.exists()
    assert not MediaAttachment.objects.filter(status__isnull=False).exists()


def test_media_already_posted_or_still_processing_is_refused(alice: Actor) -> None:
    used = uploaded(alice)
    assert post(alice, {"status": "first", "media_ids[]": [used]}).status_code == 200
    again = post(alice, {"status": "second", "media_ids[]": [used]})
    assert again.status_code == 422
    pending = uploaded(alice)
    MediaAttachment.objects.filter(pk=pending).update(state=MediaAttachment.State.PROCESSING)
    assert post(alice, {"status": "third", "media_ids[]": [pending]}).status_code == 422
    assert Status.objects.count() == 1


def test_editing_someone_elses_media_in_is_refused(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    theirs = uploaded(bob)
    response = Client().put(
        f"/api/v1/statuses/{status.pk}",
        {"status": "mine", "media_ids": [theirs]},
        content_type="application/json",
        headers=bearer_for(alice, "read write follow"),
    )
    assert response.status_code == 422
    status.refresh_from_db()
    assert status.edited_at is None
    assert MediaAttachment.objects.get(pk=theirs).status_id is None


def test_the_note_of_a_status_without_media_has_no_attachment(alice: Actor) -> None:
    status = StatusFactory.create(account=alice)
    assert note_for_status(status).to_json().get("attachment") is None


def test_a_scheduled_status_keeps_its_media_until_published(alice: Actor) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from timeline.actions.media import do_remove_unattached_media
    from timeline.models import ScheduledStatus
    from timeline.tasks import requeue_due_scheduled_statuses

    media_id = uploaded(alice, description="Later light")
    later = (timezone.now() + timedelta(hours=2)).isoformat()
    response = post(alice, {"status": "Sunset", "media_ids[]": [media_id], "scheduled_at": later})
    assert response.status_code == 200, response.content
    assert response.json()["params"]["media_ids"] == [media_id]
    assert response.json()["media_attachments"][0]["id"] == media_id
    # The daily clean-up leaves an upload a scheduled status is waiting for.
    MediaAttachment.objects.filter(pk=int(media_id)).update(created_at=timezone.now() - timedelta(days=2))
    assert do_remove_unattached_media(timedelta(hours=24)) == 0
    ScheduledStatus.objects.update(scheduled_at=timezone.now() - timedelta(seconds=1))
    assert requeue_due_scheduled_statuses() == 1
    status = Status.objects.get(account=alice)
    assert [media.pk for media in status.media.all()] == [int(media_id)]

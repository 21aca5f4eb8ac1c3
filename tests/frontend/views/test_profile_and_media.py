"""Editing one's profile and posting an image from the web app."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from federation.models import Actor
from timeline.models import MediaAttachment, Status

pytestmark = pytest.mark.django_db


def png(width: int = 64, height: int = 48) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def test_posting_an_image_with_a_description(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post(
        "/home",
        {"text": "our garden", "visibility": "public", "image": png(), "image_description": "Tomatoes on a vine"},
    )
    assert response.status_code == 302
    status = Status.objects.get(account=alice)
    [media] = MediaAttachment.objects.filter(status=status)
    assert media.description == "Tomatoes on a vine"
    assert media.type == MediaAttachment.Type.IMAGE
    page = alice_client.get("/@alice").content.decode()
    assert 'alt="Tomatoes on a vine"' in page


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(alice_client: Client, alice: Actor) -> None:
    fake = SimpleUploadedFile("photo.png", b"#!/bin/sh\necho not an image\n", content_type="image/png")
    response = alice_client.post("/home", {"text": "look", "visibility": "public", "image": fake})
    assert response.status_code == 400
    assert not Status.objects.exists()
    assert not MediaAttachment.objects.exists()


def test_a_refused_post_does_not_keep_its_image(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post("/home", {"text": "   ", "visibility": "public", "image": png()})
    assert response.status_code == 400
    assert not MediaAttachment.objects.exists()


def test_a_post_the_action_refuses_does_not_keep_its_image(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post("/home", {"text": "x" * 5001, "visibility": "public", "image": png()})
    assert response.status_code == 400
    assert "Text is too long" in response.content.decode()
    # The browser cannot keep a chosen file across the refusal, so the member is told to choose it again.
    assert "The image you chose was not posted" in response.content.decode()
    assert not Status.objects.exists()
    assert not MediaAttachment.objects.exists()


def test_a_poll_beside_an_image_is_refused_and_nothing_is_stored(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post(
        "/home",
        {"text": "pick", "visibility": "public", "image": png(), "poll_option_1": "a", "poll_option_2": "b"},
    )
    assert response.status_code == 400
    assert "both a poll and media attachments" in response.content.decode()
    assert "The image you chose was not posted" in response.content.decode()
    assert not Status.objects.exists()
    assert not MediaAttachment.objects.exists()


def test_editing_the_profile(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post(
        "/settings/profile",
        {
            "display_name": "Alice A.",
            "note": "Gardener & co-operator",
            "field_0_name": "Pronouns",
            "field_0_value": "she/her",
            "locked": "on",
            "discoverable": "on",
            "avatar": png(120, 120),
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.display_name == "Alice A."
    assert "Gardener &amp; co-operator" in alice.summary
    assert alice.fields[0]["name"] == "Pronouns"
    assert alice.locked
    assert alice.avatar
    assert "Alice A." in alice_client.get("/settings/profile").content.decode()


def test_a_bad_avatar_changes_nothing(alice_client: Client, alice: Actor) -> None:
    fake = SimpleUploadedFile("me.png", b"not an image at all", content_type="image/png")
    response = alice_client.post("/settings/profile", {"display_name": "Changed", "avatar": fake})
    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.display_name != "Changed"
    assert not alice.avatar


def test_posting_defaults_from_the_profile_page_preselect_the_composer(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post(
        "/settings/profile",
        {"display_name": "Alice", "default_visibility": "private", "default_language": "de", "discoverable": "on"},
    )
    assert response.status_code == 302
    assert alice.user is not None
    alice.user.refresh_from_db()
    assert alice.user.default_visibility == "private"
    assert alice.user.default_language == "de"
    assert 'value="private" selected' in alice_client.get("/home").content.decode()


def test_a_bad_default_language_changes_nothing(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post(
        "/settings/profile", {"display_name": "Changed", "default_visibility": "public", "default_language": "German!"}
    )
    assert response.status_code == 400
    assert "ISO 639" in response.content.decode()
    alice.refresh_from_db()
    assert alice.display_name != "Changed"

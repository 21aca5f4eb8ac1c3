"""Officers' pages: custom emoji and announcements; members see emoji rendered in statuses and names."""

from __future__ import annotations

import base64
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from federation.models import Actor
from governance.models import Announcement, LogEntry, Proposal
from tests.clients import signed_in
from tests.factories.governance import make_moderator
from tests.factories.members import make_member
from tests.factories.timeline import StatusFactory, make_custom_emoji
from tests.timeline.media_files import image_bytes
from timeline.models import CustomEmoji

pytestmark = pytest.mark.django_db


def _upload(data: bytes, name: str = "emoji.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def test_a_moderator_adds_and_removes_an_emoji_from_the_page() -> None:
    client = signed_in(make_moderator())
    response = client.post(
        "/governance/admin/emoji", {"shortcode": "blobcat", "image": _upload(image_bytes(32, 32)), "category": "Cats"}
    )
    assert response.status_code == 302
    page = client.get("/governance/admin/emoji").content.decode()
    assert 'alt=":blobcat:"' in page
    assert client.post("/governance/admin/emoji/blobcat/remove").status_code == 302
    assert not CustomEmoji.objects.exists()
    assert LogEntry.objects.filter(kind=LogEntry.Kind.CUSTOM_EMOJI).count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"shortcode": "bad code", "image": image_bytes(16, 16)}, "2 to 64 letters"),
        ({"shortcode": "taken", "image": image_bytes(16, 16)}, "is taken"),
        ({"shortcode": "words", "image": b"these are words, not pixels"}, "PNG, GIF or WebP"),
        ({"shortcode": "huge", "image": image_bytes(16, 16) + b"\0" * 300_000}, "less than 256 KB"),
    ],
)
def test_bad_emoji_are_refused_on_the_page_and_nothing_changes(fields: dict[str, object], message: str) -> None:
    make_custom_emoji("taken")
    client = signed_in(make_moderator())
    data = {**fields, "image": _upload(fields["image"])}  # type: ignore[arg-type]
    response = client.post("/governance/admin/emoji", data)
    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assert list(CustomEmoji.objects.values_list("shortcode", flat=True)) == ["taken"]
    assert not LogEntry.objects.filter(kind=LogEntry.Kind.CUSTOM_EMOJI).exists()


def test_members_who_are_not_officers_never_see_the_pages() -> None:
    make_custom_emoji("keep")
    client = signed_in(make_member())
    for path in ("/governance/admin/emoji", "/governance/admin/announcements"):
        assert client.get(path).status_code == 404
    assert client.post("/governance/admin/emoji/keep/remove").status_code == 404
    assert client.post("/governance/admin/announcements", {"text": "Hi"}).status_code == 404
    assert CustomEmoji.objects.filter(shortcode="keep").exists()
    assert not Announcement.objects.exists()


def test_a_moderator_publishes_and_withdraws_an_announcement() -> None:
    make_custom_emoji("wave")
    client = signed_in(make_moderator())
    assert client.post("/governance/admin/announcements", {"text": "Welcome :wave:"}).status_code == 302
    page = client.get("/governance/admin/announcements").content.decode()
    assert 'alt=":wave:"' in page
    announcement = Announcement.objects.get()
    assert client.post(f"/governance/admin/announcements/{announcement.pk}/withdraw").status_code == 302
    assert not Announcement.objects.exists()


def test_an_announcement_ending_before_it_starts_is_refused() -> None:
    client = signed_in(make_moderator())
    response = client.post(
        "/governance/admin/announcements",
        {"text": "Party", "starts_at": "2027-01-02T10:00", "ends_at": "2027-01-01T10:00"},
    )
    assert response.status_code == 400
    assert "cannot end before it starts" in unescape(response.content.decode())
    assert not Announcement.objects.exists()


def test_statuses_and_names_show_emoji_as_images_with_the_shortcode_as_alt(alice: Actor) -> None:
    make_custom_emoji("blobcat")
    alice.display_name = "Alice :blobcat: <b>"
    alice.save()
    StatusFactory.create(account=alice, content='<p>hi :blobcat: <a href="https://x.example/:blobcat:">:nope:</a></p>')
    page = signed_in(make_member()).get(f"/accounts/{alice.pk}").content.decode()
    assert page.count('<img class="custom-emoji"') >= 2
    assert 'alt=":blobcat:"' in page
    # Markup is never rewritten, only text; names stay escaped.
    assert 'href="https://x.example/:blobcat:"' in page
    assert "Alice <img" in page and "&lt;b&gt;" in page
    assert ":nope:" in page


def test_an_emoji_proposal_uploads_its_image_once_and_opens_with_it() -> None:
    client = signed_in(make_member())
    png = image_bytes(20, 20)
    fields = {"kind": "custom_emoji", "method": "consent", "count": "2", "title": "An emoji", "body": ""}
    fields |= {"action": "add", "shortcode": "coop", "category": ""}
    preview = client.post("/governance/proposals/new", {**fields, "image": _upload(png)})
    assert preview.status_code == 200, preview.content.decode()
    carried = re.search(r'name="image_data" value="([^"]+)"', preview.content.decode())
    digest = re.search(r'name="previewed" value="([0-9a-f]+)"', preview.content.decode())
    assert carried is not None and digest is not None
    assert base64.b64decode(carried.group(1)) == png
    opened = client.post(
        "/governance/proposals/new",
        {**fields, "image_data": carried.group(1), "confirm": "open", "previewed": digest.group(1)},
    )
    assert opened.status_code == 302
    assert Proposal.objects.get().payload["image"] == carried.group(1)

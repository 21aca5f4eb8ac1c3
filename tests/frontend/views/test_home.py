"""Composing on the home page as Mastodon's composer does: replies, messages, language, schedule, focal point."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from federation.models import Actor
from members.models import User
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.timeline import MentionFactory, StatusFactory, make_custom_emoji
from tests.frontend.views.test_profile_and_media import png
from timeline.models import MediaAttachment, ScheduledStatus, Status, Visibility

pytestmark = pytest.mark.django_db


def _selected(page: str, name: str) -> str:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert select is not None
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(1))
    assert chosen is not None
    return chosen.group(1)


def _text(page: str) -> str:
    area = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.DOTALL)
    assert area is not None
    return area.group(1).strip()


def test_a_reply_names_the_author_and_everyone_mentioned_but_the_replier(
    alice_client: Client, alice: Actor, bob: Actor
) -> None:
    carol = LocalActorFactory.create(username="carol")
    remote = RemoteActorFactory.create(username="dana", domain="elsewhere.example")
    post = StatusFactory.create(
        account=bob, text="@alice @carol @dana lunch?", content="<p>lunch plans today</p>", visibility="private"
    )
    for account in (alice, carol, remote):
        MentionFactory.create(status=post, account=account)
    page = alice_client.get(f"/home?in_reply_to={post.pk}").content.decode()
    assert _text(page) == "@bob @carol @dana@elsewhere.example"
    # The member's default is public; the post is followers-only, the narrower of the two.
    assert _selected(page, "visibility") == "private"
    assert 'class="replying-to"' in page
    assert "lunch plans today" in page
    assert "Cancel reply" in page


def test_a_reply_keeps_the_members_narrower_default(alice_client: Client, alice: Actor, bob: Actor) -> None:
    assert alice.user is not None
    alice.user.default_visibility = "unlisted"
    alice.user.save(update_fields=["default_visibility"])
    post = StatusFactory.create(account=bob, text="hi", content="<p>hi</p>")
    assert _selected(alice_client.get(f"/home?in_reply_to={post.pk}").content.decode(), "visibility") == "unlisted"


def test_the_reply_link_opens_the_composer_in_place_with_htmx(alice_client: Client, bob: Actor) -> None:
    post = StatusFactory.create(account=bob, text="hi", content="<p>hi</p>")
    page = alice_client.get("/timelines/local").content.decode()
    assert f'hx-get="/home?in_reply_to={post.pk}" hx-select="#compose" hx-target="#status-{post.pk}"' in page


def test_the_composer_asked_for_in_place_comes_without_the_timeline(alice_client: Client, bob: Actor) -> None:
    post = StatusFactory.create(account=bob, text="hi", content="<p>hi</p>")
    page = alice_client.get(f"/home?in_reply_to={post.pk}", headers={"HX-Request": "true"}).content.decode()
    assert 'id="compose"' in page
    assert _text(page) == "@bob"
    assert "timeline-title" not in page


def test_message_on_a_profile_opens_a_direct_post_to_that_account(alice_client: Client, bob: Actor) -> None:
    assert f'href="/home?message={bob.pk}#compose-title"' in alice_client.get(f"/accounts/{bob.pk}").content.decode()
    page = alice_client.get(f"/home?message={bob.pk}").content.decode()
    assert _text(page) == "@bob"
    assert _selected(page, "visibility") == "direct"


def test_a_direct_message_to_nobody_is_refused_and_nothing_is_posted(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post("/home", {"text": "just me", "visibility": "direct", "language": "en"})
    assert response.status_code == 400
    assert "A direct message needs at least one @mention" in response.content.decode()
    assert not Status.objects.exists()


def test_the_language_defaults_to_the_members_and_goes_to_the_post(alice_client: Client, alice: Actor) -> None:
    assert alice.user is not None
    alice.user.default_language = "ca"
    alice.user.save(update_fields=["default_language"])
    page = alice_client.get("/home").content.decode()
    assert _selected(page, "language") == "ca"
    assert '<option value="fr">français (fr)</option>' in page
    alice_client.post("/home", {"text": "bonjour", "visibility": "public", "language": "fr"})
    assert Status.objects.get(account=alice).language == "fr"


def test_an_unknown_language_is_refused_and_nothing_is_posted(alice_client: Client) -> None:
    response = alice_client.post("/home", {"text": "hello", "visibility": "public", "language": "xx"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Status.objects.exists()


def test_a_scheduled_post_is_stored_for_later_and_listed(alice_client: Client, alice: Actor) -> None:
    moment = (timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
    response = alice_client.post(
        "/home",
        {
            "text": "later",
            "visibility": "unlisted",
            "language": "en",
            "scheduled_at": moment.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.headers["Location"] == "/scheduled"
    scheduled = ScheduledStatus.objects.get(account=alice)
    assert scheduled.scheduled_at == moment
    assert scheduled.params["text"] == "later"
    assert scheduled.params["visibility"] == "unlisted"
    assert not Status.objects.exists()
    assert "Time in UTC" in alice_client.get("/home").content.decode()


def test_a_post_scheduled_too_soon_is_refused_and_nothing_is_stored(alice_client: Client) -> None:
    soon = timezone.now() + timedelta(minutes=2)
    response = alice_client.post(
        "/home",
        {
            "text": "soon",
            "visibility": "public",
            "scheduled_at": soon.strftime("%Y-%m-%dT%H:%M"),
            "image": png(),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The scheduled date must be in the future (at least 5 minutes ahead)." in page
    assert "Scheduled at The" not in page
    assert not ScheduledStatus.objects.exists()
    assert not Status.objects.exists()
    assert not MediaAttachment.objects.exists()


def test_an_image_keeps_its_description_and_focal_point(alice_client: Client, alice: Actor) -> None:
    alice_client.post(
        "/home",
        {
            "text": "garden",
            "visibility": "public",
            "image": png(),
            "image_description": "Tomatoes",
            "focus_x": "0.5",
            "focus_y": "-0.25",
        },
    )
    media = MediaAttachment.objects.get(status__account=alice)
    assert (media.description, media.focus_x, media.focus_y) == ("Tomatoes", 0.5, -0.25)


def test_a_focal_point_out_of_range_is_refused_and_nothing_is_stored(alice_client: Client) -> None:
    response = alice_client.post(
        "/home", {"text": "garden", "visibility": "public", "image": png(), "focus_x": "2", "focus_y": "0"}
    )
    assert response.status_code == 400
    assert "less than or equal to 1" in response.content.decode()
    assert not MediaAttachment.objects.exists()
    assert not Status.objects.exists()


def test_the_limit_counts_links_as_23_and_remote_mentions_by_their_local_part(alice_client: Client) -> None:
    page = alice_client.get("/home").content.decode()
    assert 'data-max-characters="500"' in page
    assert "maxlength" not in re.search(r"<textarea[^>]*>", page).group(0)  # type: ignore[union-attr]
    link = "https://example.org/" + "a" * 200
    RemoteActorFactory.create(username="dana", domain="a-very-long-server-name.example")
    text = "x" * 440 + " " + link + " @dana@a-very-long-server-name.example"
    alice_client.post("/home", {"text": text, "visibility": "public"})
    assert Status.objects.get().visibility == Visibility.PUBLIC
    response = alice_client.post("/home", {"text": "y" * 490 + " " + link, "visibility": "public"})
    assert response.status_code == 400
    assert "Text is too long (514 characters; the limit is 500)." in response.content.decode()
    assert Status.objects.count() == 1


def test_a_post_with_media_marked_sensitive_hides_its_image_behind_the_warning(
    alice_client: Client, alice: Actor
) -> None:
    assert "Mark media as sensitive" in alice_client.get("/home").content.decode()
    data = {"text": "gore", "visibility": "public", "image": png(), "image_description": "A cut", "sensitive": "on"}
    alice_client.post("/home", data)
    assert Status.objects.get(account=alice).sensitive
    page = alice_client.get("/home").content.decode()
    warning = page.index("Sensitive media: show")
    assert warning < page.index('alt="A cut"') < page.index("</details>", warning)


def test_several_images_keep_their_order_descriptions_and_focal_points(alice_client: Client, alice: Actor) -> None:
    page = alice_client.get("/home").content.decode()
    assert "Add another image" in page
    assert "Describe image 4 for people who cannot see it" in page
    data = {
        "text": "garden",
        "visibility": "public",
        "image": png(),
        "image_description": "Tomatoes",
        "image_3": png(),
        "image_3_description": "Beans",
        "focus_3_x": "-0.5",
        "focus_3_y": "0.25",
    }
    assert alice_client.post("/home", data).status_code == 302
    media = MediaAttachment.objects.filter(status__account=alice).order_by("position")
    assert [(item.description, item.focus_x, item.focus_y) for item in media] == [
        ("Tomatoes", 0.0, 0.0),
        ("Beans", -0.5, 0.25),
    ]


def test_more_than_four_images_are_refused_and_nothing_is_stored(alice_client: Client, alice: Actor) -> None:
    kept = MediaAttachment.objects.create(account=alice, type="image", state=MediaAttachment.State.READY)
    data: dict[str, object] = {"text": "five", "visibility": "public", "media_ids": [str(kept.pk)], "image": png()}
    data |= {f"image_{n}": png() for n in range(2, 5)}
    response = alice_client.post("/home", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "A post can have at most 4 images." in page
    assert "choose it again before posting" in page
    assert not Status.objects.exists()
    assert list(MediaAttachment.objects.all()) == [kept]
    kept.refresh_from_db()
    assert kept.status_id is None


def test_a_second_image_with_a_poll_is_refused_and_nothing_is_stored(alice_client: Client) -> None:
    data = {"text": "q", "visibility": "public", "image_2": png(), "poll_option_1": "a", "poll_option_2": "b"}
    response = alice_client.post("/home", data)
    assert response.status_code == 400
    assert "A status cannot have both a poll and media attachments." in response.content.decode()
    assert not Status.objects.exists()
    assert not MediaAttachment.objects.exists()


def test_someone_elses_upload_cannot_be_attached(alice_client: Client, bob: Actor) -> None:
    theirs = MediaAttachment.objects.create(account=bob, type="image", state=MediaAttachment.State.READY)
    response = alice_client.post("/home", {"text": "mine?", "visibility": "public", "media_ids": [str(theirs.pk)]})
    assert response.status_code == 400
    assert "That image cannot be attached: it is not one of your unposted images." in response.content.decode()
    assert not Status.objects.exists()
    theirs.refresh_from_db()
    assert theirs.status_id is None


def test_the_quoted_post_above_a_reply_shows_its_custom_emoji(alice_client: Client, bob: Actor) -> None:
    make_custom_emoji("blobcat")
    bob.display_name = "Bob :blobcat:"
    bob.save(update_fields=["display_name"])
    post = StatusFactory.create(account=bob, text="hi :blobcat:", content="<p>hi :blobcat:</p>")
    page = alice_client.get(f"/home?in_reply_to={post.pk}").content.decode()
    quote = page[page.index('class="replying-to"') : page.index("</blockquote>")]
    assert "Bob :blobcat:" not in quote
    assert "hi :blobcat:" not in quote
    assert quote.count('class="custom-emoji"') == 2


def test_a_scheduled_time_is_read_in_the_members_time_zone(alice_client: Client, alice: Actor) -> None:
    User.objects.filter(actor=alice).update(time_zone="Europe/Paris")
    page = alice_client.get("/home").content.decode()
    assert "Time in Europe/Paris (your time zone setting), at least 5 minutes from now." in page
    # The member's own zone wins: the page sends no device zone.
    assert 'name="device_time_zone"' not in page
    response = alice_client.post(
        "/home", {"text": "new year", "visibility": "public", "language": "en", "scheduled_at": "2030-01-01T10:00"}
    )
    assert response.headers["Location"] == "/scheduled"
    assert ScheduledStatus.objects.get(account=alice).scheduled_at == datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


def test_without_a_setting_the_time_is_read_in_the_devices_zone(alice_client: Client, alice: Actor) -> None:
    page = alice_client.get("/home").content.decode()
    assert "Time in UTC (Coordinated Universal Time), at least 5 minutes from now." in page
    assert 'href="/settings/profile#time-zone">Set your time zone</a>' in page
    assert '<input type="hidden" name="device_time_zone" data-device-zone="" id="id_device_time_zone">' in page
    alice_client.post(
        "/home",
        {
            "text": "summer",
            "visibility": "public",
            "language": "en",
            "scheduled_at": "2030-07-01T10:00",
            "device_time_zone": "America/New_York",
        },
    )
    assert ScheduledStatus.objects.get(account=alice).scheduled_at == datetime(2030, 7, 1, 14, 0, tzinfo=UTC)


def test_without_a_setting_or_a_device_zone_the_time_is_utc(alice_client: Client, alice: Actor) -> None:
    alice_client.post(
        "/home",
        {"text": "utc", "visibility": "public", "scheduled_at": "2030-07-01T10:00", "device_time_zone": ""},
    )
    assert ScheduledStatus.objects.get(account=alice).scheduled_at == datetime(2030, 7, 1, 10, 0, tzinfo=UTC)


def test_an_unknown_device_zone_is_refused_and_nothing_is_stored(alice_client: Client) -> None:
    response = alice_client.post(
        "/home",
        {
            "text": "when?",
            "visibility": "public",
            "scheduled_at": "2030-07-01T10:00",
            "device_time_zone": "Etc/Nowhere",
        },
    )
    assert response.status_code == 400
    assert (
        "This device&#x27;s time zone (Etc/Nowhere) is not one this server knows: choose yours in your settings."
        in response.content.decode()
    )
    assert not ScheduledStatus.objects.exists()
    assert not Status.objects.exists()


def test_a_device_zone_does_not_matter_to_a_post_published_now(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post("/home", {"text": "now", "visibility": "public", "device_time_zone": "Etc/Nowhere"})
    assert response.headers["Location"] == "/home"
    assert Status.objects.filter(account=alice).count() == 1

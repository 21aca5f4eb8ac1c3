"""Factories for the timeline app."""

from __future__ import annotations

import io
from typing import Any

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from federation import uris
from tests.factories.federation import LocalActorFactory
from timeline.ids import snowflake_id
from timeline.models import (
    Block,
    CustomEmoji,
    Favourite,
    Follow,
    MediaAttachment,
    Mention,
    Notification,
    Poll,
    Status,
    Visibility,
)


class StatusFactory(factory.django.DjangoModelFactory[Status]):
    """A local status, already fanned out unless told otherwise."""

    class Meta:
        model = Status

    id = factory.LazyFunction(snowflake_id)
    account = factory.SubFactory(LocalActorFactory)
    uri = factory.LazyAttribute(lambda s: uris.status_uri(s.account.username, s.id))
    url = factory.LazyAttribute(lambda s: uris.status_url(s.account.username, s.id))
    text = factory.Sequence(lambda n: f"Status number {n}")
    content = factory.LazyAttribute(lambda s: f"<p>{s.text}</p>")
    visibility = Visibility.PUBLIC
    local = True
    created_at = factory.LazyFunction(timezone.now)
    fanned_out_at = factory.LazyFunction(timezone.now)


class FollowFactory(factory.django.DjangoModelFactory[Follow]):
    class Meta:
        model = Follow

    follower = factory.SubFactory(LocalActorFactory)
    target = factory.SubFactory(LocalActorFactory)
    state = Follow.State.ACCEPTED


class MentionFactory(factory.django.DjangoModelFactory[Mention]):
    class Meta:
        model = Mention

    status = factory.SubFactory(StatusFactory)
    account = factory.SubFactory(LocalActorFactory)


class FavouriteFactory(factory.django.DjangoModelFactory[Favourite]):
    class Meta:
        model = Favourite

    account = factory.SubFactory(LocalActorFactory)
    status = factory.SubFactory(StatusFactory)


class BlockFactory(factory.django.DjangoModelFactory[Block]):
    class Meta:
        model = Block

    account = factory.SubFactory(LocalActorFactory)
    target = factory.SubFactory(LocalActorFactory)


class NotificationFactory(factory.django.DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(LocalActorFactory)
    from_account = factory.SubFactory(LocalActorFactory)
    type = Notification.Type.FOLLOW


class PollFactory(factory.django.DjangoModelFactory[Poll]):
    class Meta:
        model = Poll

    status = factory.SubFactory(StatusFactory)
    options = factory.LazyFunction(lambda: ["yes", "no"])
    votes = factory.LazyFunction(lambda: [0, 0])


class RemoteMediaFactory(factory.django.DjangoModelFactory[MediaAttachment]):
    """An attachment referencing a file on another server (not downloaded)."""

    class Meta:
        model = MediaAttachment

    account = factory.SubFactory(LocalActorFactory)
    type = MediaAttachment.Type.IMAGE
    state = MediaAttachment.State.READY
    content_type = "image/png"
    remote_url = factory.Sequence(lambda n: f"https://files.example/{n}.png")


def make_custom_emoji(shortcode: str, domain: str | None = None, **fields: Any) -> CustomEmoji:
    """Return a stored emoji with a small PNG (local unless a domain is given, as if fetched from there)."""
    out = io.BytesIO()
    Image.new("RGBA", (16, 16), (200, 80, 40, 255)).save(out, "PNG")
    emoji = CustomEmoji(shortcode=shortcode, domain=domain, content_type="image/png", **fields)
    if domain is not None and "image_remote_url" not in fields:
        emoji.image_remote_url = f"https://{domain}/emoji/{shortcode}.png"
    emoji.image.save(f"{shortcode}.png", ContentFile(out.getvalue()), save=False)
    emoji.save()
    return emoji

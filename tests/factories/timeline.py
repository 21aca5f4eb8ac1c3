"""Factories for the timeline app."""

from __future__ import annotations

import factory
from django.utils import timezone

from federation import uris
from tests.factories.federation import LocalActorFactory
from timeline.ids import snowflake_id
from timeline.models import Block, Favourite, Follow, MediaAttachment, Mention, Notification, Poll, Status, Visibility


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

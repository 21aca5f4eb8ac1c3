"""A member with something of everything: posts, media, a poll, follows, blocks, mutes, lists, ballots, shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from federation.models import Actor
from governance.models import Proposal
from members.actions.enrolment import member_share_class
from members.models import ShareClass, User
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.governance import open_proposal, vote
from tests.factories.members import DuesPaymentFactory
from tests.factories.timeline import BlockFactory, FavouriteFactory, FollowFactory, PollFactory, StatusFactory
from timeline.models import AccountDomainBlock, Bookmark, List, ListAccount, MediaAttachment, Mute, Status, Visibility

PNG = b"\x89PNG\r\n\x1a\n" + b"pixels" * 100


@dataclass
class Member:
    """The member whose data is exported, and what they hold."""

    actor: Actor
    friend: Actor
    remote: Actor
    blocked: Actor
    muted: Actor
    post: Status
    old_post: Status
    private_post: Status
    boost: Status
    poll_post: Status
    liked: Status
    media: MediaAttachment
    named: Proposal
    secret: Proposal
    secret_tracker: str

    @property
    def user(self) -> User:
        assert self.actor.user is not None
        return self.actor.user


@pytest.fixture
def member_share(db: None) -> ShareClass:
    return member_share_class()


@pytest.fixture
def rich_member(member_share: ShareClass) -> Member:
    """Return a member holding a little of every kind of data."""
    actor = LocalActorFactory.create(user__username="nadia", display_name="Nadia", summary="<p>Hello</p>")
    actor.avatar.save("upload.png", ContentFile(PNG), save=True)
    friend = LocalActorFactory.create(user__username="omar")
    remote = RemoteActorFactory.create(username="rosa", domain="elsewhere.example")
    blocked = RemoteActorFactory.create(username="troll", domain="elsewhere.example")
    muted = LocalActorFactory.create(user__username="loud")
    FollowFactory.create(follower=actor, target=friend)
    FollowFactory.create(follower=actor, target=remote, show_reblogs=False, notify=True)
    FollowFactory.create(follower=friend, target=actor)
    BlockFactory.create(account=actor, target=blocked)
    Mute.objects.create(account=actor, target=muted, hide_notifications=False)
    AccountDomainBlock.objects.create(account=actor, domain="spam.example")
    reading = List.objects.create(account=actor, title="Reading")
    ListAccount.objects.create(list=reading, account=friend)
    ListAccount.objects.create(list=reading, account=remote)

    old_post = StatusFactory.create(
        account=actor,
        text="From long ago",
        content="<p>From long ago</p>",
        created_at=timezone.now() - timedelta(days=400),
    )
    post = StatusFactory.create(account=actor, text="With a picture", content="<p>With a picture</p>", language="en")
    media = MediaAttachment.objects.create(
        account=actor, status=post, type="image", state="ready", content_type="image/png", description="A cat"
    )
    media.file.save("original.png", ContentFile(PNG), save=True)
    private_post = StatusFactory.create(
        account=actor, text="Friends only", content="<p>Friends only</p>", visibility=Visibility.PRIVATE
    )
    poll_post = StatusFactory.create(account=actor, text="Tea or coffee?", content="<p>Tea or coffee?</p>")
    PollFactory.create(status=poll_post, options=["Tea", "Coffee"], votes=[2, 1])
    liked = StatusFactory.create(account=friend, text="A good one", content="<p>A good one</p>")
    boost = StatusFactory.create(
        account=actor, reblog_of=liked, uri=f"{actor.uri}/statuses/boost1/activity", text="", content=""
    )
    FavouriteFactory.create(account=actor, status=liked)
    Bookmark.objects.create(account=actor, status=liked)

    assert actor.user is not None
    DuesPaymentFactory.create(user=actor.user)
    voter = actor.user
    assert friend.user is not None
    named = open_proposal(friend.user, title="Paint the server room")
    vote(voter, named, 0)
    secret = open_proposal(friend.user, title="Elect the board", secret=True)
    receipt = vote(voter, secret, 0)
    return Member(
        actor=actor,
        friend=friend,
        remote=remote,
        blocked=blocked,
        muted=muted,
        post=post,
        old_post=old_post,
        private_post=private_post,
        boost=boost,
        poll_post=poll_post,
        liked=liked,
        media=media,
        named=named,
        secret=secret,
        secret_tracker=receipt.tracker,
    )

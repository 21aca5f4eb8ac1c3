"""Hashtags a member follows (their statuses reach the home timeline) or features on their profile."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from federation.actions.outbox import publish_to_followers
from federation.models import Actor
from timeline.access import normalised_tag_name
from timeline.activitypub.renderers import add_for_featured_tag, remove_for_featured_tag
from timeline.errors import RecordNotFound, ValidationFailed
from timeline.models import FeaturedTag, Tag, TagFollow

# Mastodon's limit of hashtags featured on one profile.
MAX_FEATURED_TAGS = 10


@dataclass(frozen=True)
class TagFollowDraft:
    """A checked hashtag name to follow."""

    name: str


def check_follow_tag(raw_name: str) -> TagFollowDraft:
    """Refuse a name that cannot be a hashtag, as a record that does not exist (404, as Mastodon answers)."""
    name = normalised_tag_name(raw_name)
    if name is None:
        raise RecordNotFound(f"#{raw_name} is not a hashtag.")
    return TagFollowDraft(name=name)


def do_follow_tag(actor: Actor, draft: TagFollowDraft) -> Tag:
    """Follow a hashtag (creating it if nobody used it yet); following twice keeps one follow."""
    with transaction.atomic():
        tag, _ = Tag.objects.get_or_create(name=draft.name)
        TagFollow.objects.get_or_create(account=actor, tag=tag)
    return tag


def do_unfollow_tag(actor: Actor, tag: Tag) -> None:
    """Stop following a hashtag, if followed."""
    TagFollow.objects.filter(account=actor, tag=tag).delete()


@dataclass(frozen=True)
class FeaturedTagDraft:
    """A checked hashtag name to feature on a profile."""

    name: str


def check_feature_tag(actor: Actor, raw_name: str) -> FeaturedTagDraft:
    """Refuse a name that cannot be a hashtag, a hashtag already featured, or one beyond the limit."""
    name = normalised_tag_name(raw_name.strip().removeprefix("#"))
    if name is None:
        raise ValidationFailed("Name is not a valid hashtag.")
    if FeaturedTag.objects.filter(account=actor, tag__name=name).exists():
        raise ValidationFailed("Tag is already featured.")
    if FeaturedTag.objects.filter(account=actor).count() >= MAX_FEATURED_TAGS:
        raise ValidationFailed(f"You can feature at most {MAX_FEATURED_TAGS} hashtags.")
    return FeaturedTagDraft(name=name)


def do_feature_tag(actor: Actor, draft: FeaturedTagDraft) -> FeaturedTag:
    """Feature a checked hashtag on the actor's profile; followers' servers are sent Add."""
    with transaction.atomic():
        tag, _ = Tag.objects.get_or_create(name=draft.name)
        featured, created = FeaturedTag.objects.get_or_create(account=actor, tag=tag)
        if created:
            publish_to_followers(actor, add_for_featured_tag(actor, tag))
    return featured


def do_unfeature_tag(featured: FeaturedTag) -> None:
    """Stop featuring a hashtag (read through `access_featured_tag_by_id`); followers' servers are sent Remove."""
    with transaction.atomic():
        featured.delete()
        publish_to_followers(featured.account, remove_for_featured_tag(featured.account, featured.tag))

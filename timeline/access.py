"""Security-checked reads of statuses: every view of a status goes through here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404
from oauth2_provider.models import AccessToken

from federation.models import Actor
from timeline.models import (
    Conversation,
    FeaturedTag,
    Filter,
    FilterKeyword,
    FilterStatus,
    Follow,
    List,
    MediaAttachment,
    Mention,
    Notification,
    Poll,
    PushSubscription,
    ScheduledStatus,
    Status,
    Tag,
    Visibility,
)
from timeline.restrictions import restricted_account_ids, sees_restricted_accounts

# Public and unlisted statuses are for anyone, local-only ones for signed-in accounts here; the rest are addressed.
_OPEN = (Visibility.PUBLIC, Visibility.UNLISTED)
_OPEN_OR_LOCAL = (*_OPEN, Visibility.LOCAL)

M = TypeVar("M", bound=Model)


class StatusNotFound(Http404):
    """The status does not exist or the viewer may not see it (indistinguishable on purpose)."""


def hidden_account_ids_for(viewer: Actor | None) -> QuerySet[Any, int | None]:
    """Return, as a subquery, the accounts whose statuses lists must leave out for this viewer.

    These are the suspended accounts, except for moderators, who see them.
    """
    if sees_restricted_accounts(viewer):
        return Actor.objects.none().values_list("pk", flat=True)
    return restricted_account_ids(limited=False)


def can_view_status(viewer: Actor | None, status: Status) -> bool:
    """Return whether the viewer (None for anonymous) may see the status.

    Local-only statuses are for this server's signed-in accounts. A suspended
    account's statuses are hidden from everyone but moderators, who need them
    to review the suspension and any appeal; moderators still see only what
    the status's visibility would show them. The rule is written once, in
    `visible_statuses`, which a list's page calls for all its statuses.
    """
    return bool(visible_statuses(viewer, [status]))


def visible_statuses(viewer: Actor | None, statuses: Iterable[Status]) -> list[Status]:
    """Return those of the statuses the viewer may see, in their order (the rule `can_view_status` states).

    A list's page costs the same few queries however long it is: its
    authors' suspensions, the moderator check (only if one is suspended),
    the viewer's mentions among the statuses addressed to people, and the
    viewer's accepted follows of the authors of followers-only statuses not
    mentioning them. Like `can_view_status`, it leaves blocks and mutes to
    the selectors of each list.
    """
    candidates = list(statuses)
    if not candidates:
        return []
    suspended = set(
        Actor.objects.filter(pk__in={status.account_id for status in candidates})
        .filter(pk__in=restricted_account_ids(limited=False))
        .values_list("pk", flat=True)
    )
    if suspended and not sees_restricted_accounts(viewer):
        candidates = [status for status in candidates if status.account_id not in suspended]
    if viewer is None:
        return [status for status in candidates if status.visibility in _OPEN]
    viewer_id = viewer.pk
    signed_in_here = viewer.is_local and viewer.user_id is not None
    addressed = [
        status for status in candidates if status.visibility not in _OPEN_OR_LOCAL and status.account_id != viewer_id
    ]
    mentioned: set[int] = set()
    if addressed:
        mentioned = set(
            Mention.objects.filter(account=viewer, status_id__in={status.pk for status in addressed}).values_list(
                "status_id", flat=True
            )
        )
    followers_only = {
        status.account_id
        for status in addressed
        if status.visibility == Visibility.PRIVATE and status.pk not in mentioned
    }
    followed: set[int] = set()
    if followers_only:
        followed = set(
            Follow.objects.filter(
                follower=viewer, target_id__in=followers_only, state=Follow.State.ACCEPTED
            ).values_list("target_id", flat=True)
        )

    def shown(status: Status) -> bool:
        if status.visibility in _OPEN:
            return True
        if status.visibility == Visibility.LOCAL:
            return signed_in_here
        if status.account_id == viewer_id or status.pk in mentioned:
            return True
        return status.visibility == Visibility.PRIVATE and status.account_id in followed

    return [status for status in candidates if shown(status)]


def access_status_by_id(viewer: Actor | None, status_id: int) -> Status:
    """Return the status if the viewer may see it, else raise StatusNotFound."""
    status = Status.objects.select_related("account").filter(id=status_id).first()
    if status is None or not can_view_status(viewer, status):
        raise StatusNotFound("Record not found")
    return status


def access_poll_by_id(viewer: Actor | None, poll_id: str | int) -> Poll:
    """Return the poll if the viewer may see its status, else raise StatusNotFound."""
    raw = str(poll_id)
    poll = Poll.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if poll is None:
        raise StatusNotFound("Record not found")
    access_status_by_id(viewer, poll.status_id)
    return poll


def access_local_status_by_author(viewer: Actor | None, username: str, status_id: int) -> Status:
    """Return a local status addressed by its author's username, if the viewer may see it."""
    status = access_status_by_id(viewer, status_id)
    if not status.account.is_local or status.account.username.lower() != username.lower():
        raise StatusNotFound("Record not found")
    return status


class RecordNotFound(Http404):
    """The record does not exist or belongs to someone else (indistinguishable on purpose)."""


def _owned_id(raw: str | int) -> int:
    text = str(raw)
    if not text.isdigit():
        raise RecordNotFound("Record not found")
    return int(text)


def _owned(rows: QuerySet[M], raw_id: str | int) -> M:
    """Return the row with the id among rows already narrowed to the owner's, else raise RecordNotFound."""
    found = rows.filter(pk=_owned_id(raw_id)).first()
    if found is None:
        raise RecordNotFound("Record not found")
    return found


def access_list_by_id(owner: Actor, list_id: str | int) -> List:
    """Return one of the owner's lists, else raise RecordNotFound."""
    return _owned(List.objects.filter(account=owner), list_id)


def access_filter_by_id(owner: Actor, filter_id: str | int) -> Filter:
    """Return one of the owner's filters, with its keywords and statuses, else raise RecordNotFound."""
    return _owned(Filter.objects.filter(account=owner).prefetch_related("keywords", "statuses"), filter_id)


def access_filter_keyword_by_id(owner: Actor, keyword_id: str | int) -> FilterKeyword:
    """Return a keyword of one of the owner's filters, else raise RecordNotFound."""
    return _owned(FilterKeyword.objects.filter(filter__account=owner), keyword_id)


def access_filter_status_by_id(owner: Actor, item_id: str | int) -> FilterStatus:
    """Return a status entry of one of the owner's filters, else raise RecordNotFound."""
    return _owned(FilterStatus.objects.filter(filter__account=owner), item_id)


def access_scheduled_status_by_id(owner: Actor, scheduled_id: str | int) -> ScheduledStatus:
    """Return one of the owner's unpublished scheduled statuses, else raise RecordNotFound."""
    return _owned(ScheduledStatus.objects.filter(account=owner, published_status__isnull=True), scheduled_id)


def access_conversation_by_id(owner: Actor, conversation_id: str | int) -> Conversation:
    """Return one of the owner's conversations, else raise RecordNotFound."""
    return _owned(Conversation.objects.filter(owner=owner), conversation_id)


def access_notification_by_id(recipient: Actor, notification_id: str | int) -> Notification:
    """Return one of the recipient's notifications, else raise RecordNotFound."""
    return _owned(Notification.objects.filter(recipient=recipient), notification_id)


class MediaNotFound(Http404):
    """The upload does not exist, belongs to someone else, or is attached already."""


def access_own_unattached_media_by_id(owner: Actor, raw_id: str) -> MediaAttachment:
    """Return one of the owner's uploads not yet attached to a status, or raise MediaNotFound.

    As in Mastodon, an upload can be read and changed here only until it is
    posted; someone else's upload answers exactly like a missing one.
    """
    if not raw_id.isdigit():
        raise MediaNotFound("Record not found")
    media = MediaAttachment.objects.filter(pk=int(raw_id), account=owner, status__isnull=True, remote_url="").first()
    if media is None:
        raise MediaNotFound("Record not found")
    return media


def access_push_subscription_by_token(owner: Actor, access_token: AccessToken) -> PushSubscription:
    """Return the push subscription of the owner's access token, else raise RecordNotFound."""
    found = PushSubscription.objects.filter(account=owner, access_token=access_token).first()
    if found is None:
        raise RecordNotFound("Record not found")
    return found


def access_remote_media_by_id(raw_id: str) -> MediaAttachment:
    """Return an attachment of a stored remote status, for the media proxy, or raise MediaNotFound.

    As with Mastodon's media proxy, whoever has the URL gets the file (the
    remote server serves it to anyone too); local uploads are never served
    through the proxy.
    """
    if not raw_id.isdigit():
        raise MediaNotFound("Record not found")
    media = MediaAttachment.objects.filter(pk=int(raw_id), status__isnull=False).exclude(remote_url="").first()
    if media is None:
        raise MediaNotFound("Record not found")
    return media


def access_featured_tag_by_id(owner: Actor, featured_id: str | int) -> FeaturedTag:
    """Return one of the owner's featured hashtags, else raise RecordNotFound."""
    return _owned(FeaturedTag.objects.filter(account=owner).select_related("tag"), featured_id)


# Word characters with a letter among them, or an underscore between two of them, as Mastodon's
# hashtag names are: "#1" and "#_1" are not hashtags, "#1st", "#a1" and "#1_2" are.
TAG_NAME_PATTERN = r"(?=\w*[^\W\d_]|\w+_\w)\w{1,100}"
TAG_NAME = re.compile(TAG_NAME_PATTERN)


def normalised_tag_name(raw: str) -> str | None:
    """Return the stored (lower-case) form of a hashtag name, or None if it cannot be a hashtag."""
    if not TAG_NAME.fullmatch(raw):
        return None
    return raw.lower()


def access_tag_by_name(raw_name: str) -> Tag:
    """Return the hashtag of that name, or an unsaved one if nobody used it yet.

    Hashtags are public: anyone may read any of them, as on Mastodon. A name
    no hashtag can have raises RecordNotFound (404, as Mastodon answers).
    """
    name = normalised_tag_name(raw_name)
    if name is None:
        raise RecordNotFound("Record not found")
    return Tag.objects.filter(name=name).first() or Tag(name=name)

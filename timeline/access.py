"""Security-checked reads of statuses: every view of a status goes through here."""

from __future__ import annotations

import re
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
from timeline.restrictions import is_account_restricted, restricted_account_ids, sees_restricted_accounts

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


def _visible_to(viewer: Actor | None, status: Status) -> bool:
    if status.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
        return True
    if viewer is None:
        return False
    if status.visibility == Visibility.LOCAL:
        return viewer.is_local and viewer.user_id is not None
    # Direct and limited statuses are for their author and the accounts they mention, silently or not.
    if viewer.pk == status.account_id or Mention.objects.filter(status=status, account=viewer).exists():
        return True
    if status.visibility == Visibility.PRIVATE:
        return Follow.objects.filter(follower=viewer, target_id=status.account_id, state=Follow.State.ACCEPTED).exists()
    return False


def can_view_status(viewer: Actor | None, status: Status) -> bool:
    """Return whether the viewer (None for anonymous) may see the status.

    Local-only statuses are for this server's signed-in accounts. A suspended
    account's statuses are hidden from everyone but moderators, who need them
    to review the suspension and any appeal; moderators still see only what
    the status's visibility would show them.
    """
    if is_account_restricted(status.account_id, limited=False) and not sees_restricted_accounts(viewer):
        return False
    return _visible_to(viewer, status)


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

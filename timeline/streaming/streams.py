"""Mastodon's streams: who may subscribe to which, and the channel-layer group behind each.

A subscription names a stream as clients do (`hashtag` with a tag, `list`
with a list id) and resolves to one channel-layer group. Senders address
the same groups through the functions below, so both sides agree on names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.http import HttpRequest
from oauth2_provider.models import AccessToken

from config.api.scopes import scope_grants
from federation.models import Actor
from timeline.models import List

PUBLIC_STREAMS = frozenset(
    {
        "public",
        "public:media",
        "public:local",
        "public:local:media",
        "public:remote",
        "public:remote:media",
        "hashtag",
        "hashtag:local",
    }
)
USER_STREAMS = frozenset({"user", "user:notification", "list", "direct"})
STREAMS = PUBLIC_STREAMS | USER_STREAMS


class StreamRefused(Exception):
    """A connection or subscription that may not go ahead, with Mastodon's message and status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class StreamViewer:
    """Who holds a streaming connection: the token's account (None if anonymous or app-only) and scopes."""

    actor: Actor | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def actor_id(self) -> int | None:
        """Return the viewer's account id, or None."""
        return self.actor.pk if self.actor is not None else None

    def may_read(self, scope: str) -> bool:
        """Return whether the token grants `read` or the given granular read scope."""
        return scope_grants(set(self.scopes), scope)


ANONYMOUS = StreamViewer()


@dataclass(frozen=True)
class Subscription:
    """One subscribed stream: its name as sent to clients and its group."""

    stream: tuple[str, ...]
    group: str


def authenticate_stream_token(token: str) -> StreamViewer:
    """Return the viewer a bearer token stands for, or raise StreamRefused (401) if it is not valid.

    Revoked tokens no longer exist; expired ones and those of disabled users
    are refused as the REST API refuses them.
    """
    checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
    access_token = AccessToken.objects.select_related("user").filter(token_checksum=checksum).first()
    if access_token is None or access_token.is_expired():
        raise StreamRefused("Invalid access token", 401)
    user = access_token.user
    if user is not None and not user.is_active:
        raise StreamRefused("Your login is currently disabled", 403)
    actor = Actor.objects.filter(user=user).first() if user is not None else None
    return StreamViewer(actor=actor, scopes=frozenset(access_token.scope.split()))


def session_viewer(request: HttpRequest) -> StreamViewer:
    """Return the viewer of the web app's signed-in session (read scopes), or ANONYMOUS.

    The members' web app streams with its session cookie rather than a
    token; a session grants what the web pages show, that is reading.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    actor = Actor.objects.filter(user=user).first()
    return StreamViewer(actor=actor, scopes=frozenset({"read"})) if actor is not None else ANONYMOUS


def _tag_key(tag: str) -> str:
    # Group names allow only ASCII letters, digits, hyphens, periods and underscores.
    return hashlib.sha256(tag.lower().lstrip("#").encode("utf-8")).hexdigest()[:32]


def public_group(name: str) -> str:
    """Return the group of a public stream (`public`, `public:local:media`, ...)."""
    return "timeline." + name.replace(":", ".")


def hashtag_group(tag: str, *, local: bool) -> str:
    """Return the group of a hashtag stream."""
    return f"timeline.hashtag{'.local' if local else ''}.{_tag_key(tag)}"


def user_group(actor_id: int) -> str:
    """Return the group of an account's user stream (home updates and notifications)."""
    return f"timeline.user.{actor_id}"


def notification_group(actor_id: int) -> str:
    """Return the group of an account's notification-only stream."""
    return f"timeline.user.{actor_id}.notification"


def direct_group(actor_id: int) -> str:
    """Return the group of an account's direct-message stream."""
    return f"timeline.direct.{actor_id}"


def list_group(list_id: int) -> str:
    """Return the group of a list's stream."""
    return f"timeline.list.{list_id}"


def resolve_subscription(viewer: StreamViewer, name: str, *, tag: str = "", list_id: str = "") -> Subscription:
    """Check that the viewer may subscribe to the named stream and return its group.

    Public streams need no token (the instance's timelines are public);
    the others need a signed-in account and `read`, `read:statuses` or, for
    `user:notification`, `read:notifications`, as on Mastodon.
    """
    if name not in STREAMS:
        raise StreamRefused("Unknown stream type", 400)
    if name in USER_STREAMS:
        if viewer.actor is None:
            raise StreamRefused("Missing access token", 401)
        needed = "read:notifications" if name == "user:notification" else "read:statuses"
        if not viewer.may_read(needed):
            raise StreamRefused("Access token does not have the required scopes", 401)
    if name.startswith("hashtag"):
        tag = tag.strip().lstrip("#")
        if not tag:
            raise StreamRefused("No tag for stream provided", 400)
        return Subscription((name, tag), hashtag_group(tag, local=name == "hashtag:local"))
    if name in PUBLIC_STREAMS:
        return Subscription((name,), public_group(name))
    actor = viewer.actor
    if actor is None:  # pragma: no cover (refused above for every user stream)
        raise StreamRefused("Missing access token", 401)
    if name == "list":
        owned = List.objects.filter(account=actor, pk=int(list_id)) if list_id.isdigit() else List.objects.none()
        if not owned.exists():
            raise StreamRefused("Not authorized to stream this list", 401)
        return Subscription((name, list_id), list_group(int(list_id)))
    if name == "user:notification":
        return Subscription((name,), notification_group(actor.pk))
    if name == "direct":
        return Subscription((name,), direct_group(actor.pk))
    return Subscription((name,), user_group(actor.pk))


def deliverable(viewer: StreamViewer, message: dict[str, object]) -> bool:
    """Return whether an event sent to a group the viewer joined may reach this viewer.

    Senders list the accounts that must not see an event (blocks, mutes,
    domain blocks) under `exclude`; notifications also need their scope.
    """
    excluded = message.get("exclude")
    if viewer.actor_id is not None and isinstance(excluded, list) and viewer.actor_id in excluded:
        return False
    return not (message.get("event") == "notification" and not viewer.may_read("read:notifications"))

"""The URIs of this server's ActivityPub objects and their HTML pages."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def base_url() -> str:
    """Return scheme and host of this server, e.g. https://social.example."""
    return str(settings.MUTUALS_BASE_URL)


def actor_uri(username: str) -> str:
    """Return the ActivityPub id of a local actor."""
    return f"{base_url()}/users/{username}"


def profile_url(username: str) -> str:
    """Return the HTML profile page of a local actor."""
    return f"{base_url()}/@{username}"


def inbox_uri(username: str) -> str:
    """Return a local actor's personal inbox."""
    return f"{actor_uri(username)}/inbox"


def outbox_uri(username: str) -> str:
    """Return a local actor's outbox collection."""
    return f"{actor_uri(username)}/outbox"


def followers_uri(username: str) -> str:
    """Return a local actor's followers collection."""
    return f"{actor_uri(username)}/followers"


def following_uri(username: str) -> str:
    """Return a local actor's following collection."""
    return f"{actor_uri(username)}/following"


def featured_uri(username: str) -> str:
    """Return a local actor's featured (pinned) collection."""
    return f"{actor_uri(username)}/collections/featured"


def featured_tags_uri(username: str) -> str:
    """Return a local actor's collection of featured hashtags."""
    return f"{actor_uri(username)}/collections/tags"


def shared_inbox_uri() -> str:
    """Return the server's shared inbox."""
    return f"{base_url()}/inbox"


def status_uri(username: str, status_id: int) -> str:
    """Return the ActivityPub id of a local status."""
    return f"{actor_uri(username)}/statuses/{status_id}"


def status_url(username: str, status_id: int) -> str:
    """Return the HTML page of a local status."""
    return f"{profile_url(username)}/{status_id}"


def instance_actor_uri() -> str:
    """Return the id of the server's own Application actor."""
    return f"{base_url()}/actor"


def instance_followers_uri() -> str:
    """Return the instance actor's followers collection (the peers that follow the transparency log)."""
    return f"{instance_actor_uri()}/followers"


def transparency_log_uri() -> str:
    """Return the id of the transparency log's ActivityPub collection, the instance actor's outbox."""
    return f"{base_url()}{reverse('governance:log')}"


def activity_uri(username: str, kind: str, token: str) -> str:
    """Return a fresh id for an activity a local actor sends (kind: follow, like, undo...)."""
    return f"{actor_uri(username)}#{kind}/{token}"

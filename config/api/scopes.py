"""Mastodon's OAuth scopes and how the broad ones cover the granular ones."""

from __future__ import annotations

GRANULAR_READ = (
    "accounts", "blocks", "bookmarks", "favourites", "filters", "follows",
    "lists", "mutes", "notifications", "search", "statuses",
)  # fmt: skip
GRANULAR_WRITE = (
    "accounts", "blocks", "bookmarks", "conversations", "favourites", "filters",
    "follows", "lists", "media", "mutes", "notifications", "reports", "statuses",
)  # fmt: skip

SCOPES: dict[str, str] = {
    "read": "Read all your account's data",
    "write": "Change all your account's data",
    "follow": "Follow, block and mute accounts (deprecated; use read and write)",
    "push": "Receive push notifications",
    "profile": "Read only your own profile",
    "admin:read": "Read all data on the server (moderators)",
    "admin:write": "Take moderation actions on the server (moderators)",
    **{f"read:{name}": f"Read your {name}" for name in GRANULAR_READ},
    **{f"write:{name}": f"Change your {name}" for name in GRANULAR_WRITE},
    "read:coop": "Read your membership, holdings, dues and patronage statements in the co-op",
    "write:coop": "Act in the co-op: request shares and, for officers, record payments and admissions",
}

# The legacy `follow` scope covers these, as in Mastodon.
FOLLOW_COVERS = frozenset({"read:follows", "read:blocks", "read:mutes", "write:follows", "write:blocks", "write:mutes"})


def scope_grants(granted: set[str], required: str) -> bool:
    """Return whether a token holding `granted` scopes may do what `required` allows."""
    if required in granted:
        return True
    family = required.split(":", 1)[0]
    if ":" in required and family in granted:
        return True
    return required in FOLLOW_COVERS and "follow" in granted


def is_known_scope(scope: str) -> bool:
    """Return whether the scope is one Mastodon defines."""
    return scope in SCOPES


def scope_within(registered: set[str], requested: str) -> bool:
    """Return whether a token for `requested` would be no wider than an app registered for `registered` may hold.

    A granular scope is within its family (`read:statuses` within `read`),
    the legacy `follow` within whatever covers all six scopes it stands for,
    and `profile` within anything that reads accounts; the reverse never
    holds (`read` is not within `read:statuses`).
    """
    if requested in registered:
        return True
    if requested == "follow":
        return all(scope_grants(registered, covered) for covered in FOLLOW_COVERS)
    if requested == "profile":
        return scope_grants(registered, "read:accounts")
    return scope_grants(registered, requested)

"""Broad OAuth scopes cover granular ones, as in Mastodon."""

from __future__ import annotations

import pytest

from config.api.scopes import scope_grants, scope_within


def test_broad_scope_covers_its_granular_scopes() -> None:
    assert scope_grants({"read"}, "read:accounts")
    assert scope_grants({"write"}, "write:statuses")
    assert not scope_grants({"read"}, "write:statuses")
    assert not scope_grants({"read:statuses"}, "read:accounts")


def test_legacy_follow_scope_covers_relationships_only() -> None:
    assert scope_grants({"follow"}, "write:follows")
    assert scope_grants({"follow"}, "read:blocks")
    assert not scope_grants({"follow"}, "write:statuses")


@pytest.mark.parametrize(
    ("registered", "requested", "within"),
    [
        ({"read"}, "read", True),
        ({"read"}, "read:statuses", True),
        ({"read"}, "read:coop", True),
        ({"read"}, "write", False),
        ({"read"}, "write:statuses", False),
        ({"read"}, "admin:write", False),
        ({"read"}, "admin:read", False),
        ({"read"}, "follow", False),
        ({"read"}, "push", False),
        ({"read:statuses"}, "read", False),
        ({"read:statuses"}, "read:accounts", False),
        ({"read", "write"}, "follow", True),
        ({"read:follows", "read:blocks", "read:mutes", "write:follows", "write:blocks", "write:mutes"}, "follow", True),
        ({"read:follows", "write:follows"}, "follow", False),
        ({"follow"}, "read:follows", True),
        ({"follow"}, "write:mutes", True),
        ({"follow"}, "read:statuses", False),
        ({"follow"}, "read", False),
        ({"profile"}, "profile", True),
        ({"read"}, "profile", True),
        ({"read:accounts"}, "profile", True),
        ({"profile"}, "read:accounts", False),
        ({"admin:read"}, "admin:read", True),
        ({"admin:read"}, "admin:write", False),
        ({"push"}, "push", True),
        (set(), "read", False),
    ],
)
def test_a_token_scope_is_within_the_registered_scopes_only_if_no_wider(
    registered: set[str], requested: str, within: bool
) -> None:
    assert scope_within(registered, requested) is within

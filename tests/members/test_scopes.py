"""Broad OAuth scopes cover granular ones, as in Mastodon."""

from __future__ import annotations

from members.scopes import scope_grants


def test_broad_scope_covers_its_granular_scopes() -> None:
    assert scope_grants({"read"}, "read:accounts")
    assert scope_grants({"write"}, "write:statuses")
    assert not scope_grants({"read"}, "write:statuses")
    assert not scope_grants({"read:statuses"}, "read:accounts")


def test_legacy_follow_scope_covers_relationships_only() -> None:
    assert scope_grants({"follow"}, "write:follows")
    assert scope_grants({"follow"}, "read:blocks")
    assert not scope_grants({"follow"}, "write:statuses")

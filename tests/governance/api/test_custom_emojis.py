"""GET /api/v1/custom_emojis: the co-op's emoji apps offer in their pickers."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories.timeline import make_custom_emoji

pytestmark = pytest.mark.django_db


def test_only_enabled_local_emoji_offered_in_pickers_are_listed() -> None:
    make_custom_emoji("blobcat", category="Cats")
    make_custom_emoji("wave")
    make_custom_emoji("secret", visible_in_picker=False)
    make_custom_emoji("off", disabled=True)
    make_custom_emoji("remote", domain="social.example")
    listed = Client().get("/api/v1/custom_emojis").json()
    assert [(emoji["shortcode"], emoji["category"]) for emoji in listed] == [("wave", None), ("blobcat", "Cats")]
    assert set(listed[0]) == {"shortcode", "url", "static_url", "visible_in_picker", "category"}
    assert listed[0]["url"].startswith("http")

"""Erasing an account's content removes its discovery records, on both sides."""

from __future__ import annotations

import pytest

from federation.models import Actor
from timeline.actions.erasure import do_erase_account_content
from timeline.models import Endorsement, FeaturedTag, SuggestionDismissal, Tag, TagFollow


@pytest.mark.django_db
def test_erasure_removes_followed_and_featured_tags_endorsements_and_dismissals(alice: Actor, bob: Actor) -> None:
    tag = Tag.objects.create(name="harvest")
    TagFollow.objects.create(account=alice, tag=tag)
    FeaturedTag.objects.create(account=alice, tag=tag)
    Endorsement.objects.create(account=alice, target=bob)
    Endorsement.objects.create(account=bob, target=alice)
    SuggestionDismissal.objects.create(account=bob, target=alice)
    TagFollow.objects.create(account=bob, tag=tag)
    do_erase_account_content(alice)
    assert not FeaturedTag.objects.exists()
    assert not Endorsement.objects.exists()
    assert not SuggestionDismissal.objects.exists()
    assert list(TagFollow.objects.values_list("account_id", flat=True)) == [bob.pk]

"""Filter matching: whole words as Mastodon matches them, contexts, expiry, own statuses, boosts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from federation.models import Actor
from tests.factories.timeline import StatusFactory
from timeline.filtering import filter_results_for, is_hidden, keyword_pattern
from timeline.models import Filter, FilterKeyword, FilterStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("keyword", "whole_word", "text", "matches"),
    [
        ("cat", True, "A cat sat", True),
        ("cat", True, "concatenate", False),
        ("cat", False, "concatenate", True),
        ("Cat", True, "CAT!", True),
        ("#tag", True, "see #tag here", True),
        ("c++", True, "I like c++ a lot", True),
        ("new york", True, "in New York today", True),
    ],
)
def test_keyword_patterns(keyword: str, whole_word: bool, text: str, matches: bool) -> None:
    pattern = keyword_pattern(FilterKeyword(keyword=keyword, whole_word=whole_word))
    assert bool(pattern.search(text)) is matches


def test_results_follow_context_expiry_and_authorship(alice: Actor, bob: Actor) -> None:
    the_filter = Filter.objects.create(account=alice, title="Pets", context=["home"], filter_action="hide")
    FilterKeyword.objects.create(filter=the_filter, keyword="cat")
    status = StatusFactory.create(account=bob, text="my cat", content="<p>my cat</p>")
    results = filter_results_for(alice, status, "home")
    assert [result["keyword_matches"] for result in results] == [["cat"]]
    assert results[0]["status_matches"] is None
    assert is_hidden(results)
    assert filter_results_for(alice, status, "public") == []
    own = StatusFactory.create(account=alice, text="my cat")
    assert filter_results_for(alice, own, "home") == []
    the_filter.expires_at = timezone.now() - timedelta(seconds=1)
    the_filter.save()
    assert filter_results_for(alice, status, "home") == []


def test_status_filters_and_boosts_match_their_original(alice: Actor, bob: Actor) -> None:
    the_filter = Filter.objects.create(account=alice, title="That one", context=["home"])
    original = StatusFactory.create(account=bob, text="nothing special")
    FilterStatus.objects.create(filter=the_filter, status=original)
    boost = StatusFactory.create(account=bob, reblog_of=original, text="")
    results = filter_results_for(alice, boost, "home")
    assert results[0]["status_matches"] == [str(original.pk)]
    assert not is_hidden(results)


def test_spoiler_text_is_searched(alice: Actor, bob: Actor) -> None:
    the_filter = Filter.objects.create(account=alice, title="Spoilers", context=["public"])
    FilterKeyword.objects.create(filter=the_filter, keyword="finale")
    status = StatusFactory.create(account=bob, text="it was great", spoiler_text="Finale")
    assert len(filter_results_for(alice, status, "public")) == 1

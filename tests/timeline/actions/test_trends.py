"""Trend scores come from distinct accounts' use of hashtags and interactions with statuses; moderators decide."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from federation.models import Actor
from tests.factories.federation import LocalActorFactory
from tests.factories.moderation import restrict_account
from tests.factories.timeline import BlockFactory, FavouriteFactory, StatusFactory
from timeline.actions.trends import (
    MIN_TAG_ACCOUNTS,
    TrendReviewDraft,
    do_refresh_trends,
    do_review_trend,
    status_score,
    tag_score,
)
from timeline.entities.tags import trends_link_entities
from timeline.models import LinkTrend, PreviewCard, Review, Status, StatusTrend, Tag, TagTrend, Visibility
from timeline.selectors import pending_link_trends, pending_trends, trending_links, trending_statuses, trending_tags


def test_a_tag_scores_only_when_more_accounts_use_it_than_on_a_usual_day() -> None:
    assert tag_score(MIN_TAG_ACCOUNTS - 1, 0) == 0
    assert tag_score(3, 3) == 0
    assert tag_score(3, 0) == pytest.approx(4.0)
    assert tag_score(6, 2) > tag_score(4, 2) > 0


def test_a_status_score_halves_with_age_and_ends_after_its_window() -> None:
    fresh = status_score(4, timedelta(0))
    assert fresh == pytest.approx(4.0)
    assert status_score(4, timedelta(hours=6)) == pytest.approx(2.0)
    assert status_score(1, timedelta(0)) == 0
    assert status_score(4, timedelta(hours=49)) == 0


def reviewed(*, allow: bool) -> TrendReviewDraft:
    """Return a moderator's decision, as the moderation app checks it."""
    return TrendReviewDraft(reviewer=LocalActorFactory.create(), review=Review.ALLOWED if allow else Review.REJECTED)


def _tagged(account: Actor, tag: Tag, **fields: object) -> Status:
    status = StatusFactory.create(account=account, **fields)
    status.tags.add(tag)
    return status


@pytest.mark.django_db
def test_a_rising_tag_waits_for_review_and_trends_once_allowed() -> None:
    tag = Tag.objects.create(name="harvest")
    users = [LocalActorFactory.create() for _ in range(3)]
    for user in users:
        _tagged(user, tag)
    # A private status and a boost do not count as uses.
    _tagged(LocalActorFactory.create(), tag, visibility=Visibility.PRIVATE)
    figures = do_refresh_trends()
    assert figures.tags == 1
    trend = TagTrend.objects.get(tag=tag)
    assert (trend.accounts, trend.uses, trend.review) == (3, 3, Review.PENDING)
    assert list(trending_tags()) == []
    assert [item.pk for item in pending_trends()[0]] == [trend.pk]
    do_review_trend(trend, reviewed(allow=True))
    assert [item.tag.name for item in trending_tags()] == ["harvest"]
    # The review holds when the figures are computed again.
    do_refresh_trends()
    assert TagTrend.objects.get(tag=tag).review == Review.ALLOWED


@pytest.mark.django_db
def test_a_tag_used_as_much_as_every_day_does_not_trend() -> None:
    tag = Tag.objects.create(name="daily")
    users = [LocalActorFactory.create() for _ in range(2)]
    now = timezone.now()
    for days_ago in range(7):
        for user in users:
            _tagged(user, tag, created_at=now - timedelta(days=days_ago, minutes=5))
    assert do_refresh_trends(now).tags == 0
    assert not TagTrend.objects.filter(score__gt=0).exists()


@pytest.mark.django_db
def test_a_rejected_tag_never_trends_and_a_faded_one_scores_zero() -> None:
    tag = Tag.objects.create(name="spam")
    for _ in range(3):
        _tagged(LocalActorFactory.create(), tag)
    do_refresh_trends()
    trend = TagTrend.objects.get(tag=tag)
    do_review_trend(trend, reviewed(allow=False))
    assert list(trending_tags()) == []
    assert list(pending_trends()[0]) == []
    do_refresh_trends(timezone.now() + timedelta(days=2))
    assert TagTrend.objects.get(tag=tag).score == 0


@pytest.mark.django_db
def test_statuses_trend_by_distinct_interactions_from_others(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    carol = LocalActorFactory.create()
    FavouriteFactory.create(account=bob, status=status)
    FavouriteFactory.create(account=carol, status=status)
    StatusFactory.create(account=bob, reblog_of=status)
    # The author's own favourite does not count.
    FavouriteFactory.create(account=alice, status=status)
    lonely = StatusFactory.create(account=alice)
    FavouriteFactory.create(account=bob, status=lonely)
    assert do_refresh_trends().statuses == 1
    trend = StatusTrend.objects.get()
    assert (trend.status_id, trend.interactions, trend.review) == (status.pk, 2, Review.PENDING)
    assert list(trending_statuses(None)) == []
    do_review_trend(trend, reviewed(allow=True))
    assert [item.status_id for item in trending_statuses(None)] == [status.pk]
    # A viewer who blocks the author does not see it among trends.
    BlockFactory.create(account=carol, target=alice)
    assert list(trending_statuses(carol)) == []


@pytest.mark.django_db
def test_restricted_accounts_neither_push_tags_nor_trend(alice: Actor, bob: Actor) -> None:
    tag = Tag.objects.create(name="quiet")
    restrict_account(alice, "limit")
    _tagged(alice, tag)
    _tagged(bob, tag)
    status = StatusFactory.create(account=alice)
    for _ in range(3):
        FavouriteFactory.create(account=LocalActorFactory.create(), status=status)
    figures = do_refresh_trends()
    assert (figures.tags, figures.statuses) == (0, 0)


def _card(url: str = "https://news.example/story") -> PreviewCard:
    return PreviewCard.objects.create(url=url, title="A story", fetched_at=timezone.now())


@pytest.mark.django_db
def test_a_link_shared_by_more_accounts_than_usual_waits_for_review_then_trends_with_its_history() -> None:
    card = _card()
    for _ in range(3):
        StatusFactory.create(account=LocalActorFactory.create(), preview_card=card)
    # A private share and a boost do not count.
    StatusFactory.create(account=LocalActorFactory.create(), preview_card=card, visibility=Visibility.PRIVATE)
    figures = do_refresh_trends()
    assert figures.links == 1
    trend = LinkTrend.objects.get(card=card)
    assert (trend.accounts, trend.uses, trend.review) == (3, 3, Review.PENDING)
    assert list(trending_links()) == []
    assert [item.pk for item in pending_link_trends()] == [trend.pk]
    do_review_trend(trend, reviewed(allow=True))
    assert [item.card.url for item in trending_links()] == [card.url]
    (entity,) = trends_link_entities([card])
    assert entity["url"] == card.url and entity["title"] == "A story"
    assert len(entity["history"]) == 7
    assert (entity["history"][0]["accounts"], entity["history"][0]["uses"]) == ("3", "3")
    do_refresh_trends()
    assert LinkTrend.objects.get(card=card).review == Review.ALLOWED


@pytest.mark.django_db
def test_a_rejected_link_never_trends_and_restricted_accounts_do_not_push_links() -> None:
    card = _card()
    sharers = [LocalActorFactory.create() for _ in range(3)]
    for sharer in sharers:
        StatusFactory.create(account=sharer, preview_card=card)
    for sharer in sharers[:2]:
        restrict_account(sharer, "limit")
    assert do_refresh_trends().links == 0
    spam = _card("https://spam.example/buy")
    for _ in range(3):
        StatusFactory.create(account=LocalActorFactory.create(), preview_card=spam)
    do_refresh_trends()
    do_review_trend(LinkTrend.objects.get(card=spam), reviewed(allow=False))
    assert list(trending_links()) == []
    assert list(pending_link_trends()) == []

"""Moderators allow or reject what would trend on the trend review page; nobody else reaches it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tests.clients import signed_in
from tests.factories.federation import LocalActorFactory
from tests.factories.governance import make_moderator
from tests.factories.members import make_member
from tests.factories.timeline import FavouriteFactory, StatusFactory
from timeline.actions.trends import do_refresh_trends
from timeline.models import LinkTrend, PreviewCard, Review, StatusTrend, Tag, TagTrend

pytestmark = pytest.mark.django_db


def _rising_tag_and_status() -> tuple[TagTrend, StatusTrend]:
    tag = Tag.objects.create(name="harvest")
    for _ in range(3):
        StatusFactory.create(account=LocalActorFactory.create()).tags.add(tag)
    status = StatusFactory.create(text="The barley is in")
    for _ in range(2):
        FavouriteFactory.create(account=LocalActorFactory.create(), status=status)
    do_refresh_trends()
    return TagTrend.objects.get(), StatusTrend.objects.get()


def test_a_moderator_allows_a_hashtag_and_rejects_a_status() -> None:
    tag_trend, status_trend = _rising_tag_and_status()
    user = make_moderator()
    LocalActorFactory.create(user=user)
    moderator = signed_in(user)
    page = moderator.get("/governance/moderation/trends").content.decode()
    assert "#harvest" in page
    assert "The barley is in" in page
    moderator.post("/governance/moderation/trends", {"kind": "tag", "trend": tag_trend.pk, "do": "allow"})
    moderator.post("/governance/moderation/trends", {"kind": "status", "trend": status_trend.pk, "do": "reject"})
    tag_trend.refresh_from_db()
    status_trend.refresh_from_db()
    assert (tag_trend.review, status_trend.review) == (Review.ALLOWED, Review.REJECTED)
    assert tag_trend.reviewed_by is not None


def test_a_member_who_does_not_moderate_cannot_review_and_changes_nothing() -> None:
    tag_trend, _ = _rising_tag_and_status()
    user = make_member()
    LocalActorFactory.create(user=user)
    member = signed_in(user)
    assert member.get("/governance/moderation/trends").status_code == 404
    response = member.post("/governance/moderation/trends", {"kind": "tag", "trend": tag_trend.pk, "do": "allow"})
    assert response.status_code == 404
    tag_trend.refresh_from_db()
    assert tag_trend.review == Review.PENDING


def _rising_link() -> LinkTrend:
    card = PreviewCard.objects.create(
        url="https://news.example/story", title="Harvest report", fetched_at=timezone.now()
    )
    for _ in range(3):
        StatusFactory.create(account=LocalActorFactory.create(), preview_card=card)
    do_refresh_trends()
    return LinkTrend.objects.get()


def test_a_moderator_allows_a_link_and_apps_then_see_it_trend() -> None:
    trend = _rising_link()
    assert Client().get("/api/v1/trends/links").json() == []
    user = make_moderator()
    LocalActorFactory.create(user=user)
    moderator = signed_in(user)
    assert "Harvest report" in moderator.get("/governance/moderation/trends").content.decode()
    moderator.post("/governance/moderation/trends", {"kind": "link", "trend": trend.pk, "do": "allow"})
    trend.refresh_from_db()
    assert trend.review == Review.ALLOWED
    (link,) = Client().get("/api/v1/trends/links").json()
    assert (link["url"], link["title"], link["history"][0]["accounts"]) == (
        "https://news.example/story",
        "Harvest report",
        "3",
    )


@pytest.mark.parametrize("trend_id", ["999999", "not-a-number"])
def test_reviewing_an_unknown_link_is_refused_and_changes_nothing(trend_id: str) -> None:
    trend = _rising_link()
    user = make_moderator()
    LocalActorFactory.create(user=user)
    page = signed_in(user).post("/governance/moderation/trends", {"kind": "link", "trend": trend_id, "do": "allow"})
    assert page.status_code == 404
    trend.refresh_from_db()
    assert trend.review == Review.PENDING

"""Trends: hashtags, links and statuses rising in use here, shown only once a moderator allows them.

Figures are recomputed periodically (`timeline.tasks.refresh_trends`) from
what this server holds. A hashtag trends when more distinct accounts used
it in the last 24 hours than on an average day of the six before, and a
link (a page's preview card) when more distinct accounts shared it; a status
trends by the distinct accounts that boosted or favourited it, a score
halving every few hours of its age. As in Mastodon's trend review, nothing
is listed before a moderator allows it, and a rejected hashtag or status
never trends; a hashtag's review holds for later trends too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import TruncDate
from django.utils import timezone

from federation.models import Actor
from timeline.models import Favourite, LinkTrend, Review, Status, StatusTrend, TagTrend, Visibility
from timeline.restrictions import restricted_account_ids

DAY = timedelta(days=1)
# Days before the last 24 hours that give a hashtag's usual daily use.
BASELINE_DAYS = 6
# Fewest distinct accounts using a hashtag in a day for it to trend.
MIN_TAG_ACCOUNTS = 2
# Fewest distinct accounts boosting or favouriting a status for it to trend.
MIN_STATUS_INTERACTIONS = 2
# Statuses older than this no longer trend.
STATUS_WINDOW = timedelta(hours=48)
# A status's score halves with every this many hours of its age.
STATUS_HALF_LIFE_HOURS = 6.0


@dataclass(frozen=True)
class TrendFigures:
    """How many hashtags, statuses and links have a score after a refresh."""

    tags: int
    statuses: int
    links: int = 0


def tag_score(observed: int, expected: float) -> float:
    """Return how far a day's distinct accounts exceed the usual day's (0 below the threshold or usual).

    The squared excess over the expectation, divided by it, as Mastodon
    scores a hashtag: rising use counts, steady use does not.
    """
    expected = max(expected, 1.0)
    if observed < MIN_TAG_ACCOUNTS or observed <= expected:
        return 0.0
    return float((observed - expected) ** 2 / expected)


def status_score(interactions: int, age: timedelta) -> float:
    """Return a status's score: its distinct boosters and favouriters, halving every few hours of age."""
    if interactions < MIN_STATUS_INTERACTIONS or age > STATUS_WINDOW:
        return 0.0
    hours = max(age.total_seconds(), 0.0) / 3600
    decay: float = 0.5 ** (hours / STATUS_HALF_LIFE_HOURS)
    return interactions * decay


def _tag_scores(now: datetime) -> dict[int, tuple[float, int, int]]:
    """Return, per hashtag used in the last 24 hours, its score, distinct accounts and uses that day.

    Counted in the database: the last 24 hours per hashtag, then the six
    days before per hashtag and calendar day (UTC), for those hashtags only.
    """
    uses = Status.tags.through.objects.filter(
        status__visibility=Visibility.PUBLIC, status__reblog_of__isnull=True
    ).exclude(status__account_id__in=restricted_account_ids())
    today = (
        uses.filter(status__created_at__gt=now - DAY, status__created_at__lte=now)
        .values("tag_id")
        .annotate(accounts=Count("status__account_id", distinct=True), uses=Count("status_id"))
    )
    observed = {row["tag_id"]: (row["accounts"], row["uses"]) for row in today}
    if not observed:
        return {}
    before = (
        uses.filter(
            tag_id__in=list(observed),
            status__created_at__gt=now - DAY * (BASELINE_DAYS + 1),
            status__created_at__lte=now - DAY,
        )
        .values("tag_id", day=TruncDate("status__created_at", tzinfo=UTC))
        .annotate(accounts=Count("status__account_id", distinct=True))
    )
    usual: defaultdict[int, int] = defaultdict(int)
    for row in before:
        usual[row["tag_id"]] += row["accounts"]
    return {
        tag_id: (tag_score(accounts, usual[tag_id] / BASELINE_DAYS), accounts, used)
        for tag_id, (accounts, used) in observed.items()
    }


def _link_scores(now: datetime) -> dict[int, tuple[float, int, int]]:
    """Return, per link shared in the last 24 hours, its score, distinct accounts and statuses that day.

    Scored as a hashtag is: public, original statuses of accounts moderation
    does not restrict, against the usual day of the six before.
    """
    shares = Status.objects.filter(
        visibility=Visibility.PUBLIC, reblog_of__isnull=True, preview_card__isnull=False
    ).exclude(account_id__in=restricted_account_ids())
    today = (
        shares.filter(created_at__gt=now - DAY, created_at__lte=now)
        .values("preview_card_id")
        .annotate(accounts=Count("account_id", distinct=True), uses=Count("id"))
    )
    observed = {row["preview_card_id"]: (row["accounts"], row["uses"]) for row in today}
    if not observed:
        return {}
    before = (
        shares.filter(
            preview_card_id__in=list(observed),
            created_at__gt=now - DAY * (BASELINE_DAYS + 1),
            created_at__lte=now - DAY,
        )
        .values("preview_card_id", day=TruncDate("created_at", tzinfo=UTC))
        .annotate(accounts=Count("account_id", distinct=True))
    )
    usual: defaultdict[int, int] = defaultdict(int)
    for row in before:
        usual[row["preview_card_id"]] += row["accounts"]
    return {
        card_id: (tag_score(accounts, usual[card_id] / BASELINE_DAYS), accounts, used)
        for card_id, (accounts, used) in observed.items()
    }


def _status_scores(now: datetime) -> dict[int, tuple[float, int]]:
    """Return, per recent public status others boosted or favourited, its score and distinct interactions."""
    eligible = (
        Status.objects.filter(
            created_at__gte=now - STATUS_WINDOW,
            visibility=Visibility.PUBLIC,
            reblog_of__isnull=True,
            in_reply_to__isnull=True,
            sensitive=False,
            spoiler_text="",
            account__discoverable=True,
        )
        .exclude(account_id__in=restricted_account_ids())
        .values("pk")
    )
    interacting: defaultdict[int, set[int]] = defaultdict(set)
    boosts = Status.objects.filter(reblog_of_id__in=eligible).exclude(account_id=F("reblog_of__account_id"))
    for status_id, account_id in boosts.values_list("reblog_of_id", "account_id"):
        interacting[status_id].add(account_id)
    likes = Favourite.objects.filter(status_id__in=eligible).exclude(account_id=F("status__account_id"))
    for status_id, account_id in likes.values_list("status_id", "account_id"):
        interacting[status_id].add(account_id)
    created = dict(Status.objects.filter(pk__in=list(interacting)).values_list("pk", "created_at"))
    return {
        status_id: (status_score(len(accounts), now - created[status_id]), len(accounts))
        for status_id, accounts in interacting.items()
    }


def do_refresh_trends(now: datetime | None = None) -> TrendFigures:
    """Recompute the scores of hashtags and statuses; reviews are kept, figures of the faded set to zero.

    Idempotent: a second run at the same moment writes the same figures.
    """
    now = now or timezone.now()
    tag_scores = {tag_id: figures for tag_id, figures in _tag_scores(now).items() if figures[0] > 0}
    status_scores = {status_id: figures for status_id, figures in _status_scores(now).items() if figures[0] > 0}
    link_scores = {card_id: figures for card_id, figures in _link_scores(now).items() if figures[0] > 0}
    with transaction.atomic():
        LinkTrend.objects.exclude(card_id__in=link_scores).exclude(score=0).update(score=0, computed_at=now)
        for card_id, (score, accounts, uses) in link_scores.items():
            LinkTrend.objects.update_or_create(
                card_id=card_id, defaults={"score": score, "accounts": accounts, "uses": uses, "computed_at": now}
            )
        TagTrend.objects.exclude(tag_id__in=tag_scores).exclude(score=0).update(score=0, computed_at=now)
        # Only the figures are written: a moderator's review made meanwhile stays.
        for tag_id, (score, accounts, uses) in tag_scores.items():
            TagTrend.objects.update_or_create(
                tag_id=tag_id, defaults={"score": score, "accounts": accounts, "uses": uses, "computed_at": now}
            )
        # A status past its window cannot trend again; its row (and its review) is no longer needed.
        StatusTrend.objects.filter(status__created_at__lt=now - STATUS_WINDOW).delete()
        StatusTrend.objects.exclude(status_id__in=status_scores).exclude(score=0).update(score=0, computed_at=now)
        for status_id, (score, interactions) in status_scores.items():
            StatusTrend.objects.update_or_create(
                status_id=status_id, defaults={"score": score, "interactions": interactions, "computed_at": now}
            )
    return TrendFigures(tags=len(tag_scores), statuses=len(status_scores), links=len(link_scores))


@dataclass(frozen=True)
class TrendReviewDraft:
    """A moderator's decision on a hashtag's or a status's trend, checked by the moderation app."""

    reviewer: Actor
    review: Review


TrendT = TypeVar("TrendT", TagTrend, StatusTrend, LinkTrend)


def do_review_trend(trend: TrendT, draft: TrendReviewDraft) -> TrendT:
    """Allow or reject a hashtag's, link's or status's trending (`governance.actions.trends` checks the reviewer).

    A hashtag's or link's review holds for its later rises too.
    """
    trend.review, trend.reviewed_by, trend.reviewed_at = draft.review, draft.reviewer, timezone.now()
    trend.save(update_fields=["review", "reviewed_by", "reviewed_at"])
    return trend

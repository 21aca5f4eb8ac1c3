"""Discovery: followed and featured hashtags, endorsed accounts, dismissed suggestions and trends."""

from __future__ import annotations

from django.db import models


class TagFollow(models.Model):
    """A member following a hashtag: public statuses carrying it reach the member's home timeline."""

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="tag_follows")
    tag = models.ForeignKey("timeline.Tag", on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "tag"], name="tag_follow_once")]

    def __str__(self) -> str:
        return f"{self.account_id} follows tag {self.tag_id}"


class FeaturedTag(models.Model):
    """A hashtag a member features on their profile."""

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="featured_tags")
    tag = models.ForeignKey("timeline.Tag", on_delete=models.CASCADE, related_name="featured_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "tag"], name="featured_tag_once")]

    def __str__(self) -> str:
        return f"{self.account_id} features tag {self.tag_id}"


class Endorsement(models.Model):
    """An account a member features on their profile (Mastodon's account pin); only followed accounts."""

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="endorsements")
    target = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="endorsed_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="endorse_once"),
            models.CheckConstraint(condition=~models.Q(account=models.F("target")), name="endorse_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} endorses {self.target_id}"


class SuggestionDismissal(models.Model):
    """An account a member asked never to be suggested again."""

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="dismissed_suggestions")
    target = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "target"], name="dismiss_suggestion_once")]

    def __str__(self) -> str:
        return f"{self.account_id} dismissed {self.target_id}"


class Review(models.TextChoices):
    """A moderator's decision on whether something may trend; nothing trends while pending."""

    PENDING = "pending"
    ALLOWED = "allowed"
    REJECTED = "rejected"


class ReviewedTrend(models.Model):
    """What every trend keeps: its score, when it was computed, and the moderators' review.

    The review outlives the figures: one allowed once trends again without a
    second review, as Mastodon's `trendable` flags do.
    """

    score = models.FloatField(default=0.0)
    review = models.CharField(max_length=10, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(
        "federation.Actor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class TagTrend(ReviewedTrend):
    """A hashtag's trend figures: distinct accounts and posts using it today."""

    tag = models.OneToOneField("timeline.Tag", on_delete=models.CASCADE, related_name="trend")
    accounts = models.PositiveIntegerField(default=0)
    uses = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["review", "-score"], name="tag_trend_rank")]

    def __str__(self) -> str:
        return f"trend of tag {self.tag_id} ({self.review})"


class StatusTrend(ReviewedTrend):
    """A status's trend figures: boosts and favourites, decaying with age."""

    status = models.OneToOneField("timeline.Status", on_delete=models.CASCADE, related_name="trend")
    interactions = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["review", "-score"], name="status_trend_rank")]

    def __str__(self) -> str:
        return f"trend of status {self.status_id} ({self.review})"


class LinkTrend(ReviewedTrend):
    """A link's trend figures: distinct accounts and posts sharing it today.

    A link is its preview card: the statuses that share the page share the card.
    """

    card = models.OneToOneField("timeline.PreviewCard", on_delete=models.CASCADE, related_name="trend")
    accounts = models.PositiveIntegerField(default=0)
    uses = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["review", "-score"], name="link_trend_rank")]

    def __str__(self) -> str:
        return f"trend of link {self.card_id} ({self.review})"

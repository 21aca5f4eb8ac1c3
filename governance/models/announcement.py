"""The co-op's announcements: notices its officers or its assembly publish to every member's app."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Announcement(models.Model):
    """A notice shown above members' timelines (Mastodon's announcements).

    Written by a moderator or administrator, or published when a proposal
    closes (`proposal` names it). `text` is what was written, `content` its
    HTML. An announcement with `ends_at` in the past is no longer shown.
    """

    text = models.TextField()
    content = models.TextField()
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    all_day = models.BooleanField(default=False)
    published_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposal = models.ForeignKey(
        "governance.Proposal", null=True, blank=True, on_delete=models.SET_NULL, related_name="announcements"
    )

    class Meta:
        ordering = ["published_at", "id"]

    def __str__(self) -> str:
        return f"Announcement {self.pk}"


class AnnouncementDismissal(models.Model):
    """An account that marked an announcement read."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="dismissals")
    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "account"], name="announcement_dismissed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} read {self.announcement_id}"


class AnnouncementReaction(models.Model):
    """An account's reaction to an announcement: a Unicode emoji, or a local custom emoji's shortcode."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reactions")
    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=64)
    custom_emoji = models.ForeignKey(
        "timeline.CustomEmoji", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "account", "name"], name="announcement_reaction_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.announcement_id}"

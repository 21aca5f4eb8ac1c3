"""Favourites and blocks between actors and statuses."""

from __future__ import annotations

from django.db import models


class Favourite(models.Model):
    """An actor's like of a status."""

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="favourites")
    status = models.ForeignKey("timeline.Status", on_delete=models.CASCADE, related_name="favourites")
    uri = models.URLField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "status"], name="favourite_once")]

    def __str__(self) -> str:
        return f"{self.account_id} likes {self.status_id}"


class Block(models.Model):
    """An actor blocking another: no follows either way, no statuses or notifications from the target."""

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="blocks")
    target = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="blocked_by")
    uri = models.URLField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="block_once"),
            models.CheckConstraint(condition=~models.Q(account=models.F("target")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} blocks {self.target_id}"


class Bookmark(models.Model):
    """A status an actor saved for later; private to that actor."""

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="bookmarks")
    status = models.ForeignKey("timeline.Status", on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "status"], name="bookmark_once")]
        indexes = [models.Index(fields=["account", "-id"], name="bookmark_recent")]

    def __str__(self) -> str:
        return f"{self.account_id} bookmarked {self.status_id}"


class Mute(models.Model):
    """An actor hiding another's statuses (and optionally notifications) without telling them."""

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="mutes")
    target = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="muted_by")
    hide_notifications = models.BooleanField(default=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="mute_once"),
            models.CheckConstraint(condition=~models.Q(account=models.F("target")), name="mute_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} mutes {self.target_id}"


class AccountDomainBlock(models.Model):
    """A member hiding a whole remote domain from themselves (not a server-wide policy)."""

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="domain_blocks")
    domain = models.CharField(max_length=253)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "domain"], name="account_domain_block_once")]

    def __str__(self) -> str:
        return f"{self.account_id} hides {self.domain}"


class ConversationMute(models.Model):
    """An actor silencing notifications from one thread, named by its root status."""

    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="conversation_mutes")
    root = models.ForeignKey("timeline.Status", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "root"], name="conversation_mute_once")]

    def __str__(self) -> str:
        return f"{self.account_id} muted thread {self.root_id}"

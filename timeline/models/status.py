"""Statuses (posts) and the accounts they mention."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from timeline.ids import snowflake_id


class Visibility(models.TextChoices):
    """Who may see a status; decided from its addressing when it comes from elsewhere."""

    PUBLIC = "public", _("Public")
    UNLISTED = "unlisted", _("Unlisted")
    PRIVATE = "private", _("Followers only")
    DIRECT = "direct", _("Mentioned people only")
    # Never federated: shown to this server's signed-in accounts only, as
    # Mastodon forks (Hometown, glitch-soc) show "local-only" posts.
    LOCAL = "local", _("Members of this server only")
    # Received only: a remote post addressed to neither the public, nor the
    # author's followers collection, nor only the accounts it tags, yet
    # given to accounts here (those named in its to/cc, or the owner of the
    # personal inbox it came through). Readable by the author and the
    # mentioned accounts, as a direct message is; shown to clients as
    # "private", as Mastodon does.
    LIMITED = "limited", _("Limited")


# What a local post may be; limited is only ever read from a remote post's addressing.
POSTING_VISIBILITIES: tuple[str, ...] = tuple(value for value in Visibility.values if value != Visibility.LIMITED)


class Status(models.Model):
    """A post by a local or remote actor.

    Ids are time-ordered so that timelines page by id. `fanned_out_at` stays
    empty until the post has been placed in its audience's home timelines:
    until then the fan-out is unfinished work that recovery will redo.
    """

    id = models.BigIntegerField(primary_key=True, default=snowflake_id, editable=False)
    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="statuses")
    uri = models.URLField(max_length=500, unique=True)
    url = models.URLField(max_length=500, blank=True, default="")
    text = models.TextField(blank=True, default="")
    content = models.TextField(blank=True, default="")
    spoiler_text = models.CharField(max_length=500, blank=True, default="")
    sensitive = models.BooleanField(default=False)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    language = models.CharField(max_length=16, blank=True, default="")
    in_reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    reblog_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="reblogs")
    tags = models.ManyToManyField("timeline.Tag", blank=True, related_name="statuses")
    pinned_at = models.DateTimeField(null=True, blank=True)
    local = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    # The preview of the status's first link, once fetched (shared with other statuses linking it).
    preview_card = models.ForeignKey(
        "timeline.PreviewCard", null=True, blank=True, on_delete=models.SET_NULL, related_name="statuses"
    )

    class Meta:
        verbose_name_plural = "statuses"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "reblog_of"], name="reblog_once", condition=models.Q(reblog_of__isnull=False)
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-id"], name="status_account_recent"),
            models.Index(
                fields=["created_at"],
                name="status_fan_out_pending",
                condition=models.Q(fanned_out_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.uri


class Mention(models.Model):
    """An account a status mentions; direct and limited statuses are visible to these only.

    A silent mention names an account the status was given to without
    tagging it (addressed in to/cc, or the owner of the personal inbox it
    arrived at): it grants access and a place in the home timeline of a
    follower, but no notification, and clients never see it in `mentions`.
    """

    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="mentions")
    account = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="mentioned_in")
    silent = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["status", "account"], name="mention_once_per_status"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} in {self.status_id}"


class Tag(models.Model):
    """A hashtag, stored lower-case."""

    name = models.CharField(max_length=100, unique=True)

    def __str__(self) -> str:
        return f"#{self.name}"

"""Actors: every account, on this server or another (the client API's Account)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class Actor(models.Model):
    """An ActivityPub actor. Local actors belong to a user and hold a private key.

    `domain` is empty for local actors. Remote actors are cached copies of
    documents fetched from their servers.
    """

    class Kind(models.TextChoices):
        PERSON = "Person"
        APPLICATION = "Application"
        SERVICE = "Service"
        GROUP = "Group"
        ORGANIZATION = "Organization"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actor",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    username = models.CharField(max_length=100)
    domain = models.CharField(max_length=255, blank=True, default="")
    display_name = models.CharField(max_length=100, blank=True, default="")
    summary = models.TextField(blank=True, default="")
    uri = models.URLField(max_length=500, unique=True)
    url = models.URLField(max_length=500, blank=True, default="")
    inbox_uri = models.URLField(max_length=500, blank=True, default="")
    outbox_uri = models.URLField(max_length=500, blank=True, default="")
    shared_inbox_uri = models.URLField(max_length=500, blank=True, default="")
    followers_uri = models.URLField(max_length=500, blank=True, default="")
    following_uri = models.URLField(max_length=500, blank=True, default="")
    featured_uri = models.URLField(max_length=500, blank=True, default="")
    public_key_pem = models.TextField(blank=True, default="")
    # Remote servers name keys differently (Mastodon `actor#main-key`, GoToSocial `actor/main-key`).
    public_key_uri = models.URLField(max_length=500, blank=True, default="", db_index=True)
    private_key_pem = models.TextField(blank=True, default="")
    locked = models.BooleanField(default=False)
    bot = models.BooleanField(default=False)
    discoverable = models.BooleanField(default=True)
    also_known_as = models.JSONField(default=list, blank=True)
    fields = models.JSONField(default=list, blank=True)
    avatar_remote_url = models.URLField(max_length=500, blank=True, default="")
    header_remote_url = models.URLField(max_length=500, blank=True, default="")
    moved_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # When this account last moved away; Mastodon refuses another move for 30 days.
    moved_at = models.DateTimeField(null=True, blank=True)
    # Local members' uploaded images, or copies of remote actors' images, under names the server chooses.
    avatar = models.FileField(upload_to="avatars/", blank=True, max_length=300)
    header = models.FileField(upload_to="headers/", blank=True, max_length=300)
    # For remote actors, `avatar` and `header` are copies of the remote images made here; this is when.
    images_cached_at = models.DateTimeField(null=True, blank=True)
    # Set when the account is erased: the row stays so the username stays
    # reserved and its URLs can answer 410 Gone.
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), "domain", name="actor_unique_handle"),
        ]

    def __str__(self) -> str:
        return self.acct

    @property
    def is_local(self) -> bool:
        """Return True for actors hosted on this server."""
        return self.domain == ""

    @property
    def acct(self) -> str:
        """Return the handle as the client API shows it: user, or user@domain if remote."""
        return self.username if self.is_local else f"{self.username}@{self.domain}"

    @property
    def key_id(self) -> str:
        """Return the id of the actor's public key."""
        return f"{self.uri}#main-key"

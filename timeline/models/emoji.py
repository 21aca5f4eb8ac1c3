"""Custom emoji: the co-op's own, and those of other servers, each named by a shortcode."""

from __future__ import annotations

from django.db import models


class CustomEmoji(models.Model):
    """A picture shown in place of `:shortcode:` in statuses, names, bios and poll options.

    A local emoji (`domain` empty) is added by the co-op; a remote one is
    read from the `tag` array of a note or actor document of its server
    and keyed by (shortcode, domain), as Mastodon keys it. A remote
    emoji's image is fetched in the background and served from this
    server, so members' clients never contact the remote host; until then
    `image` is empty and the emoji is not shown.
    """

    shortcode = models.CharField(max_length=64)
    domain = models.CharField(max_length=255, null=True, blank=True)
    image = models.FileField(upload_to="emoji/", blank=True, max_length=300)
    # The first frame of an animated image (the image itself when still), for clients that animate on hover.
    static_image = models.FileField(upload_to="emoji/static/", blank=True, max_length=300)
    content_type = models.CharField(max_length=100, blank=True, default="")
    uri = models.URLField(max_length=500, blank=True, default="")
    image_remote_url = models.URLField(max_length=2000, blank=True, default="")
    visible_in_picker = models.BooleanField(default=True)
    category = models.CharField(max_length=64, blank=True, default="")
    disabled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shortcode", "domain"], name="emoji_shortcode_per_domain"),
            # NULLs are distinct in a unique constraint: local shortcodes need one of their own.
            models.UniqueConstraint(
                fields=["shortcode"], condition=models.Q(domain__isnull=True), name="emoji_local_shortcode"
            ),
        ]

    def __str__(self) -> str:
        return f":{self.shortcode}:" + (f"@{self.domain}" if self.domain else "")

    @property
    def is_local(self) -> bool:
        """Return whether the co-op added this emoji (rather than another server)."""
        return self.domain is None

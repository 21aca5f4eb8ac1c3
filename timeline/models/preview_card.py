"""Link previews: what a status's first link shows, fetched once and shared by every status linking it."""

from __future__ import annotations

from django.db import models


class PreviewCard(models.Model):
    """The Mastodon `card` of a web page: its OpenGraph, Twitter and oEmbed description and a preview image.

    One row per URL, shared by every status that links it, and fetched again
    only once it is older than a day. `image` is a copy processed and stored
    here (members' clients never load it from the page's host);
    `image_remote_url` is where it came from. `html` holds an oEmbed
    player only for the providers this server trusts, otherwise it is empty.
    """

    class Type(models.TextChoices):
        LINK = "link"
        PHOTO = "photo"
        VIDEO = "video"
        RICH = "rich"

    url = models.URLField(max_length=2000, unique=True)
    title = models.CharField(max_length=300, blank=True, default="")
    description = models.TextField(blank=True, default="")
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.LINK)
    author_name = models.CharField(max_length=200, blank=True, default="")
    author_url = models.URLField(max_length=2000, blank=True, default="")
    provider_name = models.CharField(max_length=200, blank=True, default="")
    provider_url = models.URLField(max_length=2000, blank=True, default="")
    html = models.TextField(blank=True, default="")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    image = models.FileField(upload_to="cards/", blank=True, max_length=300)
    image_remote_url = models.URLField(max_length=2000, blank=True, default="")
    blurhash = models.CharField(max_length=100, blank=True, default="")
    embed_url = models.URLField(max_length=2000, blank=True, default="")
    language = models.CharField(max_length=16, blank=True, default="")
    published_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.url

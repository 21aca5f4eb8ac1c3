"""The person who signs in: credentials and contact, nothing social."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person with a login on this server.

    Their public identity is the federation actor linked to them; their
    standing in the co-op comes from the share register. The posting
    defaults are what apps read from `/api/v1/preferences` and `source`;
    the interface language is the web app's own, one of `settings.LANGUAGES`,
    and the time zone the one its pages show and read times in.
    """

    default_visibility = models.CharField(max_length=10, default="public")
    default_sensitive = models.BooleanField(default=False)
    default_language = models.CharField(max_length=16, blank=True, default="")
    # The language of the web app's pages for this member; blank follows the browser.
    interface_language = models.CharField(max_length=16, blank=True, default="")
    # An IANA time zone name (Europe/Paris) for the web app's times; blank is UTC, or the device's zone where known.
    time_zone = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        db_table = "members_user"

"""The person who signs in: credentials and contact, nothing social."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person with a login on this server.

    Their public identity is the federation actor linked to them; their
    standing in the co-op comes from the share register.
    """

    class Meta:
        db_table = "members_user"

"""What a client app registered at POST /api/v1/apps beyond django-oauth-toolkit's Application."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AppRegistration(models.Model):
    """The scopes a client app registered, which bound every token issued to it, and its website.

    DOT's Application has no place for them, and swapping its model for one
    that has would mean migrating DOT's own tables; this row sits beside it.
    An Application without one (the operator's, whose tokens are minted
    directly) can be issued no token through OAuth at all.
    """

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="registration",
    )
    # Space-separated, as OAuth writes scopes and as DOT stores a token's.
    scopes = models.CharField(max_length=1000)
    website = models.CharField(max_length=2000, blank=True, default="")

    def __str__(self) -> str:
        return f"registration of app {self.application_id}: {self.scopes}"

    @property
    def scope_list(self) -> list[str]:
        """Return the registered scopes in the order they were given."""
        return self.scopes.split()

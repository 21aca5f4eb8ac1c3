"""Factories for OAuth applications and tokens (django-oauth-toolkit's models)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import factory
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from members.models import AppRegistration
from tests.factories.members import UserFactory

APP_SECRET = "app-client-secret"
APP_REDIRECT_URI = "https://app.example/callback"
OUT_OF_BAND = "urn:ietf:wg:oauth:2.0:oob"
APP_SCOPES = "read write follow push"


class ApplicationFactory(factory.django.DjangoModelFactory[Application]):
    """A registered client app whose client secret is APP_SECRET, registered for `scopes`."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Client app {n}")
    client_type = Application.CLIENT_CONFIDENTIAL
    authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
    redirect_uris = f"{OUT_OF_BAND} {APP_REDIRECT_URI}"
    client_secret = APP_SECRET

    @factory.post_generation
    def scopes(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        """Register the app for the given scopes (what Mastodon clients ask for, by default)."""
        if create:
            AppRegistration.objects.create(application=self, scopes=extracted or APP_SCOPES)


class AccessTokenFactory(factory.django.DjangoModelFactory[AccessToken]):
    """A valid access token of a user for an app, with every broad scope."""

    class Meta:
        model = AccessToken

    user = factory.SubFactory(UserFactory)
    application = factory.SubFactory(ApplicationFactory)
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    expires = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    scope = "read write follow push"

"""Factories for the federation app."""

from __future__ import annotations

from typing import Any, cast

import factory

from federation import uris
from federation.models import Actor
from members.models import MembershipStatus
from tests.factories.keys import shared_test_key_pair
from tests.factories.members import UserFactory, make_membership


class LocalActorFactory(factory.django.DjangoModelFactory[Actor]):
    """A local actor with its user."""

    class Meta:
        model = Actor
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    username = factory.LazyAttribute(lambda a: a.user.username)
    domain = ""
    uri = factory.LazyAttribute(lambda a: uris.actor_uri(a.username))
    url = factory.LazyAttribute(lambda a: uris.profile_url(a.username))
    inbox_uri = factory.LazyAttribute(lambda a: uris.inbox_uri(a.username))
    outbox_uri = factory.LazyAttribute(lambda a: uris.outbox_uri(a.username))
    shared_inbox_uri = factory.LazyFunction(uris.shared_inbox_uri)
    followers_uri = factory.LazyAttribute(lambda a: uris.followers_uri(a.username))
    following_uri = factory.LazyAttribute(lambda a: uris.following_uri(a.username))
    featured_uri = factory.LazyAttribute(lambda a: uris.featured_uri(a.username))
    public_key_pem = factory.LazyFunction(lambda: shared_test_key_pair().public_pem)
    private_key_pem = factory.LazyFunction(lambda: shared_test_key_pair().private_pem)

    @factory.post_generation
    def membership(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        """Make the user a member in good standing, or give `membership=<status>` (or "none")."""
        status = extracted or MembershipStatus.MEMBER
        user = cast(Actor, self).user
        if create and user is not None and status != "none" and not hasattr(user, "membership"):
            make_membership(user, status)


class RemoteActorFactory(factory.django.DjangoModelFactory[Actor]):
    """A cached remote actor, shaped as a Mastodon server describes one."""

    class Meta:
        model = Actor

    username = factory.Sequence(lambda n: f"remote{n}")
    domain = "mastodon.example"
    uri = factory.LazyAttribute(lambda a: f"https://{a.domain}/users/{a.username}")
    url = factory.LazyAttribute(lambda a: f"https://{a.domain}/@{a.username}")
    inbox_uri = factory.LazyAttribute(lambda a: f"{a.uri}/inbox")
    shared_inbox_uri = factory.LazyAttribute(lambda a: f"https://{a.domain}/inbox")
    followers_uri = factory.LazyAttribute(lambda a: f"{a.uri}/followers")
    public_key_pem = factory.LazyFunction(lambda: shared_test_key_pair().public_pem)

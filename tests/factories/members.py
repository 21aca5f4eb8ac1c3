"""Factories for the members app."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from members.models import ShareClass, User


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        self.set_password(extracted or "correct horse battery staple")
        if create:
            self.save(update_fields=["password"])


class ShareClassFactory(factory.django.DjangoModelFactory[ShareClass]):
    class Meta:
        model = ShareClass

    name = factory.Sequence(lambda n: f"Class {n}")
    nominal_value = Decimal("10.00")

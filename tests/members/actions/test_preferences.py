"""A member's interface language: offered languages only, blank to follow the browser."""

from __future__ import annotations

import pytest

from federation.models import Actor
from members.actions.preferences import check_interface_language, do_set_interface_language
from members.errors import MemberRefused
from members.models import User

pytestmark = pytest.mark.django_db


def user_of(actor: Actor) -> User:
    assert actor.user is not None
    return actor.user


def test_an_offered_language_is_stored(alice: Actor) -> None:
    do_set_interface_language(user_of(alice), check_interface_language(" FR "))
    assert User.objects.get(pk=user_of(alice).pk).interface_language == "fr"


def test_an_empty_choice_goes_back_to_the_browser(alice: Actor) -> None:
    User.objects.filter(pk=user_of(alice).pk).update(interface_language="es")
    do_set_interface_language(User.objects.get(pk=user_of(alice).pk), check_interface_language(""))
    assert User.objects.get(pk=user_of(alice).pk).interface_language == ""


@pytest.mark.parametrize("language", ["de", "english", "fr-xx", "<script>"])
def test_a_language_not_offered_is_refused_and_nothing_changes(alice: Actor, language: str) -> None:
    User.objects.filter(pk=user_of(alice).pk).update(interface_language="es")
    with pytest.raises(MemberRefused, match="not offered"):
        check_interface_language(language)
    assert User.objects.get(pk=user_of(alice).pk).interface_language == "es"

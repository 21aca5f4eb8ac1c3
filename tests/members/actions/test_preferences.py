"""A member's interface language and time zone: offered languages and known zones only, blank for the default."""

from __future__ import annotations

import pytest

from federation.models import Actor
from members.actions.preferences import (
    check_interface_language,
    check_time_zone,
    do_set_interface_language,
    do_set_time_zone,
    offered_time_zones,
)
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


def test_a_known_time_zone_is_stored(alice: Actor) -> None:
    do_set_time_zone(user_of(alice), check_time_zone(" Europe/Paris "))
    assert User.objects.get(pk=user_of(alice).pk).time_zone == "Europe/Paris"


def test_an_empty_time_zone_goes_back_to_utc(alice: Actor) -> None:
    User.objects.filter(pk=user_of(alice).pk).update(time_zone="Europe/Paris")
    do_set_time_zone(User.objects.get(pk=user_of(alice).pk), check_time_zone(""))
    assert User.objects.get(pk=user_of(alice).pk).time_zone == ""


@pytest.mark.parametrize("name", ["Europe/Atlantis", "europe/paris", "Paris", "../etc/passwd", "CET+1"])
def test_an_unknown_time_zone_is_refused_and_nothing_changes(alice: Actor, name: str) -> None:
    User.objects.filter(pk=user_of(alice).pk).update(time_zone="Asia/Tokyo")
    with pytest.raises(MemberRefused, match="is not a time zone this server knows"):
        check_time_zone(name)
    assert User.objects.get(pk=user_of(alice).pk).time_zone == "Asia/Tokyo"


def test_the_offered_zones_are_places_and_utc_sorted() -> None:
    offered = offered_time_zones()
    assert offered == sorted(offered)
    assert {"Europe/Paris", "America/Argentina/Buenos_Aires", "UTC"} <= set(offered)
    # Names kept for compatibility are accepted but not offered.
    assert "US/Eastern" not in offered
    assert check_time_zone("US/Eastern").name == "US/Eastern"

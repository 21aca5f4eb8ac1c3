"""Two-factor codes, web sessions and app authorisations."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from oauth2_provider.models import AccessToken, RefreshToken

from federation.models import Actor
from members.actions.security import (
    authorised_apps_for,
    do_confirm_two_factor,
    do_disable_two_factor,
    do_end_web_session,
    do_revoke_app_authorisation,
    do_start_two_factor,
    do_verify_two_factor_code,
    has_two_factor,
)
from members.errors import MemberRefused
from members.models import TwoFactorDevice, User, WebSession
from tests.factories.oauth import ApplicationFactory

pytestmark = pytest.mark.django_db

NOW = 1_700_000_000.0
PASSWORD = "correct horse battery staple"


def user_of(actor: Actor) -> User:
    assert actor.user is not None
    return actor.user


def code_at(user: User, moment: float) -> str:
    return pyotp.TOTP(TwoFactorDevice.objects.get(user=user).secret).at(moment)


def enabled(user: User) -> User:
    do_start_two_factor(user, issuer="mutuals.test")
    do_confirm_two_factor(user, code_at(user, NOW), now=NOW)
    return user


def test_a_started_authenticator_protects_nothing_until_confirmed(alice: Actor) -> None:
    user = user_of(alice)
    pending = do_start_two_factor(user, issuer="mutuals.test")
    assert pending.provisioning_uri.startswith("otpauth://totp/")
    assert not has_two_factor(user)


def test_confirming_with_a_wrong_code_changes_nothing(alice: Actor) -> None:
    user = user_of(alice)
    do_start_two_factor(user, issuer="mutuals.test")
    with pytest.raises(MemberRefused, match="not right"):
        do_confirm_two_factor(user, "000000" if code_at(user, NOW) != "000000" else "111111", now=NOW)
    device = TwoFactorDevice.objects.get(user=user)
    assert device.confirmed_at is None
    assert device.last_used_step == 0
    assert not has_two_factor(user)


def test_a_code_is_accepted_once_and_never_replayed(alice: Actor) -> None:
    user = enabled(user_of(alice))
    later = NOW + 60
    do_verify_two_factor_code(user, code_at(user, later), now=later)
    with pytest.raises(MemberRefused, match="used already"):
        do_verify_two_factor_code(user, code_at(user, later), now=later)


def test_codes_from_a_slightly_wrong_clock_pass_but_old_ones_do_not(alice: Actor) -> None:
    user = enabled(user_of(alice))
    later = NOW + 300
    do_verify_two_factor_code(user, code_at(user, later - 30), now=later)
    with pytest.raises(MemberRefused, match="not right"):
        do_verify_two_factor_code(user, code_at(user, later - 150), now=later)


def test_malformed_codes_are_refused_with_a_clear_message(alice: Actor) -> None:
    user = enabled(user_of(alice))
    with pytest.raises(MemberRefused, match="six-digit"):
        do_verify_two_factor_code(user, "12ab56", now=NOW + 60)


def test_disabling_needs_the_password_and_a_code(alice: Actor) -> None:
    user = enabled(user_of(alice))
    later = NOW + 120
    with pytest.raises(MemberRefused, match="password"):
        do_disable_two_factor(user, "wrong", code_at(user, later))
    assert has_two_factor(user)
    do_disable_two_factor(user, PASSWORD, pyotp.TOTP(TwoFactorDevice.objects.get(user=user).secret).now())
    assert not has_two_factor(user)


def test_starting_again_while_on_is_refused(alice: Actor) -> None:
    user = enabled(user_of(alice))
    secret = TwoFactorDevice.objects.get(user=user).secret
    with pytest.raises(MemberRefused, match="already on"):
        do_start_two_factor(user, issuer="mutuals.test")
    assert TwoFactorDevice.objects.get(user=user).secret == secret


def test_ending_a_session_signs_that_browser_out(alice: Actor, bob: Actor) -> None:
    store = SessionStore()
    store["_auth_user_id"] = str(user_of(alice).pk)
    store.create()
    key = store.session_key
    assert key is not None
    record = WebSession.objects.create(user=user_of(alice), session_key=key)
    with pytest.raises(MemberRefused, match="No such session"):
        do_end_web_session(user_of(bob), record.pk, SessionStore)
    assert SessionStore().exists(key)
    do_end_web_session(user_of(alice), record.pk, SessionStore)
    assert not SessionStore().exists(key)
    assert not WebSession.objects.filter(pk=record.pk).exists()


def test_revoking_an_app_removes_its_tokens_for_that_member_only(alice: Actor, bob: Actor) -> None:
    app = ApplicationFactory.create(name="Tusky")
    expires = timezone.now() + timedelta(days=1)
    mine = AccessToken.objects.create(user=user_of(alice), application=app, token="a1", expires=expires, scope="read")
    RefreshToken.objects.create(user=user_of(alice), application=app, token="r1", access_token=mine)
    AccessToken.objects.create(user=user_of(bob), application=app, token="b1", expires=expires, scope="read write")
    [listed] = authorised_apps_for(user_of(alice))
    assert listed.application == app
    assert listed.scopes == ["read"]

    assert do_revoke_app_authorisation(user_of(alice), app.pk) == 1
    assert not AccessToken.objects.filter(user=user_of(alice)).exists()
    assert not RefreshToken.objects.filter(user=user_of(alice)).exists()
    assert AccessToken.objects.filter(user=user_of(bob)).count() == 1
    with pytest.raises(MemberRefused, match="no access"):
        do_revoke_app_authorisation(user_of(alice), app.pk)

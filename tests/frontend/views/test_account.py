"""Sign-in with a second factor, password reset, and the security settings page."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp
import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from federation.models import Actor
from members.actions.security import do_confirm_two_factor, do_start_two_factor
from members.models import TwoFactorDevice, User, WebSession
from tests.factories.oauth import APP_SECRET, ApplicationFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def user_of(actor: Actor) -> User:
    assert actor.user is not None
    return actor.user


def turn_on_two_factor(user: User) -> pyotp.TOTP:
    do_start_two_factor(user, issuer="mutuals.test")
    totp = pyotp.TOTP(TwoFactorDevice.objects.get(user=user).secret)
    earlier = time.time() - 90
    do_confirm_two_factor(user, totp.at(earlier), now=earlier)
    return totp


def sign_in(client: Client, username: str, password: str = PASSWORD, next_url: str = "/home") -> str:
    response = client.post("/login", {"username": username, "password": password, "next": next_url})
    assert response.status_code == 302, response.content[:300]
    return str(response["Location"])


def test_signing_in_records_the_browser(alice: Actor) -> None:
    client = Client(HTTP_USER_AGENT="Firefox on a phone")
    assert sign_in(client, "alice") == "/home"
    [session] = WebSession.objects.filter(user=user_of(alice))
    assert session.user_agent == "Firefox on a phone"
    assert session.session_key == client.session.session_key


def test_sign_in_does_not_redirect_to_another_site(alice: Actor) -> None:
    assert sign_in(Client(), "alice", next_url="https://evil.example/") == "/home"


def test_a_second_factor_is_asked_after_the_password(alice: Actor) -> None:
    totp = turn_on_two_factor(user_of(alice))
    client = Client()
    assert sign_in(client, "alice", next_url="/governance/proposals") == "/login/code"
    assert client.get("/home").status_code == 302
    assert "_auth_user_id" not in client.session

    wrong = client.post("/login/code", {"code": "12345x"})
    assert wrong.status_code == 400
    assert "six-digit" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    assert not WebSession.objects.exists()

    right = client.post("/login/code", {"code": totp.now()})
    assert right.status_code == 302
    assert right["Location"] == "/governance/proposals"
    assert client.session["_auth_user_id"] == str(user_of(alice).pk)


def test_the_code_step_without_a_password_step_goes_back_to_sign_in(alice: Actor) -> None:
    turn_on_two_factor(user_of(alice))
    response = Client().post("/login/code", {"code": "123456"})
    assert response.status_code == 302
    assert response["Location"] == "/login"


def test_the_code_step_expires(alice: Actor) -> None:
    totp = turn_on_two_factor(user_of(alice))
    client = Client()
    sign_in(client, "alice")
    session = client.session
    session["two_factor_pending_since"] = time.time() - 3600
    session.save()
    response = client.post("/login/code", {"code": totp.now()})
    assert response["Location"] == "/login"
    assert "_auth_user_id" not in client.session


def test_the_password_grant_is_refused_once_two_factor_is_on(alice: Actor) -> None:
    app = ApplicationFactory.create()
    form = {
        "grant_type": "password",
        "username": "alice",
        "password": PASSWORD,
        "client_id": app.client_id,
        "client_secret": APP_SECRET,
        "scope": "read",
    }
    turn_on_two_factor(user_of(alice))
    response = Client().post("/oauth/token", form)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.filter(user=user_of(alice)).exists()


def test_password_reset_sends_a_single_use_link(alice: Actor) -> None:
    client = Client()
    response = client.post("/password/reset", {"email": "alice@example.test"})
    assert response["Location"] == "/password/reset/sent"
    [message] = mail.outbox
    assert message.to == ["alice@example.test"]
    link = re.search(r"https?://[^/]+(/password/reset/\S+)", str(message.body))
    assert link is not None
    page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in page.content.decode()
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a fresh long phrase 42", "new_password2": "a fresh long phrase 42"},
    )
    assert done["Location"] == "/password/reset/complete"
    assert User.objects.get(pk=user_of(alice).pk).check_password("a fresh long phrase 42")
    again = client.get(link.group(1), follow=True)
    assert "This link does not work" in again.content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing(alice: Actor) -> None:
    response = Client().post("/password/reset", {"email": "nobody@example.test"})
    assert response["Location"] == "/password/reset/sent"
    assert mail.outbox == []


def test_a_forged_reset_link_changes_nothing(alice: Actor) -> None:
    before = User.objects.get(pk=user_of(alice).pk).password
    page = Client().get("/password/reset/MQ/forged-token", follow=True)
    assert "This link does not work" in page.content.decode()
    assert User.objects.get(pk=user_of(alice).pk).password == before


def test_security_page_sets_up_two_factor_with_a_qr_code(alice_client: Client, alice: Actor) -> None:
    started = alice_client.post("/settings/security", {"action": "start"})
    assert started.status_code == 200
    page = started.content.decode()
    assert "<svg" in page
    secret = TwoFactorDevice.objects.get(user=user_of(alice)).secret
    assert secret in page

    refused = alice_client.post("/settings/security", {"action": "confirm", "code": "000000"})
    assert refused.status_code == 400
    assert TwoFactorDevice.objects.get(user=user_of(alice)).confirmed_at is None

    confirmed = alice_client.post("/settings/security", {"action": "confirm", "code": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 302
    assert "On." in alice_client.get("/settings/security").content.decode()


def test_security_page_lists_and_revokes_apps(alice_client: Client, alice: Actor, bob: Actor) -> None:
    app = ApplicationFactory.create(name="Ivory")
    expires = timezone.now() + timedelta(days=1)
    AccessToken.objects.create(user=user_of(alice), application=app, token="t-a", expires=expires, scope="read write")
    AccessToken.objects.create(user=user_of(bob), application=app, token="t-b", expires=expires, scope="read")
    assert "Revoke access of Ivory" in alice_client.get("/settings/security").content.decode()

    response = alice_client.post(f"/settings/apps/{app.pk}/revoke")
    assert response.status_code == 302
    assert not AccessToken.objects.filter(user=user_of(alice)).exists()
    assert AccessToken.objects.filter(user=user_of(bob)).exists()


def test_a_member_cannot_end_another_members_session(alice_client: Client, bob: Actor) -> None:
    other = Client()
    sign_in(other, "bob")
    record = WebSession.objects.get(user=user_of(bob))
    alice_client.post(f"/settings/sessions/{record.pk}/end")
    assert WebSession.objects.filter(pk=record.pk).exists()
    assert other.get("/home").status_code == 200


def test_ending_a_session_signs_the_other_browser_out(alice: Actor) -> None:
    phone, laptop = Client(), Client()
    sign_in(phone, "alice")
    sign_in(laptop, "alice")
    record = WebSession.objects.get(session_key=phone.session.session_key)
    response = laptop.post(f"/settings/sessions/{record.pk}/end")
    assert response.status_code == 302
    assert phone.get("/home").status_code == 302
    assert laptop.get("/home").status_code == 200


def test_the_password_grant_still_works_without_two_factor(alice: Actor) -> None:
    app = ApplicationFactory.create()
    response = Client().post(
        "/oauth/token",
        {
            "grant_type": "password",
            "username": "alice",
            "password": PASSWORD,
            "client_id": app.client_id,
            "client_secret": APP_SECRET,
            "scope": "read",
        },
    )
    assert response.status_code == 200, response.content


def test_signing_in_during_the_deletion_grace_period_points_to_the_cancel_page(
    alice: Actor, alice_client: Client
) -> None:
    alice_client.post("/coop/deletion", {"password": "correct horse battery staple", "confirm": "on"})
    assert not User.objects.get(username="alice").is_active
    client = Client()
    response = client.post("/login", {"username": "alice", "password": "correct horse battery staple"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Your account is waiting to be deleted" in page
    assert 'href="/coop/deletion/cancel"' in page
    assert "Please enter a correct username and password" not in page
    # Nothing changed: still scheduled, still signed out.
    assert not User.objects.get(username="alice").is_active
    assert client.get("/coop/membership").status_code == 302


def test_a_wrong_password_for_an_account_waiting_for_deletion_says_nothing_of_it(
    alice: Actor, alice_client: Client
) -> None:
    alice_client.post("/coop/deletion", {"password": "correct horse battery staple", "confirm": "on"})
    page = Client().post("/login", {"username": "alice", "password": "wrong"}).content.decode()
    assert "Please enter a correct username and password" in page
    assert "waiting to be deleted" not in page

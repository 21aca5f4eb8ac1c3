"""Registering a client app: the checks on its name, redirect URIs, scopes and website, and what is stored."""

from __future__ import annotations

import pytest
from oauth2_provider.models import Application

from members.actions.app_registration import (
    MAX_REDIRECT_URIS,
    OUT_OF_BAND,
    check_register_application,
    do_register_application,
)
from members.errors import MemberRefused
from members.models import AppRegistration
from members.selectors import registered_scopes, registered_website


def test_check_splits_uris_and_scopes_and_drops_repeats() -> None:
    checked = check_register_application(
        "  Elk ", ["https://elk.example/cb elk://oauth", "elk://oauth"], scopes=["read write", "read"]
    )
    assert checked.name == "Elk"
    assert checked.redirect_uris == ("https://elk.example/cb", "elk://oauth")
    assert checked.scopes == ("read", "write")


def test_check_defaults_the_scopes_to_read() -> None:
    assert check_register_application("cli", [OUT_OF_BAND], scopes=[]).scopes == ("read",)


@pytest.mark.parametrize(
    ("uris", "message"),
    [
        (["http:///no-host"], "must name a host"),
        (["data:text/html,hi"], "scheme that is not allowed"),
        ([f"app://{n}" for n in range(MAX_REDIRECT_URIS + 1)], "Too many redirect URIs"),
    ],
)
def test_check_refuses_redirect_uris_that_cannot_receive_a_code(uris: list[str], message: str) -> None:
    with pytest.raises(MemberRefused, match=message):
        check_register_application("App", uris, scopes=["read"])


@pytest.mark.django_db
def test_do_stores_the_app_with_its_registration_and_a_hashed_secret() -> None:
    checked = check_register_application("Tusky", [OUT_OF_BAND], scopes=["read write"], website="https://t.example")
    registered = do_register_application(checked)
    application = Application.objects.get()
    assert registered.application == application
    assert application.client_secret != registered.client_secret
    assert application.redirect_uris == OUT_OF_BAND
    assert registered_scopes(application) == ["read", "write"]
    assert registered_website(application) == "https://t.example"


@pytest.mark.django_db
def test_an_app_that_never_registered_has_no_scopes_or_website() -> None:
    application = Application.objects.create(
        name="admin-made",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=OUT_OF_BAND,
    )
    assert not AppRegistration.objects.exists()
    assert registered_scopes(application) == []
    assert registered_website(application) == ""

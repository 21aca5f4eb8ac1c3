"""Creating accounts: each refusal names the problem and changes nothing."""

from __future__ import annotations

import pytest

from federation.models import Actor
from members.actions.accounts import check_create_account, do_create_account
from members.errors import MemberRefused
from members.models import User


@pytest.mark.django_db
def test_account_comes_with_an_actor_and_a_key_pair() -> None:
    user = do_create_account(check_create_account("Carol", email="carol@example.test", password="a sturdy passphrase"))
    actor = Actor.objects.get(user=user)
    assert actor.username == "Carol"
    assert actor.is_local
    assert actor.uri == "http://localhost:8000/users/Carol" or actor.uri.endswith("/users/Carol")
    assert actor.inbox_uri == f"{actor.uri}/inbox"
    assert actor.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert actor.private_key_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert user.check_password("a sturdy passphrase")
    assert not user.is_staff


@pytest.mark.django_db
def test_admin_accounts_get_admin_rights() -> None:
    user = do_create_account(check_create_account("root_person", password="a sturdy passphrase"), is_admin=True)
    assert user.is_staff
    assert user.is_superuser


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("", None, "blank"),
        ("x" * 31, None, "too long"),
        ("has space", None, "only letters"),
        ("-dash", None, "only letters"),
        ("inbox", None, "reserved"),
        ("ALICE", None, "already taken"),
        ("dave", "123", "too short"),
    ],
)
def test_refused_accounts_change_nothing(username: str, password: str | None, message: str) -> None:
    do_create_account(check_create_account("alice", password="a sturdy passphrase"))
    users, actors = User.objects.count(), Actor.objects.count()
    with pytest.raises(MemberRefused, match=message):
        check_create_account(username, password=password)
    assert (User.objects.count(), Actor.objects.count()) == (users, actors)


@pytest.mark.django_db
def test_email_addresses_are_unique() -> None:
    do_create_account(check_create_account("alice", email="a@example.test"))
    with pytest.raises(MemberRefused, match="already in use"):
        check_create_account("alicia", email="A@example.test")

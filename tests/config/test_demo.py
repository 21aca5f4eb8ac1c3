"""The demo co-op seeded by the run command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from governance.models import CharterVersion, RuleVersion
from governance.selectors import rules_in_force
from members.models import ShareClass, User
from members.selectors import payment_instructions


@pytest.mark.django_db
def test_seed_creates_admin_two_members_share_class_charter_rules_and_payment_instructions() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    passwords = {}
    for line in text.splitlines():
        if "password:" in line:
            parts = line.split()
            passwords[parts[-3]] = parts[-1]
    assert set(passwords) == {"admin", "alice", "bob"}
    for username, password in passwords.items():
        user = User.objects.get(username=username)
        assert user.check_password(password)
        assert user.actor.is_local
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="alice").is_staff
    share = ShareClass.objects.get()
    assert share.carries_vote
    assert CharterVersion.objects.get().version == 1
    assert len(rules_in_force()) == RuleVersion.objects.count() == 5
    assert "IBAN" in payment_instructions()


@pytest.mark.django_db
def test_second_run_changes_nothing_and_prints_no_password() -> None:
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "already set up" in out.getvalue()
    assert "password" not in out.getvalue()
    assert User.objects.count() == 3

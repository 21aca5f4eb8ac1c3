"""rotate_ballot_key reseals every proposal's key under the current secret; trackers do not change."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from governance.actions.ballots import tracker_for
from governance.ballot_keys import current_key_id
from governance.models import Proposal
from tests.factories.governance import open_proposal, vote
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

NEW_SECRET = "the-next-secret-key-of-this-server-0123456789abcdefgh"


def test_rotation_keeps_receipts_and_retires_the_old_secret() -> None:
    old_secret = settings.SECRET_KEY
    alice, bob = make_member(), make_member()
    proposal = open_proposal(alice, secret=True)
    receipt = vote(bob, proposal, 0)
    old_key_id = Proposal.objects.get(pk=proposal.pk).tracker_key_id
    with override_settings(SECRET_KEY=NEW_SECRET, SECRET_KEY_FALLBACKS=[old_secret]):
        # Before the rotation, a proposal opened under the old key still gives receipts.
        assert tracker_for(Proposal.objects.get(pk=proposal.pk), bob.pk) == receipt.tracker
        out = StringIO()
        call_command("rotate_ballot_key", stdout=out)
        assert f"Sealed 1 proposal key(s) under ballot key {current_key_id()}." in out.getvalue()
        assert current_key_id() != old_key_id
    with override_settings(SECRET_KEY=NEW_SECRET, SECRET_KEY_FALLBACKS=[]):
        rotated = Proposal.objects.get(pk=proposal.pk)
        assert rotated.tracker_key_id != old_key_id
        assert tracker_for(rotated, bob.pk) == receipt.tracker
        out = StringIO()
        call_command("rotate_ballot_key", stdout=out)
        assert "Sealed 0 proposal key(s)" in out.getvalue()


def test_rotation_without_the_old_secret_changes_nothing() -> None:
    """A key sealed under a secret no longer held stops the command before any proposal is written."""
    alice = make_member()
    first = open_proposal(alice)
    with override_settings(SECRET_KEY=NEW_SECRET):
        second = open_proposal(alice)
    before = dict(Proposal.objects.values_list("pk", "tracker_key"))
    with (
        override_settings(SECRET_KEY=NEW_SECRET, SECRET_KEY_FALLBACKS=[]),
        pytest.raises(CommandError, match="not held"),
    ):
        call_command("rotate_ballot_key", stdout=StringIO())
    assert dict(Proposal.objects.values_list("pk", "tracker_key")) == before
    assert {first.pk, second.pk} <= set(before)

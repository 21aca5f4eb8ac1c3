"""The co-op's custom emoji: officers and the assembly add and remove them, and every change is logged."""

from __future__ import annotations

import base64
import io

import pytest

from config.refusals import Refused
from governance.actions.custom_emojis import (
    check_manage_custom_emojis,
    do_add_custom_emoji,
    do_retire_custom_emoji,
    officer_authority,
)
from governance.errors import ProposalRefused
from governance.models import LogEntry, Proposal
from governance.payloads import check_payload
from members.models import User
from tests.factories.governance import close, make_moderator, open_proposal, vote
from tests.factories.members import make_member
from tests.factories.timeline import make_custom_emoji
from tests.timeline.media_files import image_bytes
from timeline.actions.custom_emojis import check_create_custom_emoji, check_remove_custom_emoji
from timeline.models import CustomEmoji

pytestmark = pytest.mark.django_db

PNG = image_bytes(24, 24)


def _passed(author: User, payload: dict[str, str]) -> Proposal:
    proposal = open_proposal(author, kind="custom_emoji", title="An emoji for the co-op", payload=payload)
    vote(author, proposal, 0)
    return close(proposal)


def test_an_officer_s_addition_and_removal_are_logged_by_role() -> None:
    moderator = make_moderator()
    check_manage_custom_emojis(moderator)
    draft = check_create_custom_emoji("blobcat", io.BytesIO(PNG), size=len(PNG), category="Cats")
    do_add_custom_emoji(draft, authority=officer_authority(moderator))
    do_retire_custom_emoji(check_remove_custom_emoji("blobcat"), authority=officer_authority(moderator))
    entries = list(LogEntry.objects.filter(kind=LogEntry.Kind.CUSTOM_EMOJI).order_by("sequence"))
    assert [entry.summary for entry in entries] == [
        "Custom emoji :blobcat: added by a moderator",
        "Custom emoji :blobcat: removed by a moderator",
    ]
    assert entries[0].data["category"] == "Cats"
    assert len(entries[0].data["image_sha256"]) == 64
    assert moderator.username not in entries[0].summary


def test_members_who_are_not_officers_cannot_manage_emoji() -> None:
    with pytest.raises(Refused, match="moderators and administrators"):
        check_manage_custom_emojis(make_member())


def test_a_passed_proposal_adds_then_removes_an_emoji_citing_itself() -> None:
    author = make_member()
    added = _passed(author, {"action": "add", "shortcode": "coop", "image": base64.b64encode(PNG).decode()})
    emoji = CustomEmoji.objects.get(shortcode="coop", domain__isnull=True)
    assert emoji.image.name
    assert added.enactment["custom_emoji"] == "coop"
    entry = LogEntry.objects.get(kind=LogEntry.Kind.CUSTOM_EMOJI)
    assert entry.summary == f"Custom emoji :coop: added by Proposal #{added.pk}"
    assert entry.data["proposal"] == added.pk
    _passed(author, {"action": "remove", "shortcode": "coop"})
    assert not CustomEmoji.objects.exists()
    assert LogEntry.objects.filter(kind=LogEntry.Kind.CUSTOM_EMOJI).count() == 2


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"action": "add", "shortcode": "no way", "image": base64.b64encode(PNG).decode()}, "2 to 64 letters"),
        ({"action": "add", "shortcode": "blank"}, "image can't be blank"),
        ({"action": "add", "shortcode": "junk", "image": "!!not base64!!"}, "base64"),
        ({"action": "add", "shortcode": "words", "image": base64.b64encode(b"just some words").decode()}, "PNG, GIF"),
        ({"action": "add", "shortcode": "taken", "image": base64.b64encode(PNG).decode()}, "taken"),
        ({"action": "remove", "shortcode": "unknown"}, "no custom emoji"),
        ({"action": "rename", "shortcode": "taken"}, "action must be one of"),
    ],
)
def test_bad_emoji_proposals_are_refused_and_nothing_opens(payload: dict[str, str], message: str) -> None:
    make_custom_emoji("taken")
    with pytest.raises(ProposalRefused, match=message):
        check_payload("custom_emoji", payload)
    with pytest.raises(ProposalRefused, match=message):
        open_proposal(make_member(), kind="custom_emoji", payload=payload)
    assert not Proposal.objects.exists()
    assert list(CustomEmoji.objects.values_list("shortcode", flat=True)) == ["taken"]


def test_an_addition_whose_shortcode_was_taken_meanwhile_is_recorded_as_not_applied() -> None:
    author = make_member()
    payload = {"action": "add", "shortcode": "coop", "image": base64.b64encode(PNG).decode()}
    proposal = open_proposal(author, kind="custom_emoji", payload=payload)
    vote(author, proposal, 0)
    make_custom_emoji("coop", category="first")
    closed = close(proposal)
    assert closed.outcome == "passed"
    assert "taken" in str(closed.enactment)
    assert list(CustomEmoji.objects.values_list("category", flat=True)) == ["first"]
    assert not LogEntry.objects.filter(kind=LogEntry.Kind.CUSTOM_EMOJI).exists()

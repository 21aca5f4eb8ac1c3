"""Each kind of decision has a plain form: bad input is refused with a message; what passes is what was previewed."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.test import Client

from federation.models import DomainPolicy
from governance.actions.log import verify_log_chain
from governance.actions.moderation import check_take_moderation_action, do_take_moderation_action
from governance.models import (
    BlocklistMandate,
    InstanceSettings,
    LogEntry,
    ModerationAction,
    Proposal,
    ProposalKind,
    RuleVersion,
)
from governance.payload_forms import PAYLOAD_FORMS, BylawAmendmentForm
from governance.selectors import rules_in_force
from members.models import BylawsVersion, DuesTier, PatronageAllocation, ShareClass, User
from members.models.membership import Membership, MembershipStatus, Role
from members.selectors import bylaws_in_force, membership_status, user_has_role
from tests.clients import signed_in
from tests.factories.governance import adopt_rules, close, make_moderator, vote
from tests.factories.members import make_member
from tests.timeline.media_files import image_bytes
from timeline.models import CustomEmoji

pytestmark = pytest.mark.django_db

NEW = "/governance/proposals/new"


def _emergency_action() -> ModerationAction:
    (rule,) = adopt_rules("No spam.")
    moderator = make_moderator()
    draft = check_take_moderation_action(
        moderator,
        kind="domain",
        rule_version_ids=[rule.pk],
        target_domain="spam.example",
        details={"severity": "suspend"},
    )
    return do_take_moderation_action(moderator, draft)


def _emoji_png() -> str:
    """Return a small PNG in base64, as the form carries an uploaded image from preview to opening."""
    return base64.b64encode(image_bytes(20, 20)).decode()


def _bylaws(**changes: Any) -> dict[str, Any]:
    """Return every bylaws setting as the form shows it in force, with `changes`."""
    return {**BylawAmendmentForm().initial, **changes}


# kind → (fields that pass, fields refused and the message shown, what the change must leave behind).
Setup = Callable[[], dict[str, Any]]
Check = Callable[[], bool]
KINDS: dict[str, tuple[Setup, dict[str, Any], str, Check]] = {
    "blocklist_mandate": (
        lambda: {
            "urls": "",
            "csv": "spam.example\n",
            "max_severity": "silence",
            "review_months": "6",
            "role": "moderator",
        },
        {"urls": "", "csv": "", "max_severity": "silence", "review_months": "6", "role": "moderator"},
        "Name at least one blocklist",
        lambda: BlocklistMandate.objects.filter(max_severity="silence", review_months=6).exists(),
    ),
    "domain_policy": (
        lambda: {"action": "suspend", "domain": "bad.example", "public_comment": "Spam"},
        {"action": "suspend", "domain": "not a domain"},
        "is not a domain name",
        lambda: DomainPolicy.objects.filter(domain="bad.example", severity="suspend").exists(),
    ),
    "server_rule": (
        lambda: {"action": "add", "text": "Be kind."},
        {"action": "amend", "text": "Be kinder."},
        "Choose the rule to change.",
        lambda: [version.text for version in rules_in_force()] == ["Be kind."],
    ),
    "content_policy": (
        lambda: {"policy_title": "Bots", "policy_text": "Bots say so."},
        {"policy_title": "", "policy_text": "Bots say so."},
        "This field is required.",
        lambda: LogEntry.objects.filter(kind=LogEntry.Kind.CONTENT_POLICY, data__title="Bots").exists(),
    ),
    "bylaw_amendment": (
        lambda: _bylaws(proposal_quorum="25", dues_grace_months=4),
        {"bylaws": {"proposal_quorum": "150"}},
        "less than or equal to 100",
        lambda: (bylaws_in_force().proposal_quorum, bylaws_in_force().dues_grace_months) == (Decimal("0.25"), 4),
    ),
    "membership": (
        lambda: {"action": "expel", "username": make_member(username="troll").username, "reason": "Harassment"},
        {"action": "expel", "username": "nobody", "reason": "x"},
        "No one here has that username.",
        lambda: membership_status(User.objects.get(username="troll")) == MembershipStatus.EXPELLED,
    ),
    "role_grant": (
        lambda: {"action": "grant", "username": make_member(username="mod").username, "role": Role.MODERATOR},
        {"action": "grant", "username": "nobody", "role": "emperor"},
        "Select a valid choice",
        lambda: user_has_role(User.objects.get(username="mod"), Role.MODERATOR),
    ),
    "budget": (
        lambda: {"amount": "50", "currency": "EUR", "payee": "Host", "purpose": "Servers"},
        {"amount": "-5", "currency": "EUR", "payee": "Host"},
        "greater than or equal to 0.01",
        lambda: LogEntry.objects.filter(kind=LogEntry.Kind.BUDGET, data__amount="50.00", data__currency="EUR").exists(),
    ),
    "instance_settings": (
        lambda: {"server_name": "Our co-op", "contact_email": "hello@coop.example"},
        {"server_name": "x", "contact_email": "not an address"},
        "Enter a valid email address.",
        lambda: InstanceSettings.objects.filter(title="Our co-op", contact_email="hello@coop.example").exists(),
    ),
    "custom_emoji": (
        lambda: {"action": "add", "shortcode": "coop", "category": "Co-op", "image_data": _emoji_png()},
        {"action": "add", "shortcode": "no way", "image_data": _emoji_png()},
        "A shortcode is 2 to 64 letters, digits or underscores.",
        lambda: CustomEmoji.objects.filter(shortcode="coop", category="Co-op", domain__isnull=True).exists(),
    ),
    "emergency_review": (
        lambda: {"action": "ratify", "moderation_action": str(_emergency_action().pk)},
        {"action": "ratify", "moderation_action": "999"},
        "Select a valid choice",
        lambda: ModerationAction.objects.filter(state=ModerationAction.State.RATIFIED).exists(),
    ),
    "share_class": (
        lambda: {
            "name": "Investor",
            "nominal_value": "100",
            "currency": "USD",
            "transferable": "on",
            "min_per_member": "0",
            "max_per_member": "5",
        },
        {"name": "Investor", "nominal_value": "100", "currency": "USD", "min_per_member": "3", "max_per_member": "2"},
        "The maximum holding cannot be below the minimum.",
        lambda: ShareClass.objects.filter(
            name="Investor",
            nominal_value=Decimal(100),
            carries_vote=False,
            transferable=True,
            min_per_member=0,
            max_per_member=5,
        ).exists(),
    ),
    "dues_tier": (
        lambda: {"name": "Hardship", "monthly_amount": "1", "currency": "USD", "description": "For hard times"},
        {"name": "Hardship", "monthly_amount": "0", "currency": "USD"},
        "monthly_amount must be more than 0 (or the tier a hardship waiver)",
        lambda: DuesTier.objects.filter(name="Hardship", monthly_amount=1, description="For hard times").exists(),
    ),
    "patronage": (
        lambda: {
            "period_label": "FY2025",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "surplus": "1000",
            "reserve_percent": "40",
            "dues_paid_percent": "50",
        },
        {
            "period_label": "FY2025",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "surplus": "1000",
            "reserve_percent": "10",
            "dues_paid_percent": "50",
        },
        "Reserves must take between",
        lambda: PatronageAllocation.objects.filter(label="FY2025", surplus=1000, reserve_amount=1000).exists(),
    ),
    "text": (dict, {}, "This field is required.", lambda: True),
}


def _state() -> list[Any]:
    """Return everything a decision could change."""
    return [
        list(model.objects.values())
        for model in (
            DomainPolicy,
            RuleVersion,
            BylawsVersion,
            Membership,
            ShareClass,
            DuesTier,
            PatronageAllocation,
            InstanceSettings,
            ModerationAction,
            CustomEmoji,
        )
    ]


def _post(client: Client, kind: str, fields: dict[str, Any], **extra: Any) -> Any:
    data = {"kind": kind, "method": "consent", "count": "2", "title": f"A {kind} decision", "body": ""}
    return client.post(NEW, {**data, **extra, **fields})


def _preview_lines(content: bytes) -> list[str]:
    section = content.decode().split('class="preview"', 1)[1].split("</section>", 1)[0]
    return [unescape(line) for line in re.findall(r"<li>(.*?)</li>", section)]


def _open(client: Client, kind: str, fields: dict[str, Any], **extra: Any) -> tuple[Proposal, list[str]]:
    """Preview the proposal, then open exactly what was previewed; return it and the preview's lines."""
    preview = _post(client, kind, fields, **extra)
    assert preview.status_code == 200, preview.content.decode()
    digest = re.search(rb'name="previewed" value="([0-9a-f]+)"', preview.content)
    assert digest is not None
    opened = _post(client, kind, fields, confirm="open", previewed=digest.group(1).decode(), **extra)
    assert opened.status_code == 302
    return Proposal.objects.get(), _preview_lines(preview.content)


def test_every_kind_has_a_form() -> None:
    assert set(PAYLOAD_FORMS) == set(KINDS) == set(ProposalKind)


@pytest.mark.parametrize("kind", KINDS)
def test_the_form_refuses_bad_input_with_a_message_and_changes_nothing(kind: str) -> None:
    client = signed_in(make_member())
    setup, bad, message, _ = KINDS[kind]
    setup()
    before = _state()
    fields = {**bad, "title": ""} if kind == "text" else bad
    if "bylaws" in fields:
        fields = _bylaws(**fields["bylaws"])
    response = _post(client, kind, fields, confirm="open")
    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assert not Proposal.objects.exists()
    assert _state() == before


@pytest.mark.parametrize("kind", KINDS)
def test_a_passed_proposal_enacts_what_its_preview_showed_and_the_log_links_them(kind: str) -> None:
    member = make_member()
    client = signed_in(member)
    setup, _, _, check = KINDS[kind]
    proposal, previewed = _open(client, kind, setup())
    assert client.get(f"/governance/proposals/{proposal.pk}").status_code == 200
    vote(member, proposal, 0)
    closed = close(proposal)
    page = client.get(f"/governance/proposals/{proposal.pk}").content.decode()
    assert "Passed</p>" in page
    assert "If it passes" not in page
    assert "error" not in closed.enactment, closed.enactment
    assert check()
    result = LogEntry.objects.get(kind=LogEntry.Kind.PROPOSAL_CLOSED)
    assert closed.enactment["result_entry"] == result.sequence
    opened = LogEntry.objects.get(kind=LogEntry.Kind.PROPOSAL_OPENED)
    assert opened.data["preview"] == previewed
    if kind != "text":
        change = LogEntry.objects.get(sequence=closed.enactment["log_entry"])
        assert change.data.get("result_entry", result.sequence) == result.sequence
        assert change.data.get("proposal") == proposal.pk
    assert verify_log_chain() == []


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind != "text"])
def test_a_failed_proposal_changes_nothing(kind: str) -> None:
    member = make_member()
    client = signed_in(member)
    setup, _, _, _ = KINDS[kind]
    proposal, _ = _open(client, kind, setup())
    before = _state()
    vote(member, proposal, 2)
    closed = close(proposal)
    assert closed.outcome == "failed"
    assert closed.enactment == {}
    assert _state() == before
    page = client.get(f"/governance/proposals/{proposal.pk}").content.decode()
    assert "Rejected</p>" in page
    assert "If it passes" not in page


def test_ranked_options_each_carry_a_change_and_the_winner_is_enacted() -> None:
    member = make_member()
    client = signed_in(member)
    fields = {
        "option1-label": "Small shares",
        "option1-name": "Small",
        "option1-nominal_value": "10",
        "option1-currency": "USD",
        "option1-carries_vote": "on",
        "option1-min_per_member": "1",
        "option2-label": "Large shares",
        "option2-name": "Large",
        "option2-nominal_value": "100",
        "option2-currency": "USD",
        "option2-carries_vote": "on",
        "option2-min_per_member": "1",
    }
    proposal, previewed = _open(client, "share_class", fields, method="ranked_choice")
    assert "Create the share class 'Large': 100.00 USD a share" in previewed
    assert proposal.options == ["Small shares", "Large shares"]
    vote(member, proposal, [1, 0])
    closed = close(proposal)
    assert closed.enactment["option"] == 1
    assert set(ShareClass.objects.filter(name__in=["Small", "Large"]).values_list("name", flat=True)) == {"Large"}
    assert "won, enacted" in client.get(f"/governance/proposals/{proposal.pk}").content.decode()
    assert verify_log_chain() == []


def test_the_form_is_prefilled_from_the_query() -> None:
    client = signed_in(make_member())
    page = client.get(NEW, {"kind": "dues_tier", "name": "Solidarity", "monthly_amount": "10"}).content.decode()
    assert 'value="Solidarity"' in page
    assert 'value="10"' in page


def test_rules_are_shown_in_percentages_and_people() -> None:
    members = [make_member() for _ in range(10)]
    client = signed_in(members[0])
    page = client.get(NEW, {"kind": "text"}).content.decode()
    assert "Quorum 20% of 10 members = 2" in page
    assert "at least 6 days" in page
    proposal, _ = _open(client, "text", {}, threshold_basis="electorate")
    assert proposal.threshold_basis == "electorate"
    for voter, choice in zip(members[:3], [0, 0, 2], strict=True):
        vote(voter, proposal, choice)
    page = client.get(f"/governance/proposals/{proposal.pk}").content.decode()
    assert "Passes with 50% of the whole electorate agreeing: 5 of 10 members" in page
    assert "0.2000" not in page
    closed = close(proposal)
    assert closed.outcome == "failed"


def test_a_change_after_the_preview_is_previewed_again_before_opening() -> None:
    client = signed_in(make_member())
    preview = _post(client, "budget", {"amount": "50", "currency": "USD", "payee": "Host"})
    digest = re.search(rb'name="previewed" value="([0-9a-f]+)"', preview.content)
    assert digest is not None
    response = _post(
        client, "budget", {"amount": "5000", "currency": "USD", "payee": "Host"}, confirm="open", previewed="x"
    )
    assert response.status_code == 200
    assert "Pay 5000.00 USD to Host" in response.content.decode()
    assert not Proposal.objects.exists()


def test_a_share_class_is_changed_from_its_prefilled_terms_and_its_value_stays_once_issued() -> None:
    member = make_member()
    client = signed_in(member)
    share_class = ShareClass.objects.get()
    page = client.get(NEW, {"kind": "share_class", "share_class": str(share_class.pk)}).content.decode()
    assert f'value="{share_class.name}"' in page
    terms = {
        "share_class": str(share_class.pk),
        "name": share_class.name,
        "nominal_value": str(share_class.nominal_value),
        "currency": share_class.currency,
        "carries_vote": "on",
        "redeemable": "on",
        "min_per_member": "1",
        "max_per_member": "10",
    }
    refused = _post(client, "share_class", {**terms, "nominal_value": "999"})
    assert "their nominal value cannot change" in refused.content.decode()
    proposal, previewed = _open(client, "share_class", terms)
    assert f"Change share class #{share_class.pk} to {share_class.name!r}" in previewed[0]
    assert "max per member" in client.get(f"/governance/proposals/{proposal.pk}").content.decode()
    vote(member, proposal, 0)
    close(proposal)
    share_class.refresh_from_db()
    assert share_class.max_per_member == 10


def test_showing_another_kinds_form_keeps_what_was_typed_and_opens_nothing() -> None:
    client = signed_in(make_member())
    typed = {"kind": "server_rule", "method": "consent", "count": "2", "title": "Kinder rules", "body": "We need one."}
    page = client.post(NEW, {**typed, "confirm": "switch"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="Kinder rules"' in html
    assert "We need one.</textarea>" in html
    assert '<option value="server_rule" selected>' in html
    assert 'name="text"' in html  # the rule's wording, the server rule's own field
    assert "This field is required." not in html
    assert not Proposal.objects.exists()


def test_the_kind_form_names_a_general_motion_and_ends_its_help_with_one_full_stop() -> None:
    html = signed_in(make_member()).get(NEW).content.decode()
    assert '<option value="text" selected>General motion</option>' in html
    assert "Text (no payload)" not in html
    assert "Leave empty for the earliest." in html
    assert ".." not in html.replace("...", "")

"""The demo co-op that the run command seeds on first start."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from governance.actions.founding import FOUNDING_AUTHORITY, RuleText, do_adopt_founding_documents
from governance.models import CharterVersion
from members.actions.accounts import check_create_account, do_create_account
from members.actions.enrolment import do_enrol_member
from members.actions.payment_instructions import check_change_payment_instructions, do_change_payment_instructions
from members.actions.roles import do_grant_role
from members.actions.share_classes import ShareClassDraft, do_create_share_class
from members.models import Role

CHARTER_TITLE = "Charter of the Mutuals demo co-op"
CHARTER_TEXT = """\
This server is owned by the people who use it. Every member holds a share and
has one vote, however many shares they hold.

Members decide together how the server is moderated: which servers we federate
with, which rules we keep, and who may join. Decisions are made in assemblies
held in the app, and once passed they take effect by themselves.

Anyone may apply to join. A membership officer admits applicants once their
member share is paid. Dues are on a sliding scale, from 1 to 10 a month.

Every moderation action names the rule it enforces, and every decision, rule
and action is recorded in a public log that anyone can read and check.
"""

PAYMENT_INSTRUCTIONS = """\
Pay by bank transfer to Mutuals Demo Co-op
IBAN: XX00 0000 0000 0000 0000 00 (a demo account: send nothing)
Reference: your username, then SHARE or DUES

Or pay by card at https://pay.demo.invalid/mutuals
The treasurer records your payment within a week.
"""

RULES = [
    RuleText("Treat others with respect: no harassment, threats or hate speech."),
    RuleText("Mark sensitive media and use content warnings for distressing topics."),
    RuleText("No spam, advertising or automated posting without a bot flag."),
    RuleText("Respect privacy: do not share others' personal information without consent."),
    RuleText("Follow the law where the co-op is registered."),
]


@dataclass(frozen=True)
class DemoCredential:
    """A demo login to print once."""

    username: str
    password: str
    role: str


def is_seeded() -> bool:
    """Return whether the demo co-op (or any founding charter) exists already."""
    return CharterVersion.objects.exists()


def seed_demo_coop() -> list[DemoCredential]:
    """Create the founding admin, two members, a share class, the charter, rules and payment instructions."""
    credentials = [
        DemoCredential("admin", secrets.token_urlsafe(12), "founding admin"),
        DemoCredential("alice", secrets.token_urlsafe(12), "member"),
        DemoCredential("bob", secrets.token_urlsafe(12), "member"),
    ]
    with transaction.atomic():
        do_adopt_founding_documents(CHARTER_TITLE, CHARTER_TEXT, RULES)
        share_class = do_create_share_class(
            ShareClassDraft("Member share", Decimal("10.00"), min_per_member=1, max_per_member=1, currency="USD")
        )
        for credential in credentials:
            request = check_create_account(
                credential.username,
                email=f"{credential.username}@demo.invalid",
                password=credential.password,
                display_name=credential.username.capitalize(),
            )
            user = do_create_account(request, is_admin=credential.role == "founding admin")
            do_enrol_member(user, approved_by=None, authorised_by=FOUNDING_AUTHORITY, share_class=share_class)
            if credential.role == "founding admin":
                for role in (Role.MEMBERSHIP_OFFICER, Role.TREASURER):
                    do_grant_role(user, role, authorised_by=FOUNDING_AUTHORITY)
                do_change_payment_instructions(check_change_payment_instructions(user, PAYMENT_INSTRUCTIONS))
    return credentials

"""A member's governance records in their data inventory and archive: ballots, reports, moderation, appeals.

Members, below governance, lists what the server holds about a member and
writes their archive; governance adds its part of both when it loads.
"""

from __future__ import annotations

from typing import Any

from federation.models import Actor
from governance.actions.ballots import tracker_for
from governance.models import Appeal, Ballot, ModerationAction, Participation, Report
from members.data_archive import ArchiveDocument, account_address
from members.data_inventory import UNTIL_DELETION, DataCategory
from members.models import User


def account_categories(actor: Actor) -> list[DataCategory]:
    """Return the categories held about a member's account: reports it filed, moderation about it."""
    return [
        DataCategory(
            "reports_filed", "Reports you filed", Report.objects.filter(reporter=actor).count(), UNTIL_DELETION
        ),
        DataCategory(
            "moderation",
            "Moderation actions and reports about you",
            ModerationAction.objects.filter(target_account=actor).count() + Report.objects.filter(target=actor).count(),
            "Kept pseudonymised in the transparency log after deletion.",
            kept_after_deletion=True,
            legal_basis="The co-op's transparency log is append-only, so moderation decisions stay auditable.",
        ),
    ]


def member_categories(user: User) -> list[DataCategory]:
    """Return the categories held about a member: their ballots and appeals."""
    return [
        DataCategory(
            "named_ballots",
            "Named ballots",
            Ballot.objects.filter(voter=user).count(),
            "As long as the proposal's record.",
            kept_after_deletion=True,
            legal_basis="The bylaws make assembly decisions verifiable; ballots are kept pseudonymised and "
            "tallies never change.",
        ),
        DataCategory(
            "secret_ballots",
            "Secret ballots you cast (only the receipt is yours)",
            Participation.objects.filter(user=user, proposal__secret=True).count(),
            "Secret ballots carry no identity and stay as they are.",
            kept_after_deletion=True,
            legal_basis="Secret ballots name nobody; the record that you took part is pseudonymised.",
        ),
        DataCategory("appeals", "Your appeals", Appeal.objects.filter(appellant=user).count(), UNTIL_DELETION),
    ]


def ballots_document(user: User, actor: Actor) -> list[dict[str, Any]]:
    """Return the member's named ballots and the receipt of each secret ballot they cast."""
    named = Ballot.objects.filter(voter=user).select_related("proposal").order_by("cast_at")
    records: list[dict[str, Any]] = [
        {
            "proposal": ballot.proposal_id,
            "title": ballot.proposal.title,
            "secret": False,
            "choice": ballot.choice,
            "cast_at": ballot.cast_at.isoformat(),
            "tracker": ballot.tracker,
        }
        for ballot in named
    ]
    secret = Participation.objects.filter(user=user, proposal__secret=True).select_related("proposal")
    for participation in secret.order_by("first_voted_at"):
        records.append(
            {
                "proposal": participation.proposal_id,
                "title": participation.proposal.title,
                "secret": True,
                "last_voted_at": participation.last_voted_at.isoformat(),
                "tracker": tracker_for(participation.proposal, user.pk),
            }
        )
    return records


def moderation_document(user: User, actor: Actor) -> dict[str, Any]:
    """Return moderation about the member's account, reports about it (without the reporter), theirs and appeals."""
    actions = ModerationAction.objects.filter(target_account=actor).order_by("created_at")
    received = Report.objects.filter(target=actor).order_by("created_at")
    filed = Report.objects.filter(reporter=actor).select_related("target").order_by("created_at")
    appeals = Appeal.objects.filter(appellant=user).order_by("pk")
    return {
        "actions": [
            {
                "kind": action.kind,
                "authority": action.authority,
                "text": action.text,
                "state": action.state,
                "emergency": action.emergency,
                "target_status_id": action.target_status_id,
                "created_at": action.created_at.isoformat(),
                "ended_at": action.ended_at.isoformat() if action.ended_at else None,
            }
            for action in actions
        ],
        "reports_about_you": [
            {"category": r.category, "state": r.state, "created_at": r.created_at.isoformat()} for r in received
        ],
        "reports_you_filed": [
            {
                "target": account_address(r.target),
                "category": r.category,
                "comment": r.comment,
                "state": r.state,
                "created_at": r.created_at.isoformat(),
            }
            for r in filed
        ],
        "appeals": [{"action": a.action_id, "state": a.state, "text": a.text} for a in appeals],
    }


BALLOTS = ArchiveDocument(
    name="coop/ballots.json",
    readme="""\
coop/ballots.json            Your named ballots, and the receipt (tracker)
                             of each secret ballot you cast: find it in the
                             published ballot list after the proposal closes.
                             Secret ballots are stored without your name, so
                             only the receipt is yours.
""",
    build=ballots_document,
)

MODERATION = ArchiveDocument(
    name="coop/moderation.json",
    readme="""\
coop/moderation.json         Moderation actions about your account, reports
                             about it (without the reporter), reports you
                             filed and your appeals.
""",
    build=moderation_document,
)

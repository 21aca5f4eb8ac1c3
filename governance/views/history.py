"""Pages for the rules and bylaws with their version history, and a member's ballot receipts."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from governance.actions.ballots import tracker_for
from governance.history import BylawsChange, bylaws_history, rule_histories
from governance.models import Ballot, Participation, Proposal
from governance.views.bylaws_values import shown_setting_value
from members.models import BylawsVersion, User


@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    """Show every rule's current wording and its earlier versions with what changed."""
    return render(request, "governance/rules.html", {"histories": rule_histories()})


@require_GET
def bylaws(request: HttpRequest) -> HttpResponse:
    """Show the bylaws in force and each earlier version's changes."""
    history = bylaws_history()
    previous: list[BylawsVersion | None] = [entry.version for entry in history[1:]] + [None]
    shown = [_shown_change(entry, before) for entry, before in zip(history, previous, strict=True)]
    return render(request, "governance/bylaws.html", {"history": shown})


@dataclass(frozen=True)
class ShownSetting:
    """A setting a bylaws version changed, its values as the reader's language writes them."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ShownBylawsChange:
    """A bylaws version and the settings it changed, ready for the page."""

    version: BylawsVersion
    changes: list[ShownSetting]


def _shown_change(entry: BylawsChange, previous: BylawsVersion | None) -> ShownBylawsChange:
    """Return a version's changes with each value read from the versions themselves and written for the reader."""
    return ShownBylawsChange(
        version=entry.version,
        changes=[
            ShownSetting(
                label=change.label,
                before="" if previous is None else shown_setting_value(change.name, getattr(previous, change.name)),
                after=shown_setting_value(change.name, getattr(entry.version, change.name)),
            )
            for change in entry.changes
        ],
    )


@dataclass(frozen=True)
class Receipt:
    """A member's receipt for one proposal, and whether the published ballots show it."""

    proposal: Proposal
    tracker: str
    published: bool | None


@require_GET
@login_required
def receipts(request: HttpRequest) -> HttpResponse:
    """List the signed-in member's receipts; after close, say whether each is among the published ballots."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required lets only users through)
    participations = Participation.objects.filter(user=user).select_related("proposal").order_by("-last_voted_at")
    found: list[Receipt] = []
    for participation in participations:
        proposal = participation.proposal
        tracker = tracker_for(proposal, user.pk)
        published: bool | None = None
        if proposal.state != Proposal.State.OPEN:
            published = Ballot.objects.filter(proposal=proposal, tracker=tracker).exists()
        found.append(Receipt(proposal=proposal, tracker=tracker, published=published))
    return render(request, "governance/receipts.html", {"receipts": found})

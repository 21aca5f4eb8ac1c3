"""Who may vote: members in good standing holding the minimum of a voting share class.

One vote each, whatever the number of shares: the answer is a set of user
ids, so nothing downstream can weight a vote by holdings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from django.utils import timezone

from members.holdings import derived_holdings
from members.models import DuesPayment, MembershipEvent, MembershipStatus, ShareClass
from members.selectors import bylaws_in_force, statuses_at
from members.standing import tier_choices, unpaid_months_from


def eligible_voter_ids(at: datetime, *, among: Collection[int] | None = None) -> list[int]:
    """Return the ids of users eligible to vote on a decision opened at `at`, ascending, each once.

    Only what was recorded by `at` counts, so the electorate of an open
    decision never changes afterwards. `among` limits the question to some
    users, so that asking about one person reads only their records.
    """
    bylaws = bylaws_in_force(at)
    statuses = statuses_at(at, user_ids=among)
    members = {user_id for user_id, status in statuses.items() if status == MembershipStatus.MEMBER}
    if not members:
        return []
    voting_classes = set(ShareClass.objects.filter(carries_vote=True).values_list("pk", flat=True))
    holders = {
        user_id
        for (user_id, class_id), quantity in derived_holdings(
            as_of=timezone.localdate(at), known_at=at, user_ids=members
        ).items()
        if class_id in voting_classes and quantity >= bylaws.minimum_voting_shares
    }
    candidates = members & holders
    admissions: dict[int, datetime] = {}
    for user_id, occurred_at in MembershipEvent.objects.filter(
        user_id__in=candidates, kind=MembershipEvent.Kind.ADMITTED, occurred_at__lte=at
    ).values_list("user_id", "occurred_at"):
        admissions[user_id] = max(occurred_at, admissions.get(user_id, occurred_at))
    payments: defaultdict[int, list[DuesPayment]] = defaultdict(list)
    for payment in DuesPayment.objects.filter(user_id__in=candidates, recorded_at__lte=at):
        payments[payment.user_id].append(payment)
    choices = tier_choices(candidates, at)
    eligible = [
        user_id
        for user_id in candidates
        if user_id in admissions
        and len(unpaid_months_from(payments[user_id], at, admissions[user_id], bylaws, choices.get(user_id, [])))
        < bylaws.dues_grace_months
    ]
    return sorted(eligible)


def is_eligible_voter(user_id: int, at: datetime) -> bool:
    """Return whether the user may vote on a decision opened at `at`."""
    return user_id in eligible_voter_ids(at, among=[user_id])

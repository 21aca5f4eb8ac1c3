"""Properties of the register over random sequences of operations."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.actions.lifecycle import check_suspend_member, do_suspend_member
from members.actions.register import (
    check_correct_entry,
    check_redeem_shares,
    check_request_subscription,
    check_transfer_shares,
    do_correct_entry,
    do_record_paid_subscription,
    do_redeem_shares,
    do_transfer_shares,
)
from members.chain import verify_chain
from members.eligibility import eligible_voter_ids
from members.errors import MemberRefused
from members.holdings import derived_holdings, replay_entries
from members.models import MembershipStatus, RegisterEntry, ShareClass, User
from members.models.register import MOVING_KINDS
from members.selectors import statuses_at
from tests.factories.members import ShareClassFactory, make_member

DECISION = "Decision #1"
PEOPLE = 4

people = st.integers(min_value=0, max_value=PEOPLE - 1)
classes = st.integers(min_value=0, max_value=2)
quantities = st.integers(min_value=1, max_value=6)
operations = st.one_of(
    st.tuples(st.just("subscribe"), people, classes, quantities),
    st.tuples(st.just("transfer"), people, people, classes, quantities),
    st.tuples(st.just("redeem"), people, classes, quantities),
    st.tuples(st.just("correct"), st.integers(min_value=0, max_value=40)),
    st.tuples(st.just("suspend"), people),
)

HYPOTHESIS_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def share_classes() -> list[ShareClass]:
    return [
        ShareClassFactory.create(name="Member share", max_per_member=1),
        ShareClassFactory.create(name="Supporter share", transferable=True, max_per_member=10),
        ShareClassFactory.create(name="Investor share", transferable=True, carries_vote=False, min_per_member=2),
    ]


def apply(operation: tuple[object, ...], users: list[User], share: list[ShareClass]) -> None:
    """Check then perform one operation, skipping it if the checks refuse."""
    kind = operation[0]
    try:
        if kind == "subscribe":
            _, who, which, quantity = operation
            assert isinstance(who, int) and isinstance(which, int) and isinstance(quantity, int)
            check_request_subscription(users[who], share[which], quantity)
            do_record_paid_subscription(users[who], share[which], quantity, approved_by=None, authorised_by=DECISION)
        elif kind == "transfer":
            _, giver, receiver, which, quantity = operation
            assert isinstance(giver, int) and isinstance(receiver, int)
            assert isinstance(which, int) and isinstance(quantity, int)
            args = (users[giver], users[receiver], share[which], quantity)
            do_transfer_shares(check_transfer_shares(*args, approved_by=None, authorised_by=DECISION))
        elif kind == "redeem":
            _, who, which, quantity = operation
            assert isinstance(who, int) and isinstance(which, int) and isinstance(quantity, int)
            do_redeem_shares(
                check_redeem_shares(users[who], share[which], quantity, approved_by=None, authorised_by=DECISION)
            )
        elif kind == "correct":
            index = operation[1]
            assert isinstance(index, int)
            entries = list(RegisterEntry.objects.order_by("sequence"))
            entry = entries[index % len(entries)]
            do_correct_entry(
                check_correct_entry(entry, reason="Random correction", approved_by=None, authorised_by=DECISION)
            )
        else:
            who = operation[1]
            assert isinstance(who, int)
            do_suspend_member(check_suspend_member(users[who], reason="Random", authorised_by=DECISION))
    except MemberRefused:
        return


def supply() -> Counter[int]:
    """Return the number of shares in existence per class: issued less redeemed, net of corrections."""
    total: Counter[int] = Counter()
    for entry in RegisterEntry.objects.filter(kind__in=MOVING_KINDS):
        if entry.from_user_id is None:
            total[entry.share_class_id] += entry.quantity
        if entry.to_user_id is None:
            total[entry.share_class_id] -= entry.quantity
    return total


@pytest.mark.django_db
@HYPOTHESIS_SETTINGS
@given(st.lists(operations, min_size=1, max_size=15))
def test_random_operations_keep_the_register_consistent(sequence: list[tuple[object, ...]]) -> None:
    with transaction.atomic():
        share = share_classes()
        users = [make_member(username=f"person{n}") for n in range(PEOPLE)]
        for operation in sequence:
            before_supply, before_count = supply(), RegisterEntry.objects.count()
            apply(operation, users, share)
            holdings = derived_holdings()
            assert all(quantity > 0 for quantity in holdings.values())
            assert replay_entries(RegisterEntry.objects.order_by("sequence")) == holdings
            if operation[0] == "transfer" and RegisterEntry.objects.count() > before_count:
                assert supply() == before_supply
        assert verify_chain(RegisterEntry.objects.order_by("sequence")) == []
        transaction.set_rollback(True)


@pytest.mark.django_db
@HYPOTHESIS_SETTINGS
@given(st.lists(operations, min_size=1, max_size=12), st.data())
def test_the_electorate_counts_each_member_once_whatever_their_shares(
    sequence: list[tuple[object, ...]], data: st.DataObject
) -> None:
    with transaction.atomic():
        share = share_classes()
        users = [make_member(username=f"person{n}") for n in range(PEOPLE)]
        for operation in sequence:
            apply(operation, users, share)
        now = timezone.now()
        electorate = eligible_voter_ids(now)
        assert electorate == sorted(set(electorate))
        statuses = statuses_at(now)
        voting = {s.pk for s in share if s.carries_vote}
        for user_id in electorate:
            assert statuses[user_id] == MembershipStatus.MEMBER
            assert any(q >= 1 for (u, c), q in derived_holdings().items() if u == user_id and c in voting)
        # Buying more voting shares never adds a vote.
        rich = data.draw(st.sampled_from(users))
        if rich.pk in electorate and derived_holdings().get((rich.pk, share[1].pk), 0) < 10:
            do_record_paid_subscription(rich, share[1], 1, approved_by=None, authorised_by=DECISION)
            assert eligible_voter_ids(timezone.now()).count(rich.pk) == 1
        transaction.set_rollback(True)


@pytest.mark.django_db
@HYPOTHESIS_SETTINGS
@given(
    st.lists(quantities, min_size=2, max_size=8),
    st.data(),
    st.sampled_from(["quantity", "note", "amount", "to_user", "effective_date", "previous_hash"]),
)
def test_the_hash_chain_detects_any_edited_entry(quantities_issued: list[int], data: st.DataObject, field: str) -> None:
    with transaction.atomic():
        share = share_classes()
        users = [make_member(username=f"person{n}") for n in range(2)]
        for quantity in quantities_issued:
            try:
                check_request_subscription(users[0], share[2], quantity)
            except MemberRefused:
                continue
            do_record_paid_subscription(users[0], share[2], quantity, approved_by=None, authorised_by=DECISION)
        entries = list(RegisterEntry.objects.order_by("sequence"))
        target = data.draw(st.sampled_from(entries))
        changes: dict[str, object] = {
            "quantity": target.quantity + 1,
            "note": target.note + "edited",
            "amount": target.amount + Decimal("0.01"),
            "to_user": users[1] if target.to_user_id != users[1].pk else users[0],
            "effective_date": target.effective_date.replace(year=target.effective_date.year - 1),
            "previous_hash": "f" * 64 if target.previous_hash != "f" * 64 else "e" * 64,
        }
        if field == "to_user" and target.to_user_id is None:
            field = "note"
        RegisterEntry.objects.filter(pk=target.pk).update(**{field: changes[field]})
        faults = verify_chain(RegisterEntry.objects.order_by("sequence"))
        assert target.sequence in {fault.sequence for fault in faults}
        transaction.set_rollback(True)

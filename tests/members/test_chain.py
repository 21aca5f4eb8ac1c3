"""The hash chain: removed, reordered or edited entries are found."""

from __future__ import annotations

import itertools

import pytest

from members.chain import compute_entry_hash, verify_chain
from members.models import RegisterEntry, User
from members.models.register import GENESIS_HASH
from tests.factories.members import make_member


@pytest.mark.django_db
def test_chain_starts_at_genesis_and_links_each_entry(member: User) -> None:
    entries = list(RegisterEntry.objects.order_by("sequence"))
    assert entries[0].previous_hash == GENESIS_HASH
    assert all(later.previous_hash == earlier.entry_hash for earlier, later in itertools.pairwise(entries))
    assert all(compute_entry_hash(entry) == entry.entry_hash for entry in entries)
    assert verify_chain(entries) == []


@pytest.mark.django_db
def test_a_removed_entry_breaks_the_chain(member: User) -> None:
    make_member(username="nina")
    entries = list(RegisterEntry.objects.order_by("sequence"))
    faults = verify_chain(entries[:2] + entries[3:])
    assert [(fault.sequence, fault.problem) for fault in faults] == [
        (4, "expected sequence 3"),
        (4, "link to the previous entry is broken"),
    ]


@pytest.mark.django_db
def test_swapped_entries_break_the_chain(member: User) -> None:
    entries = list(RegisterEntry.objects.order_by("sequence"))
    assert verify_chain([entries[1], entries[0], entries[2]]) != []

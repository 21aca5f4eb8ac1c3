"""The default member share class: made once, even by first enrolments running at the same time."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from members.actions import enrolment
from members.actions.enrolment import DEFAULT_SHARE_CLASS, member_share_class
from members.errors import MemberRefused
from members.models import ShareClass

THREADS = 4


@pytest.mark.django_db
def test_the_first_call_makes_the_default_class_and_later_calls_return_it() -> None:
    made = member_share_class()
    assert (made.name, made.carries_vote, made.min_per_member) == (DEFAULT_SHARE_CLASS, True, 1)
    assert member_share_class() == made
    assert ShareClass.objects.count() == 1


@pytest.mark.django_db
def test_an_existing_voting_class_is_used_rather_than_a_new_one() -> None:
    ShareClass.objects.create(name="Investor share", nominal_value=Decimal("100.00"), carries_vote=False)
    voting = ShareClass.objects.create(name="Worker share", nominal_value=Decimal("5.00"))
    assert member_share_class() == voting
    assert ShareClass.objects.count() == 2


@pytest.mark.django_db
def test_a_non_voting_class_holding_the_default_name_is_refused_and_nothing_is_made() -> None:
    ShareClass.objects.create(name=DEFAULT_SHARE_CLASS, nominal_value=Decimal("10.00"), carries_vote=False)
    with pytest.raises(MemberRefused, match="create a voting share class first"):
        member_share_class()
    assert list(ShareClass.objects.values_list("name", "carries_vote")) == [(DEFAULT_SHARE_CLASS, False)]


@pytest.mark.django_db(transaction=True)
def test_first_enrolments_at_once_make_one_class_and_all_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each thread, on its own database connection, finds no class, waits for the others to find none too,
    then inserts: one insert wins and the others read its row, where they used to fail on the unique name.
    """
    if connection.vendor == "sqlite":
        pytest.skip("the suite's SQLite test database is in memory, which threads cannot share: PostgreSQL runs this")
    everyone_looked = threading.Barrier(THREADS, timeout=20)
    looked = threading.local()
    first_look = enrolment._first_voting_share_class

    def look_then_wait() -> ShareClass | None:
        found = first_look()
        if not getattr(looked, "once", False):
            looked.once = True
            everyone_looked.wait()
        return found

    monkeypatch.setattr(enrolment, "_first_voting_share_class", look_then_wait)

    def enrol() -> int:
        try:
            return member_share_class().pk
        finally:
            connection.close()

    with ThreadPoolExecutor(THREADS) as pool:
        ids = list(pool.map(lambda _: enrol(), range(THREADS)))
    assert len(set(ids)) == 1
    assert list(ShareClass.objects.values_list("pk", "name")) == [(ids[0], DEFAULT_SHARE_CLASS)]

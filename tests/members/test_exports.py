"""The register as of any date, its CSV and the share certificate."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from members.actions.register import (
    check_redeem_shares,
    check_transfer_shares,
    do_record_paid_subscription,
    do_redeem_shares,
    do_transfer_shares,
)
from members.exports import certificate_for, journal_csv, register_csv
from members.holdings import derived_holdings, register_as_of, replay_entries
from members.models import RegisterEntry, ShareClass, User
from tests.factories.members import make_member


@pytest.mark.django_db
def test_register_as_of_each_past_date_equals_the_journal_replayed_to_it(
    member: User, investor_share: ShareClass
) -> None:
    today = timezone.localdate()
    other = make_member(username="nina")
    decision = "Decision #40"
    day = today - timedelta(days=9)
    do_record_paid_subscription(member, investor_share, 6, approved_by=None, authorised_by=decision, effective_date=day)
    day = today - timedelta(days=6)
    do_transfer_shares(
        check_transfer_shares(
            member, other, investor_share, 3, approved_by=None, authorised_by=decision, effective_date=day
        )
    )
    day = today - timedelta(days=3)
    do_redeem_shares(
        check_redeem_shares(other, investor_share, 1, approved_by=None, authorised_by=decision, effective_date=day)
    )
    for days_ago in range(12):
        day = today - timedelta(days=days_ago)
        replayed = replay_entries(RegisterEntry.objects.filter(effective_date__lte=day).order_by("sequence"))
        assert derived_holdings(as_of=day) == replayed
        lines = {(line.user.pk, line.share_class.pk): line.quantity for line in register_as_of(day)}
        assert lines == replayed
    assert derived_holdings(as_of=today - timedelta(days=7))[(member.pk, investor_share.pk)] == 6
    assert derived_holdings(as_of=today - timedelta(days=4))[(other.pk, investor_share.pk)] == 3
    assert derived_holdings(as_of=today)[(other.pk, investor_share.pk)] == 2


@pytest.mark.django_db
def test_csv_exports(member: User, member_share: ShareClass) -> None:
    rows = list(csv.reader(io.StringIO(register_csv())))
    assert rows == [
        ["holder", "email", "share_class", "quantity", "nominal_value", "currency", "nominal_total"],
        ["mira", "mira@example.test", "Member share", "1", "10.00", "USD", "10.00"],
    ]
    assert list(csv.reader(io.StringIO(register_csv(timezone.localdate() - timedelta(days=1))))) == rows[:1]
    journal = list(csv.reader(io.StringIO(journal_csv())))
    assert [row[1] for row in journal[1:]] == ["subscription_request", "payment_confirmation", "issue"]
    last = RegisterEntry.objects.order_by("sequence").last()
    assert last is not None
    assert journal[-1][-1] == last.entry_hash
    assert journal[-1][-2] == journal[-2][-1]


@pytest.mark.django_db
def test_certificate_states_holdings_and_the_register_head(member: User, investor_share: ShareClass) -> None:
    do_record_paid_subscription(member, investor_share, 3, approved_by=None, authorised_by="D")
    certificate = certificate_for(member, timezone.localdate())
    assert [(line.share_class.name, line.quantity) for line in certificate.lines] == [
        ("Investor share", 3),
        ("Member share", 1),
    ]
    assert str(certificate.total_nominal) == "160.00"
    assert certificate.head_hash == RegisterEntry.objects.order_by("sequence").last().entry_hash  # type: ignore[union-attr]
    empty = certificate_for(member, timezone.localdate() - timedelta(days=1))
    assert empty.lines == []

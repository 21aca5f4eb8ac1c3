"""Register commands: verify_register, export_register and import_dues."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from members.actions.register import check_transfer_shares, do_record_paid_subscription, do_transfer_shares
from members.models import DuesPayment, Membership, RegisterEntry, ShareClass, User
from tests.factories.members import make_member


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_verify_register_passes_then_finds_an_edited_entry(member: User) -> None:
    assert "chain intact" in run("verify_register")
    issue = RegisterEntry.objects.get(kind=RegisterEntry.Kind.ISSUE, to_user=member)
    RegisterEntry.objects.filter(pk=issue.pk).update(quantity=5)
    with pytest.raises(CommandError, match="fault"):
        run("verify_register")


@pytest.mark.django_db
def test_export_register_as_of_a_past_date(member: User, treasurer: User, investor_share: ShareClass) -> None:
    today = timezone.localdate()
    do_record_paid_subscription(
        member, investor_share, 4, approved_by=None, authorised_by="D", effective_date=today - timedelta(days=10)
    )
    do_transfer_shares(check_transfer_shares(member, treasurer, investor_share, 2, approved_by=None, authorised_by="D"))
    past = list(csv.reader(io.StringIO(run("export_register", "--as-of", str(today - timedelta(days=1))))))
    assert past[0] == ["holder", "email", "share_class", "quantity", "nominal_value", "currency", "nominal_total"]
    assert ["mira", "mira@example.test", "Investor share", "4", "50.00", "USD", "200.00"] in past
    assert not any(row[0] == "theo" and row[2] == "Investor share" for row in past)
    now = list(csv.reader(io.StringIO(run("export_register"))))
    assert ["theo", "theo@example.test", "Investor share", "2", "50.00", "USD", "100.00"] in now
    journal = list(csv.reader(io.StringIO(run("export_register", "--journal"))))
    assert journal[0][0] == "sequence"
    assert [row[1] for row in journal[1:]].count("transfer") == 1
    with pytest.raises(CommandError, match="as-of must be a date"):
        run("export_register", "--as-of", "yesterday")


@pytest.mark.django_db
def test_export_register_to_a_file(member: User, tmp_path: Path) -> None:
    target = tmp_path / "register.csv"
    call_command("export_register", "--output", str(target), stdout=io.StringIO(), stderr=io.StringIO())
    rows = list(csv.reader(target.open()))
    assert rows[1][:4] == ["mira", "mira@example.test", "Member share", "1"]


@pytest.mark.django_db
def test_import_dues_records_all_or_nothing_and_skips_repeats(member: User, treasurer: User, tmp_path: Path) -> None:
    other = make_member(username="nina")
    source = tmp_path / "dues.csv"
    good = (
        "member,amount,paid_on,external_id\n"
        f"{member.username},5.00,2026-01-04,tx-1\n"
        f"{other.email},3.00,2026-01-05,tx-2\n"
    )
    source.write_text(good + "ghost,3.00,2026-01-05,tx-3\n")
    with pytest.raises(CommandError, match="Line 4: no member"):
        call_command("import_dues", str(source), "--treasurer", "theo", stdout=io.StringIO(), stderr=io.StringIO())
    assert not DuesPayment.objects.exists()
    source.write_text(good)
    assert "Recorded 2" in run("import_dues", str(source), "--treasurer", "theo")
    assert "skipped 2" in run("import_dues", str(source), "--treasurer", "theo")
    assert sorted(DuesPayment.objects.values_list("external_id", flat=True)) == ["tx-1", "tx-2"]


@pytest.mark.django_db
def test_import_dues_refuses_a_non_treasurer(member: User, tmp_path: Path) -> None:
    source = tmp_path / "dues.csv"
    source.write_text(f"member,amount,paid_on\n{member.username},5.00,2026-01-04\n")
    with pytest.raises(CommandError, match="Only a treasurer"):
        call_command("import_dues", str(source), "--treasurer", "mira", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="No user named"):
        run("import_dues", str(source), "--treasurer", "nobody")
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_dues", str(tmp_path / "missing.csv"), "--treasurer", "mira")
    assert not DuesPayment.objects.exists()


@pytest.mark.django_db
def test_import_members_backdates_their_admission(tmp_path: Path) -> None:
    source = tmp_path / "members.csv"
    source.write_text(
        "username,email,joined_on\n"
        "ada,ada@example.test,2019-05-01\n"
        "bad name,b@example.test,2019-05-01\n"
        "cy,cy@example.test,someday\n"
    )
    with pytest.raises(CommandError, match="2 row"):
        call_command("import_members", str(source), stdout=io.StringIO(), stderr=io.StringIO())
    ada = User.objects.get(username="ada")
    membership = Membership.objects.get(user=ada)
    assert membership.status == "member"
    assert membership.admitted_at is not None
    assert membership.admitted_at.date().isoformat() == "2019-05-01"
    issue = RegisterEntry.objects.get(kind=RegisterEntry.Kind.ISSUE, to_user=ada)
    assert issue.effective_date.isoformat() == "2019-05-01"
    assert issue.authorised_by == "Imported member list"
    assert not User.objects.filter(username__in=["bad name", "cy"]).exists()

"""The co-op API's ownership administration: share classes, dues tiers, imports, patronage statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from members.actions.bylaws import do_adopt_bylaws_version
from members.actions.working_groups import do_create_working_group, do_seat_member
from members.models import ContributionRecord, DuesPayment, DuesTier, PatronageAllocation, ShareClass, User
from tests.clients import minted_bearer_for
from tests.factories.members import DuesPaymentFactory, make_member

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, user: User, body: dict[str, Any], method: str = "post") -> Any:
    call = getattr(client, method)
    return call(path, body, content_type="application/json", headers=minted_bearer_for(user, "write"))


def test_share_classes_need_the_assemblys_decision_by_default(client: Client, treasurer: User) -> None:
    body = {"name": "Supporter", "nominal_value": "25.00", "carries_vote": False}
    refused = post(client, "/api/v1/coop/share_classes", treasurer, body)
    assert refused.status_code == 403
    assert "reserve share classes to the assembly" in refused.json()["error"]
    assert not ShareClass.objects.filter(name="Supporter").exists()
    created = post(client, "/api/v1/coop/share_classes", treasurer, body | {"authorised_by": "Decision #12"})
    assert created.status_code == 201
    assert (created.json()["carries_vote"], created.json()["votes_per_member"]) == (False, 0)
    changed = post(
        client,
        f"/api/v1/coop/share_classes/{created.json()['id']}",
        treasurer,
        {"redeemable": False, "max_per_member": 10, "authorised_by": "Decision #13"},
        "patch",
    )
    assert (changed.status_code, changed.json()["redeemable"], changed.json()["max_per_member"]) == (200, False, 10)


def test_bad_share_class_input_is_refused_and_changes_nothing(
    client: Client, treasurer: User, member: User, member_share: ShareClass
) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": "X", "nominal_value": "ten"}, "must be a number"),
        ({"name": "X", "nominal_value": "-1"}, "must be positive"),
        ({"name": "X", "nominal_value": "1", "min_per_member": 5, "max_per_member": 2}, "below the minimum"),
    ]
    for body, message in cases:
        response = post(client, "/api/v1/coop/share_classes", treasurer, body | {"authorised_by": "D"})
        assert (response.status_code, message in response.json()["error"]) == (422, True)
    response = post(
        client,
        f"/api/v1/coop/share_classes/{member_share.pk}",
        treasurer,
        {"nominal_value": "99", "authorised_by": "D"},
    )
    assert "nominal value cannot change" in response.json()["error"]
    assert ShareClass.objects.get().nominal_value == Decimal("10.00")


def test_treasurers_keep_the_dues_tiers(client: Client, treasurer: User, member: User) -> None:
    body = {"name": "Sliding", "monthly_amount": "1.00", "sliding_scale_max": "10.00", "period_months": 12}
    assert post(client, "/api/v1/coop/dues_tiers", member, body).status_code == 403
    created = post(client, "/api/v1/coop/dues_tiers", treasurer, body)
    assert created.status_code == 201
    assert (created.json()["period_months"], created.json()["sliding_scale_max"]) == (12, "10.00")
    waiver = post(client, "/api/v1/coop/dues_tiers", treasurer, {"name": "Hardship", "hardship_waiver": True})
    assert (waiver.status_code, waiver.json()["monthly_amount"]) == (201, "0.00")
    tier_id = created.json()["id"]
    bad = post(client, f"/api/v1/coop/dues_tiers/{tier_id}", treasurer, {"period_months": 2}, "patch")
    assert bad.status_code == 422
    fixed = post(client, f"/api/v1/coop/dues_tiers/{tier_id}", treasurer, {"sliding_scale_max": None}, "patch")
    assert fixed.json()["sliding_scale_max"] is None
    listed = client.get("/api/v1/coop/dues_tiers", headers=minted_bearer_for(member, "read")).json()
    assert [tier["name"] for tier in listed] == ["Hardship", "Sliding"]
    assert DuesTier.objects.get(pk=tier_id).period_months == 12


def test_dues_and_contributions_are_imported_from_csv_all_or_nothing(
    client: Client, treasurer: User, member: User
) -> None:
    good = "member,amount,date,reference\nmira,5.00,2026-01-05,r-1\n"
    bad = post(client, "/api/v1/coop/dues_payments/import", treasurer, {"csv": good + "ghost,5,2026-01-05,r-2\n"})
    assert (bad.status_code, "Line 3: no member" in bad.json()["error"]) == (422, True)
    assert not DuesPayment.objects.exists()
    done = post(client, "/api/v1/coop/dues_payments/import", treasurer, {"csv": good})
    assert (done.status_code, len(done.json()["recorded"]), done.json()["skipped"]) == (201, 1, 0)
    again = post(client, "/api/v1/coop/dues_payments/import", treasurer, {"csv": good})
    assert (again.json()["recorded"], again.json()["skipped"]) == ([], 1)

    group = do_create_working_group("Tech", authorised_by="Decision #50")
    do_seat_member(group, treasurer, authorised_by="Decision #50")
    one = {"member": "mira", "group": "tech", "hours": "3", "worked_on": "2026-02-01"}
    assert post(client, "/api/v1/coop/contributions", member, one).status_code == 403
    assert post(client, "/api/v1/coop/contributions", treasurer, one | {"hours": "-1"}).status_code == 422
    assert post(client, "/api/v1/coop/contributions", treasurer, one).status_code == 201
    sheet = "member,hours,date,group\nmira,2,2026-02-02,Tech\nmira,2,2099-02-02,Tech\n"
    refused = post(client, "/api/v1/coop/contributions/import", treasurer, {"csv": sheet})
    assert "Line 3" in refused.json()["error"]
    assert ContributionRecord.objects.count() == 1


def test_statements_add_up_to_the_allocated_surplus(client: Client, treasurer: User, member: User) -> None:
    others = [make_member(username=name) for name in ("nina", "omar")]
    for user in [member, *others]:
        DuesPaymentFactory.create(user=user, amount=Decimal("7.00"), paid_on=date(2026, 3, 1))
    body = {
        "label": "FY2026",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "surplus": "1000.01",
        "reserve_fraction": "0.35",
        "pools": [{"name": "Use", "fraction": "1", "measure": "dues_paid"}],
    }
    refused = post(client, "/api/v1/coop/patronage/allocations", treasurer, body)
    assert "assembly decision" in refused.json()["error"]
    for bad in ({"reserve_fraction": "lots"}, {"pools": [{"name": "Use", "fraction": "1", "measure": "likes"}]}):
        response = post(client, "/api/v1/coop/patronage/allocations", treasurer, body | bad | {"authorised_by": "D"})
        assert response.status_code == 422
    assert not PatronageAllocation.objects.exists()
    created = post(client, "/api/v1/coop/patronage/allocations", treasurer, body | {"authorised_by": "Decision #60"})
    assert created.status_code == 201
    path = f"/api/v1/coop/patronage/allocations/{created.json()['id']}"
    allocation = client.get(path, headers=minted_bearer_for(treasurer, "read")).json()
    amounts = [Decimal(line["amount"]) for line in allocation["statements"]]
    # 1000.01 less a 350.00 reserve leaves 650.01, which three equal shares cannot split evenly.
    assert sorted(amounts) == [Decimal("216.67"), Decimal("216.67"), Decimal("216.67")]
    assert sum(amounts) == Decimal(allocation["allocated"]) == Decimal("650.01")
    headers = minted_bearer_for(member, "read")
    assert client.get(path, headers=headers).status_code == 404
    assert client.get("/api/v1/coop/patronage/allocations", headers=headers).status_code == 403
    mine = client.get("/api/v1/coop/patronage", headers=headers).json()
    assert [line["amount"] for line in mine] == ["216.67"]


def test_treasurers_allocate_when_the_bylaws_leave_patronage_to_them(client: Client, treasurer: User) -> None:
    do_adopt_bylaws_version({"assembly_decides_patronage": False}, authorised_by="Decision #61")
    body = {
        "label": "FY",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "surplus": "10",
        "reserve_fraction": "0.5",
        "pools[0][name]": "Work",
        "pools[0][fraction]": "1",
        "pools[0][measure]": "contribution_hours",
    }
    created = post(client, "/api/v1/coop/patronage/allocations", treasurer, body)
    assert (created.status_code, created.json()["authorised_by"]) == (201, "Treasurer theo")

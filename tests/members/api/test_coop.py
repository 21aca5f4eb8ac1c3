"""The co-op API: members read their own records; officers act on the register through it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from members.holdings import holdings_awaiting_redemption
from members.models import (
    DuesPayment,
    Invitation,
    Membership,
    MembershipEvent,
    MembershipStatus,
    RegisterEntry,
    RoleHolding,
    ShareClass,
    User,
)
from tests.clients import minted_bearer_for
from tests.factories.members import DuesTierFactory, make_member


def post(client: Client, path: str, user: User, body: dict[str, Any], scopes: str = "write") -> Any:
    return client.post(path, body, content_type="application/json", headers=minted_bearer_for(user, scopes))


@pytest.mark.django_db
def test_member_reads_membership_holdings_dues_and_bylaws(client: Client, member: User) -> None:
    headers = minted_bearer_for(member, "read:coop")
    membership = client.get("/api/v1/coop/membership", headers=headers).json()
    assert membership["status"] == "member"
    assert membership["in_good_standing"] is True
    assert membership["roles"] == ["member"]
    assert [event["kind"] for event in membership["history"]] == ["applied", "admitted"]
    holdings = client.get("/api/v1/coop/holdings", headers=headers).json()
    assert [(h["share_class"]["name"], h["quantity"]) for h in holdings["holdings"]] == [("Member share", 1)]
    assert [entry["kind"] for entry in holdings["entries"]] == ["subscription_request", "payment_confirmation", "issue"]
    past = client.get("/api/v1/coop/holdings?as_of=2000-01-01", headers=headers).json()
    assert past["holdings"] == []
    dues = client.get("/api/v1/coop/dues", headers=headers).json()
    assert (dues["payments"], dues["grace_months"], dues["in_arrears"]) == ([], 3, False)
    bylaws = client.get("/api/v1/coop/bylaws", headers=headers).json()
    assert bylaws["settings"]["proposal_quorum"] == "0.200"
    assert client.get("/api/v1/coop/patronage", headers=headers).json() == []
    assert client.get("/api/v1/coop/share_classes", headers=headers).json()[0]["carries_vote"] is True


@pytest.mark.django_db
def test_scopes_and_tokens_are_required(client: Client, member: User) -> None:
    assert client.get("/api/v1/coop/membership").status_code == 401
    response = client.get("/api/v1/coop/membership", headers=minted_bearer_for(member, "read:statuses"))
    assert response.status_code == 403
    response = post(client, "/api/v1/coop/subscriptions", member, {"share_class_id": 1, "quantity": 1}, "read")
    assert response.status_code == 403
    assert not RegisterEntry.objects.filter(kind="subscription_request", to_user=member).exclude(
        pk__in=RegisterEntry.objects.filter(kind="issue").values("request_id")
    )


@pytest.mark.django_db
def test_applicant_to_member_through_the_api(
    client: Client, applicant: User, officer: User, treasurer: User, member_share: ShareClass
) -> None:
    request = post(client, "/api/v1/coop/subscriptions", applicant, {"share_class_id": member_share.pk, "quantity": 1})
    assert request.status_code == 201
    sequence = request.json()["sequence"]
    pending = client.get("/api/v1/coop/applications", headers=minted_bearer_for(officer)).json()
    assert [entity["username"] for entity in pending] == ["april"]
    early = post(client, f"/api/v1/coop/applications/{applicant.pk}/admit", officer, {})
    assert early.status_code == 422
    assert "minimum of 1 voting share" in early.json()["error"]
    refused = post(client, f"/api/v1/coop/subscriptions/{sequence}/confirm_payment", officer, {})
    assert refused.status_code == 403
    assert post(client, f"/api/v1/coop/subscriptions/{sequence}/confirm_payment", treasurer, {}).status_code == 201
    assert post(client, f"/api/v1/coop/subscriptions/{sequence}/issue", officer, {}).status_code == 201
    admitted = post(client, f"/api/v1/coop/applications/{applicant.pk}/admit", officer, {})
    assert admitted.status_code == 200
    assert admitted.json()["status"] == "member"
    assert Membership.objects.get(user=applicant).status == MembershipStatus.MEMBER


@pytest.mark.django_db
def test_officer_endpoints_refuse_plain_members(client: Client, member: User, applicant: User) -> None:
    assert client.get("/api/v1/coop/applications", headers=minted_bearer_for(member)).status_code == 403
    assert client.get("/api/v1/coop/register", headers=minted_bearer_for(member)).status_code == 403
    assert post(client, f"/api/v1/coop/applications/{applicant.pk}/admit", member, {}).status_code == 403
    response = post(client, "/api/v1/coop/dues_payments", member, {"member": "mira", "amount": "5"})
    assert response.status_code == 403
    assert not DuesPayment.objects.exists()
    assert Membership.objects.get(user=applicant).status == MembershipStatus.APPLICANT


@pytest.mark.django_db
def test_treasurer_records_dues_transfers_and_redemptions(
    client: Client, member: User, treasurer: User, officer: User, investor_share: ShareClass
) -> None:
    paid = post(client, "/api/v1/coop/dues_payments", treasurer, {"member": "mira", "amount": "5", "period": "2026-01"})
    assert paid.status_code == 201
    assert paid.json()["period"] == "2026-01"
    bad = post(client, "/api/v1/coop/dues_payments", treasurer, {"member": "mira", "amount": "lots"})
    assert bad.status_code == 422
    buy = post(client, "/api/v1/coop/subscriptions", member, {"share_class_id": investor_share.pk, "quantity": 4})
    sequence = buy.json()["sequence"]
    post(client, f"/api/v1/coop/subscriptions/{sequence}/confirm_payment", treasurer, {})
    # Issuing is the membership officer's part, not the treasurer's.
    assert post(client, f"/api/v1/coop/subscriptions/{sequence}/issue", treasurer, {}).status_code == 403
    assert post(client, f"/api/v1/coop/subscriptions/{sequence}/issue", officer, {}).status_code == 201
    moved = post(
        client,
        "/api/v1/coop/transfers",
        treasurer,
        {"from": "mira", "to": "theo", "share_class_id": investor_share.pk, "quantity": 2},
    )
    assert moved.status_code == 201
    too_many = post(
        client,
        "/api/v1/coop/transfers",
        treasurer,
        {"from": "mira", "to": "theo", "share_class_id": investor_share.pk, "quantity": 9},
    )
    assert too_many.status_code == 422
    assert "negative holding" in too_many.json()["error"]
    redeemed = post(
        client,
        "/api/v1/coop/redemptions",
        treasurer,
        {"member": "theo", "share_class_id": investor_share.pk, "quantity": 2, "price_per_share": "40.00"},
    )
    assert redeemed.status_code == 201
    assert redeemed.json()["amount"] == "80.00"
    register = client.get("/api/v1/coop/register", headers=minted_bearer_for(treasurer)).json()
    assert {(h["holder"], h["share_class"]["name"], h["quantity"]) for h in register["holdings"]} == {
        ("mira", "Investor share", 2),
        ("mira", "Member share", 1),
        ("theo", "Member share", 1),
        ("olga", "Member share", 1),
    }
    exported = client.get("/api/v1/coop/register?format=csv", headers=minted_bearer_for(treasurer))
    assert exported["Content-Type"].startswith("text/csv")
    assert "mira,mira@example.test,Investor share,2,50.00,USD,100.00" in exported.content.decode()


@pytest.mark.django_db
def test_members_create_invitation_links(client: Client, member: User, applicant: User) -> None:
    created = post(client, "/api/v1/coop/invitations", member, {"max_uses": 2, "valid_days": 7})
    assert created.status_code == 201
    body = created.json()
    assert body["url"].endswith(f"/coop/apply?invite={body['code']}")
    assert body["max_uses"] == 2
    assert Invitation.objects.get(code=body["code"]).created_by == member
    refused = post(client, "/api/v1/coop/invitations", applicant, {})
    assert refused.status_code == 403
    too_long = post(client, "/api/v1/coop/invitations", member, {"valid_days": 365})
    assert too_long.status_code == 422
    assert "between 1 and 90 days" in too_long.json()["error"]
    assert Invitation.objects.count() == 1


@pytest.mark.django_db
def test_member_chooses_a_dues_tier(client: Client, member: User) -> None:
    low = DuesTierFactory.create(name="Low", monthly_amount=Decimal("1.00"))
    DuesTierFactory.create(name="High", monthly_amount=Decimal("10.00"))
    dues = client.get("/api/v1/coop/dues", headers=minted_bearer_for(member, "read:coop")).json()
    assert [tier["name"] for tier in dues["tiers"]] == ["Low", "High"]
    chosen = post(client, "/api/v1/coop/dues/tier", member, {"tier_id": low.pk})
    assert chosen.status_code == 200
    assert Membership.objects.get(user=member).dues_tier == low
    missing = post(client, "/api/v1/coop/dues/tier", member, {"tier_id": 999_999})
    assert missing.status_code == 422
    assert Membership.objects.get(user=member).dues_tier == low


@pytest.mark.django_db
def test_admins_grant_and_revoke_roles(client: Client, member: User) -> None:
    admin = make_member(username="root", is_superuser=True)
    granted = post(client, "/api/v1/coop/roles/grant", admin, {"member": "mira", "role": "moderator"})
    assert granted.status_code == 200
    assert granted.json()["roles"] == ["member", "moderator"]
    assert granted.json()["history"][-1]["actor"] == "root"
    refused = post(client, "/api/v1/coop/roles/grant", member, {"member": "root", "role": "treasurer"})
    assert refused.status_code == 403
    unknown = post(client, "/api/v1/coop/roles/grant", admin, {"member": "mira", "role": "king"})
    assert unknown.status_code == 422
    revoked = post(client, "/api/v1/coop/roles/revoke", admin, {"member": "mira", "role": "moderator"})
    assert revoked.json()["roles"] == ["member"]
    assert not RoleHolding.objects.exists()


@pytest.mark.django_db
def test_a_member_resigns_and_their_shares_await_redemption(client: Client, member: User) -> None:
    history = MembershipEvent.objects.filter(user=member).count()
    too_long = post(client, "/api/v1/coop/membership/resign", member, {"reason": "x" * 501})
    assert too_long.status_code == 422
    assert "at most 500" in too_long.json()["error"]
    read_only = post(client, "/api/v1/coop/membership/resign", member, {}, scopes="read")
    assert read_only.status_code == 403
    assert Membership.objects.get(user=member).status == MembershipStatus.MEMBER
    assert MembershipEvent.objects.filter(user=member).count() == history

    resigned = post(client, "/api/v1/coop/membership/resign", member, {"reason": "Moving on."})
    assert resigned.status_code == 200
    assert resigned.json()["status"] == "resigned"
    assert [line.user.pk for line in holdings_awaiting_redemption()] == [member.pk]
    again = post(client, "/api/v1/coop/membership/resign", member, {})
    assert again.status_code == 422
    assert "they are resigned" in again.json()["error"]
    assert MembershipEvent.objects.filter(user=member).count() == history + 1

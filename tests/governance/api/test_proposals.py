"""The co-op API opens proposals, takes ballots, publishes them after close and serves the log."""

from __future__ import annotations

import pytest
from django.test import Client

from governance.models import Ballot, LogEntry, Proposal
from tests.factories.governance import close, open_proposal, vote
from tests.factories.members import UserFactory, make_member
from tests.governance.api.conftest import TokenClient

pytestmark = pytest.mark.django_db


def test_member_opens_a_domain_proposal_with_a_preview(token_client: type[TokenClient]) -> None:
    alice = token_client(make_member())
    response = alice.client.post(
        "/api/v1/coop/proposals",
        {
            "kind": "domain_policy",
            "title": "Limit loud.example",
            "payload": {"action": "limit", "domain": "loud.example"},
            "method": "consent",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["preview"] == ["Limit: loud.example"]
    assert body["options"] == ["agree", "abstain", "disagree", "block"]
    assert body["electorate"]["size"] == 1
    assert body["rules"]["pass_threshold"] == "0.500"
    assert LogEntry.objects.filter(kind=LogEntry.Kind.PROPOSAL_OPENED).count() == 1


def test_a_ranked_proposal_carries_one_payload_per_option(token_client: type[TokenClient]) -> None:
    alice = token_client(make_member())
    response = alice.client.post(
        "/api/v1/coop/proposals",
        {
            "kind": "dues_tier",
            "title": "A new step on the scale",
            "method": "ranked_choice",
            "options": ["Five", "Eight"],
            "option_payloads": [{"name": "Five", "monthly_amount": "5"}, {"name": "Eight", "monthly_amount": "8"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["option_previews"] == [
        ["Add the dues tier 'Five': 5.00 USD a month"],
        ["Add the dues tier 'Eight': 8.00 USD a month"],
    ]


def test_invalid_proposal_is_refused_and_nothing_opens(token_client: type[TokenClient]) -> None:
    alice = token_client(make_member())
    response = alice.client.post(
        "/api/v1/coop/proposals",
        {"kind": "domain_policy", "title": "Bad", "payload": {"action": "explode", "domain": "x.example"}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "action must be one of" in response.json()["error"]
    assert not Proposal.objects.exists()


def test_non_member_cannot_propose_or_read(token_client: type[TokenClient]) -> None:
    make_member()
    outsider = token_client(UserFactory.create())
    response = outsider.client.post(
        "/api/v1/coop/proposals", {"kind": "text", "title": "Hello"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json() == {"error": "Only members in good standing can make proposals."}
    assert outsider.client.get("/api/v1/coop/proposals").status_code == 403
    assert not Proposal.objects.exists()


def test_vote_returns_a_receipt_found_in_the_published_ballots(token_client: type[TokenClient]) -> None:
    alice = token_client(make_member())
    proposal = open_proposal(alice.user, secret=True)
    response = alice.client.post(
        f"/api/v1/coop/proposals/{proposal.pk}/vote", {"choice": 0}, content_type="application/json"
    )
    assert response.status_code == 200
    tracker = response.json()["tracker"]
    before = alice.client.get(f"/api/v1/coop/proposals/{proposal.pk}/ballots")
    assert before.status_code == 422
    close(proposal)
    published = alice.client.get(f"/api/v1/coop/proposals/{proposal.pk}/ballots").json()
    assert published["ballots"] == [{"tracker": tracker, "choice": 0, "voter": None}]
    detail = alice.client.get(f"/api/v1/coop/proposals/{proposal.pk}").json()
    assert detail["results"]["outcome"] == "passed"
    assert detail["own_ballot"]["tracker"] == tracker


def test_non_elector_vote_is_a_clear_422(token_client: type[TokenClient]) -> None:
    author = make_member()
    proposal = open_proposal(author)
    latecomer = token_client(make_member())
    response = latecomer.client.post(
        f"/api/v1/coop/proposals/{proposal.pk}/vote", {"choice": 0}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "not in this proposal's electorate" in response.json()["error"]
    assert not Ballot.objects.exists()


def test_hidden_results_stay_hidden_until_close(token_client: type[TokenClient]) -> None:
    alice = token_client(make_member())
    proposal = open_proposal(alice.user, hide_results=True)
    vote(alice.user, proposal, 0)
    assert alice.client.get(f"/api/v1/coop/proposals/{proposal.pk}").json()["results"] is None
    visible = open_proposal(alice.user, title="Visible")
    vote(alice.user, visible, 2)
    assert alice.client.get(f"/api/v1/coop/proposals/{visible.pk}").json()["results"]["tally"]["counts"] == [
        0,
        0,
        1,
        0,
    ]


def test_discussion_is_for_members(token_client: type[TokenClient]) -> None:
    alice = token_client(make_member())
    proposal = open_proposal(alice.user)
    response = alice.client.post(
        f"/api/v1/coop/proposals/{proposal.pk}/comments", {"text": "I agree."}, content_type="application/json"
    )
    assert response.status_code == 201
    outsider = token_client(UserFactory.create())
    assert outsider.client.get(f"/api/v1/coop/proposals/{proposal.pk}/comments").status_code == 404
    assert [c["text"] for c in alice.client.get(f"/api/v1/coop/proposals/{proposal.pk}/comments").json()] == [
        "I agree."
    ]


def test_log_is_public_json() -> None:
    alice = make_member()
    open_proposal(alice)
    entries = Client().get("/api/v1/coop/log").json()
    assert [entry["kind"] for entry in entries] == ["proposal.opened"]
    assert entries[0]["previous_hash"] == "0" * 64


def test_deeply_nested_proposal_body_is_refused_and_nothing_opens(token_client: type[TokenClient]) -> None:
    alice = token_client(make_member())
    body = b'{"kind": "text", "title": "Deep", "payload": ' + b"[" * 100 + b"]" * 100 + b"}"
    response = alice.client.post("/api/v1/coop/proposals", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper than" in response.json()["error"]
    assert not Proposal.objects.exists()

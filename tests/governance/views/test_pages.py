"""Members open, read and vote on proposals from the web app; moderators see their queue."""

from __future__ import annotations

import re

import pytest

from federation.models import OutboundActivity
from governance.models import Ballot, Proposal, ProposalComment, Report
from members.models import MembershipStatus
from tests.clients import signed_in
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.governance import adopt_rules, make_moderator, open_proposal
from tests.factories.members import UserFactory, make_member, make_membership

pytestmark = pytest.mark.django_db


def test_member_opens_votes_and_replies() -> None:
    member = make_member()
    client = signed_in(member)
    fields = {"kind": "text", "title": "Picnic?", "body": "Shall we?", "method": "consent", "count": "2"}
    preview = client.post("/governance/proposals/new", fields)
    assert not Proposal.objects.exists()
    previewed = re.search(r'name="previewed" value="([0-9a-f]+)"', preview.content.decode())
    assert previewed is not None
    response = client.post("/governance/proposals/new", {**fields, "confirm": "open", "previewed": previewed.group(1)})
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/governance/proposals/{proposal.pk}"
    client.post(f"/governance/proposals/{proposal.pk}", {"choice": "0"})
    assert Ballot.objects.get().choice == 0
    client.post(f"/governance/proposals/{proposal.pk}", {"form": "comment", "text": "Yes!"})
    assert ProposalComment.objects.get().text == "Yes!"
    page = client.get(f"/governance/proposals/{proposal.pk}")
    assert b"Picnic?" in page.content
    assert b"Your receipt:" in page.content
    assert b"Picnic?" in client.get("/governance/proposals").content


def test_ranked_ballot_from_the_form() -> None:
    member = make_member()
    proposal = open_proposal(member, method="ranked_choice", options=["A", "B", "C"])
    signed_in(member).post(f"/governance/proposals/{proposal.pk}", {"rank_2": "1", "rank_0": "2", "rank_1": ""})
    assert Ballot.objects.get().choice == [2, 0]


def test_outsiders_cannot_see_proposals() -> None:
    proposal = open_proposal(make_member(), body="The secret plan")
    client = signed_in(UserFactory.create())
    assert client.get("/governance/proposals").status_code == 404
    page = client.get(f"/governance/proposals/{proposal.pk}")
    assert page.status_code == 403
    assert "Proposals are for members in good standing" in page.content.decode()
    assert b"The secret plan" not in page.content
    assert client.get(f"/governance/proposals/{proposal.pk + 1000}").status_code == 404


def test_an_applicant_is_told_proposals_are_for_members_and_sees_only_the_public_summary() -> None:
    proposal = open_proposal(make_member(), title="Buy a bigger server", body="The secret plan")
    applicant = UserFactory.create()
    make_membership(applicant, MembershipStatus.APPLICANT)
    page = signed_in(applicant).get(f"/governance/proposals/{proposal.pk}")
    assert page.status_code == 403
    text = page.content.decode()
    assert "Your application is being considered; you can vote once admitted." in text
    assert f"Proposal #{proposal.pk}: Buy a bigger server" in text
    assert 'href="/coop/membership"' in text
    assert 'class="site-header"' in text
    assert "The secret plan" not in text
    assert 'name="choice"' not in text


def test_an_applicants_ballot_is_refused_with_the_same_page_and_records_nothing() -> None:
    proposal = open_proposal(make_member())
    applicant = UserFactory.create()
    make_membership(applicant, MembershipStatus.APPLICANT)
    client = signed_in(applicant)
    response = client.post(f"/governance/proposals/{proposal.pk}", {"choice": "0"})
    assert response.status_code == 403
    assert "you can vote once admitted" in response.content.decode()
    response = client.post(f"/governance/proposals/{proposal.pk}", {"form": "comment", "text": "Me too"})
    assert response.status_code == 403
    assert not Ballot.objects.exists()
    assert not ProposalComment.objects.exists()


def test_member_reports_from_the_web_and_moderator_resolves() -> None:
    (rule,) = adopt_rules("No spam.")
    member = make_member()
    LocalActorFactory.create(user=member, username=member.username)
    target = LocalActorFactory.create(user=make_member())
    signed_in(member).post(
        f"/governance/report/{target.pk}", {"category": "violation", "rule": [str(rule.pk)], "comment": "Ads"}
    )
    report = Report.objects.get()
    assert list(report.rule_versions.all()) == [rule]
    moderator = signed_in(make_moderator())
    assert b"Ads" in moderator.get("/governance/moderation").content
    moderator.post("/governance/moderation", {"report": str(report.pk)})
    report.refresh_from_db()
    assert report.state == Report.State.RESOLVED
    assert signed_in(member).get("/governance/moderation").status_code == 404


def test_web_report_about_a_remote_account_can_be_forwarded() -> None:
    member = make_member()
    LocalActorFactory.create(user=member, username=member.username)
    remote = RemoteActorFactory.create(domain="spam.example")
    local = LocalActorFactory.create(user=make_member())
    client = signed_in(member)
    assert b'name="forward"' in client.get(f"/governance/report/{remote.pk}").content
    assert b'name="forward"' not in client.get(f"/governance/report/{local.pk}").content
    client.post(f"/governance/report/{remote.pk}", {"category": "spam", "comment": "Ads", "forward": "1"})
    assert Report.objects.get().forwarded is True
    [flag] = OutboundActivity.objects.filter(activity_type="Flag")
    assert flag.body["object"] == [remote.uri]
    assert list(flag.deliveries.values_list("inbox", flat=True)) == ["https://spam.example/inbox"]

"""Members open, read and vote on proposals from the web app; moderators see their queue."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from federation.models import OutboundActivity
from governance.models import Ballot, Proposal, ProposalComment, Report
from governance.tally.methods import option_labels
from governance.tally.outcome import localised_percent
from members.models import MembershipStatus, User
from tests.clients import minted_bearer_for, signed_in
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.governance import adopt_rules, close, make_moderator, open_proposal, vote
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
    proposal = open_proposal(make_member(), title="Buy a kiln", body="The secret plan")
    client = signed_in(UserFactory.create())
    listing = client.get("/governance/proposals")
    assert listing.status_code == 403
    assert "Proposals are for members in good standing" in listing.content.decode()
    assert "transparency log" in listing.content.decode()
    assert b"Buy a kiln" not in listing.content
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


def _closed_consent(secret: bool = False) -> tuple[Proposal, list[Any]]:
    """Return a closed consent proposal (agree 2, disagree 1 of 3 members) and its voters."""
    voters = [make_member() for _ in range(3)]
    proposal = open_proposal(voters[0], secret=secret)
    for voter, choice in zip(voters, [0, 0, 2], strict=True):
        vote(voter, proposal, choice)
    return close(proposal), voters


def test_closed_proposal_lists_its_ballots_with_a_matching_recount() -> None:
    proposal, voters = _closed_consent(secret=True)
    page = signed_in(voters[2]).get(f"/governance/proposals/{proposal.pk}").content.decode()
    assert page.count("<tr") - page.count('<tr class="winner"') >= 3
    for tracker, _ in Ballot.objects.values_list("tracker", "choice"):
        assert tracker in page
    own = Ballot.objects.get(choice=2).tracker
    assert re.search(rf'<tr class="own-ballot">\s*<td><code>{own}</code>', page)
    assert "Recount from the published ballots:" in page
    assert "agree 2, abstain 0, disagree 1, block 0" in page
    assert "matches the official tally." in page
    assert "Member</th>" not in page  # secret: no voter column
    assert voters[1].username not in page
    assert f"manage.py verify_proposal {proposal.pk}" in page


def test_ballots_json_is_the_apis_document_for_members_only() -> None:
    proposal, voters = _closed_consent()
    url = f"/governance/proposals/{proposal.pk}/ballots.json"
    response = signed_in(voters[0]).get(url)
    assert response.status_code == 200
    api = Client().get(f"/api/v1/coop/proposals/{proposal.pk}/ballots", headers=minted_bearer_for(voters[0]))
    assert response.json() == api.json()
    assert {ballot["voter"] for ballot in response.json()["ballots"]} == {voter.username for voter in voters}
    outsider = signed_in(UserFactory.create())
    assert outsider.get(url).status_code == 404
    assert b"Published ballots" not in outsider.get(f"/governance/proposals/{proposal.pk}").content
    assert Client().get(url).status_code == 302


def test_open_proposal_publishes_no_ballots_yet() -> None:
    member = make_member()
    proposal = open_proposal(member)
    vote(member, proposal, 0)
    client = signed_in(member)
    assert b"Published ballots" not in client.get(f"/governance/proposals/{proposal.pk}").content
    response = client.get(f"/governance/proposals/{proposal.pk}/ballots.json")
    assert response.status_code == 422
    assert response.json() == {"error": "Ballots are published when the proposal closes"}
    assert Proposal.objects.get().state == Proposal.State.OPEN


def test_closed_results_say_passed_won_with_shares_and_quorum() -> None:
    proposal, voters = _closed_consent()
    page = signed_in(voters[0]).get(f"/governance/proposals/{proposal.pk}").content.decode()
    assert re.search(r'class="outcome-banner outcome-passed">\s*<p class="outcome-word">.*Passed</p>', page)
    assert "Agreement was 66.7%." in page
    assert "agree (won)" in page
    assert "leading" not in page
    assert "(66.7%)" in page
    assert "3 of 3 eligible members voted (100%)." in page
    assert "No replies yet." in page
    assert "<li>No replies yet." not in page


def test_rejected_and_quorumless_proposals_say_so() -> None:
    voters = [make_member() for _ in range(4)]
    rejected = open_proposal(voters[0])
    vote(voters[0], rejected, 2)
    vote(voters[1], rejected, 2)
    vote(voters[2], rejected, 2)
    rejected = close(rejected)
    page = signed_in(voters[0]).get(f"/governance/proposals/{rejected.pk}").content.decode()
    assert rejected.outcome == "failed"
    assert "Rejected</p>" in page
    assert "disagree (most votes)" in page
    quorumless = close(open_proposal(voters[0]))
    page = signed_in(voters[0]).get(f"/governance/proposals/{quorumless.pk}").content.decode()
    assert "Failed quorum</p>" in page
    assert "No ballots were cast." in page


def test_a_closed_proposal_speaks_the_readers_language_while_its_ballots_download_as_stored() -> None:
    proposal, voters = _closed_consent()
    User.objects.filter(pk=voters[0].pk).update(interface_language="fr")
    client = signed_in(voters[0])
    page = client.get(f"/governance/proposals/{proposal.pk}").content.decode()
    with translation.override("fr"):
        agree, abstain, disagree, block = option_labels(proposal.method, proposal.options)
        share, turnout = localised_percent(Fraction(2, 3)), localised_percent(Fraction(1))
    assert (agree, disagree) != ("agree", "disagree")
    assert f"{agree} 2, {abstain} 0, {disagree} 1, {block} 0" in page
    assert re.search(rf"<td>{agree}</td>\s*</tr>", page)
    assert re.search(rf"<td>{disagree}</td>\s*</tr>", page)
    assert not re.search(r"<td>(agree|disagree)</td>", page)
    assert "66,7" in share
    assert f'<span class="share">({share})</span>' in page
    assert "66.7" not in page
    assert f"({turnout})" in page
    download = client.get(f"/governance/proposals/{proposal.pk}/ballots.json")
    assert download.json()["options"] == ["agree", "abstain", "disagree", "block"]
    assert sorted(ballot["choice"] for ballot in download.json()["ballots"]) == [0, 0, 2]
    assert agree not in download.content.decode()


def test_an_amendments_changes_against_what_is_in_force_are_written_in_the_readers_language() -> None:
    author = make_member()
    User.objects.filter(pk=author.pk).update(interface_language="fr")
    changes = {"proposal_quorum": "0.125", "applicants_may_post": True}
    proposal = open_proposal(author, kind="bylaw_amendment", payload={"changes": changes})
    page = signed_in(author).get(f"/governance/proposals/{proposal.pk}").content.decode()
    with translation.override("fr"):
        quorum = (localised_percent(Decimal("0.2")), localised_percent(Decimal("0.125")))
        flag = (gettext("No"), gettext("Yes"))
    assert "12,5" in quorum[1]
    assert flag == ("Non", "Oui")
    assert f"<td><del>{quorum[0]}</del></td><td><ins>{quorum[1]}</ins></td>" in page
    assert f"<td><del>{flag[0]}</del></td><td><ins>{flag[1]}</ins></td>" in page

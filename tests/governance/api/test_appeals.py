"""Members see the actions on their account and appeal them; another moderator decides."""

from __future__ import annotations

import pytest

from governance.actions.moderation import check_take_moderation_action, do_take_moderation_action
from governance.models import Appeal, ModerationAction, Proposal
from tests.factories.federation import LocalActorFactory
from tests.factories.governance import adopt_rules, make_moderator
from tests.factories.members import make_member
from tests.governance.api.conftest import TokenClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(token_client: type[TokenClient]) -> tuple[TokenClient, ModerationAction]:
    (rule,) = adopt_rules("No spam.")
    moderator = make_moderator()
    make_moderator()  # another moderator, who may decide the appeal
    member = make_member()
    target = LocalActorFactory.create(user=member, username=member.username)
    draft = check_take_moderation_action(
        moderator, kind="limit", rule_version_ids=[rule.pk], target_account_id=target.pk
    )
    return token_client(member), do_take_moderation_action(moderator, draft)


def test_member_sees_the_action_and_its_rule_then_appeals(
    limited: tuple[TokenClient, ModerationAction], token_client: type[TokenClient]
) -> None:
    member, action = limited
    (listed,) = member.client.get("/api/v1/coop/moderation/actions").json()
    assert listed["rules"][0]["text"] == "No spam."
    appeal = member.post_form(f"/api/v1/coop/moderation/actions/{action.pk}/appeal", {"text": "It was a joke."})
    assert appeal.status_code == 201
    appeal_id = appeal.json()["id"]
    original = token_client(ModerationAction.objects.get().moderator, scope="admin:write")  # type: ignore[arg-type]
    refused = original.post_form(f"/api/v1/coop/appeals/{appeal_id}/decide", {"granted": "true"})
    assert refused.status_code == 422
    assert refused.json() == {"error": "The moderator who took the action cannot decide its appeal."}
    assert Appeal.objects.get().state == Appeal.State.PENDING
    other = token_client(make_moderator(), scope="admin:write")
    decided = other.post_form(f"/api/v1/coop/appeals/{appeal_id}/decide", {"granted": "true", "note": "Fair."})
    assert decided.json()["state"] == "granted"
    action.refresh_from_db()
    assert action.state == ModerationAction.State.REVERSED


def test_member_escalates_to_the_assembly(limited: tuple[TokenClient, ModerationAction]) -> None:
    member, action = limited
    appeal_id = member.post_form(f"/api/v1/coop/moderation/actions/{action.pk}/appeal", {"text": "Unfair."}).json()[
        "id"
    ]
    escalated = member.post_form(f"/api/v1/coop/appeals/{appeal_id}/escalate").json()
    assert escalated["state"] == "escalated"
    assert Proposal.objects.get(pk=int(escalated["proposal_id"])).kind == "text"


def test_others_cannot_appeal(limited: tuple[TokenClient, ModerationAction], token_client: type[TokenClient]) -> None:
    _, action = limited
    stranger = token_client(make_member())
    response = stranger.post_form(f"/api/v1/coop/moderation/actions/{action.pk}/appeal", {"text": "Me too."})
    assert response.status_code == 404
    assert not Appeal.objects.exists()


def test_appeal_against_the_only_moderator_goes_to_the_assembly(token_client: type[TokenClient]) -> None:
    (rule,) = adopt_rules("No spam.")
    moderator = make_moderator()
    member = make_member()
    target = LocalActorFactory.create(user=member, username=member.username)
    action = do_take_moderation_action(
        moderator,
        check_take_moderation_action(moderator, kind="limit", rule_version_ids=[rule.pk], target_account_id=target.pk),
    )
    response = token_client(member).post_form(
        f"/api/v1/coop/moderation/actions/{action.pk}/appeal", {"text": "Unfair."}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "escalated"
    proposal = Proposal.objects.get(pk=int(body["proposal_id"]))
    assert proposal.author == member
    assert f"#{action.pk}" in proposal.title
    refused = token_client(moderator, scope="admin:write").post_form(
        f"/api/v1/coop/appeals/{body['id']}/decide", {"granted": "true"}
    )
    assert refused.status_code == 422
    assert Appeal.objects.get().state == Appeal.State.ESCALATED
    action.refresh_from_db()
    assert action.state == ModerationAction.State.ACTIVE

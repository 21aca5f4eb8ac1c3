"""The shared refusal base: every app's errors subclass it, and the client API maps it once."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from config.api.errors import api_view
from config.refusals import Refused
from federation.errors import ActivityRefused, DomainPolicyRefused
from governance.errors import BallotRefused, ModerationRefused, ProposalRefused
from members.errors import MemberRefused, NotPermitted
from timeline.errors import FollowRefused, InteractionRefused, RequestRefused, StatusRefused


def test_every_apps_refusals_share_the_base() -> None:
    """Each app's refusal errors are `Refused`, so enactment and the API catch one type."""
    errors: list[type[Exception]] = [ActivityRefused, DomainPolicyRefused, BallotRefused, ModerationRefused]
    errors += [ProposalRefused, MemberRefused, NotPermitted, FollowRefused, InteractionRefused, RequestRefused]
    assert all(issubclass(error, Refused) for error in [*errors, StatusRefused])


def test_a_refusal_carries_its_status() -> None:
    """422 by default, a subclass's own status, or one given where it is raised."""
    assert Refused("no").status == 422
    assert NotPermitted("officers only").status == 403
    assert StatusRefused("not yours", status=403).status == 403
    assert ActivityRefused("bad").status == 400
    assert StatusRefused("no").message == "no"


def test_the_api_answers_a_refusal_with_its_message_and_status() -> None:
    """A view that lets a refusal through answers Mastodon's error body with the refusal's status."""

    @api_view("POST")
    def refusing(request: HttpRequest) -> HttpResponse:
        raise NotPermitted("Only officers may do this.")

    response = refusing(RequestFactory().post("/api/v1/anything"))
    assert response.status_code == 403
    assert json.loads(response.content) == {"error": "Only officers may do this."}

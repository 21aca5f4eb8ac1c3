"""POST /api/v1/reports with forward: a report about a remote account is sent to its server as a Flag."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from federation.actions.domain_policies import do_set_domain_policy
from federation.actions.instance_actor import instance_actor
from federation.models import Actor, Delivery, OutboundActivity
from governance.models import Report
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.governance import make_moderator
from tests.factories.members import make_member
from tests.factories.timeline import StatusFactory
from tests.federation.network import FakeNetwork
from tests.governance.api.conftest import TokenClient
from timeline.actions.statuses import do_remove_status
from timeline.models import Status

pytestmark = pytest.mark.django_db

CaptureHooks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def reporter(token_client: type[TokenClient]) -> TokenClient:
    user = make_member()
    LocalActorFactory.create(user=user, username=user.username)
    return token_client(user, scope="write:reports")


@pytest.fixture
def remote() -> Actor:
    return RemoteActorFactory.create(username="spammer", domain="spam.example")


@pytest.fixture
def remote_status(remote: Actor) -> Status:
    return StatusFactory.create(account=remote, uri=f"{remote.uri}/statuses/1", url=f"{remote.url}/1", local=False)


def report(reporter: TokenClient, target: Actor, *, forward: str, **extra: Any) -> Any:
    return reporter.post_form(
        "/api/v1/reports", {"account_id": str(target.pk), "comment": "Spam links", "forward": forward, **extra}
    )


def flags() -> list[OutboundActivity]:
    return list(OutboundActivity.objects.filter(activity_type="Flag"))


def test_forwarded_report_sends_a_flag_from_the_instance_actor_after_commit(
    reporter: TokenClient,
    remote: Actor,
    remote_status: Status,
    network: FakeNetwork,
    django_capture_on_commit_callbacks: CaptureHooks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = report(reporter, remote, forward="true", **{"status_ids[]": [str(remote_status.pk)]})
    assert response.status_code == 200, response.content
    assert response.json()["forwarded"] is True
    assert Report.objects.get().forwarded is True
    [flag] = flags()
    assert flag.body["actor"] == instance_actor().uri
    assert flag.body["object"] == [remote.uri, remote_status.uri]
    assert flag.body["content"] == "Spam links"
    assert list(flag.deliveries.values_list("inbox", "state")) == [
        ("https://spam.example/inbox", Delivery.State.DELIVERED)
    ]
    [(inbox, sent)] = network.posts
    assert inbox == "https://spam.example/inbox"
    assert sent["type"] == "Flag"
    # Nothing names the member who reported.
    assert reporter.user.username not in str(sent)


def test_flag_waits_for_the_commit(
    reporter: TokenClient, remote: Actor, network: FakeNetwork, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert report(reporter, remote, forward="true").status_code == 200
    assert network.posts == []
    assert callbacks


def test_report_without_forward_stays_here(reporter: TokenClient, remote: Actor) -> None:
    response = report(reporter, remote, forward="false")
    assert response.status_code == 200
    assert response.json()["forwarded"] is False
    assert Report.objects.get().forwarded is False
    assert flags() == []


def test_report_about_a_local_account_is_never_forwarded(reporter: TokenClient) -> None:
    target = LocalActorFactory.create(user=make_member())
    response = report(reporter, target, forward="true")
    assert response.status_code == 200
    assert response.json()["forwarded"] is False
    assert flags() == []
    assert not OutboundActivity.objects.exists()


@pytest.mark.parametrize(
    "policy", [{"severity": "suspend"}, {"severity": "noop", "reject_reports": True}], ids=["suspended", "reject"]
)
def test_report_is_not_forwarded_to_a_suspended_or_report_rejecting_domain(
    reporter: TokenClient, remote: Actor, policy: dict[str, Any]
) -> None:
    do_set_domain_policy("spam.example", authorised_by="test", **policy)
    response = report(reporter, remote, forward="true")
    assert response.status_code == 200
    assert response.json()["forwarded"] is False
    assert Report.objects.get().forwarded is False
    assert flags() == []
    assert not Delivery.objects.exists()


def test_refused_report_forwards_nothing(reporter: TokenClient, remote: Actor) -> None:
    response = report(reporter, remote, forward="true", category="violation")
    assert response.status_code == 422
    assert response.json() == {"error": "Say which rule is broken."}
    assert not Report.objects.exists()
    assert flags() == []


def test_posts_named_by_status_ids_stay_on_the_report_for_moderators_after_removal(
    reporter: TokenClient, token_client: type[TokenClient]
) -> None:
    target = LocalActorFactory.create(user=make_member())
    status = StatusFactory.create(account=target)
    response = report(reporter, target, forward="false", **{"status_ids[]": [str(status.pk)]})
    assert response.status_code == 200, response.content
    assert response.json()["status_ids"] == [str(status.pk)]
    report_id = response.json()["id"]
    moderator = token_client(make_moderator(), scope="admin:read admin:write")
    do_remove_status(Status.objects.get(pk=status.pk), authority="test")
    detail = moderator.client.get(f"/api/v1/admin/reports/{report_id}").json()
    assert detail["statuses"] == [str(status.pk)]


def test_a_post_of_another_account_is_refused_and_no_report_is_filed(reporter: TokenClient) -> None:
    target = LocalActorFactory.create(user=make_member())
    other = StatusFactory.create()
    response = report(reporter, target, forward="false", **{"status_ids[]": [str(other.pk)]})
    assert response.status_code == 422
    assert response.json() == {"error": "Every reported status must be by the reported account."}
    assert not Report.objects.exists()

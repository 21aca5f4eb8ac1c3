"""Reports forwarded to remote servers as Flags."""

from __future__ import annotations

import json
from typing import Any

import pytest

from federation import uris
from federation.actions.instance_actor import instance_actor
from federation.activitypub.context import CONTEXT
from federation.models import Actor, OutboundActivity
from governance.actions.reports import do_file_report
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import StatusFactory

TOKEN = "ab" * 12  # what fresh ids end in under `queued_activities`
Queued = list[dict[str, Any]]


@pytest.mark.django_db
def test_forwarded_report_is_a_flag_from_the_instance_actor(alice: Actor, queued_activities: Queued) -> None:
    remote = RemoteActorFactory.create(username="carol")
    statuses = [StatusFactory.create(account=remote, uri=f"{remote.uri}/statuses/{n}", local=False) for n in (1, 2)]
    do_file_report(alice, remote, statuses, " Spam, twice. ", "spam", [], forward=True)
    signer = instance_actor()
    expected = {
        "@context": CONTEXT,
        "id": f"{uris.actor_uri(signer.username)}#flags/{TOKEN}",
        "type": "Flag",
        "actor": signer.uri,
        "content": "Spam, twice.",
        "to": [remote.uri],
        "object": [remote.uri, statuses[0].uri, statuses[1].uri],
    }
    assert [json.dumps(activity) for activity in queued_activities] == [json.dumps(expected)]
    assert OutboundActivity.objects.get().actor == signer
    assert alice.uri not in json.dumps(queued_activities)


@pytest.mark.django_db
def test_report_about_a_local_account_sends_no_flag(alice: Actor, bob: Actor, queued_activities: Queued) -> None:
    do_file_report(alice, bob, [], "Spam", "spam", [], forward=True)
    assert queued_activities == []
    assert not OutboundActivity.objects.exists()

"""Remote accounts updating and deleting themselves."""

from __future__ import annotations

import pytest

from federation.inbox import IgnoredActivity, dispatch
from federation.inbox.registry import read_activity
from federation.models import Actor, Tombstone
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import FollowFactory, StatusFactory
from timeline.models import Follow, Status


@pytest.mark.django_db
def test_an_account_deleting_itself_is_deleted_with_its_statuses_and_tombstoned(alice: Actor) -> None:
    dana = RemoteActorFactory.create(username="dana")
    StatusFactory.create(account=dana, local=False)
    FollowFactory.create(follower=alice, target=dana, state=Follow.State.ACCEPTED)
    dispatch(dana, read_activity({"id": f"{dana.uri}#delete", "type": "Delete", "actor": dana.uri, "object": dana.uri}))
    assert not Actor.objects.filter(pk=dana.pk).exists()
    assert Tombstone.objects.filter(uri=dana.uri).exists()
    assert not Status.objects.exists()
    assert not Follow.objects.exists()


@pytest.mark.django_db
def test_an_account_updating_itself_changes_its_profile_and_other_objects_are_not_applied() -> None:
    dana = RemoteActorFactory.create(username="dana", display_name="Dana")
    document = {
        "id": dana.uri,
        "type": "Person",
        "preferredUsername": "dana",
        "name": "Dana D.",
        "inbox": dana.inbox_uri,
        "publicKey": {"id": f"{dana.uri}#main-key", "owner": dana.uri, "publicKeyPem": dana.public_key_pem},
    }
    dispatch(
        dana, read_activity({"id": f"{dana.uri}#updates/1", "type": "Update", "actor": dana.uri, "object": document})
    )
    dana.refresh_from_db()
    assert dana.display_name == "Dana D."
    with pytest.raises(IgnoredActivity, match="not applied"):
        dispatch(
            dana,
            read_activity(
                {"id": f"{dana.uri}#updates/2", "type": "Update", "actor": dana.uri, "object": {"id": dana.uri}}
            ),
        )

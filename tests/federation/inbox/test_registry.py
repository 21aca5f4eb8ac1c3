"""The inbox registry, which the apps fill as they load."""

from __future__ import annotations

import pytest

from config.refusals import Refused
from federation.activitypub import Activity, Delete
from federation.inbox import IgnoredActivity, dispatch, is_supported, registry
from federation.inbox.registry import read_activity
from federation.models import Actor
from tests.factories.federation import RemoteActorFactory

HANDLED = ["Accept", "Add", "Announce", "Block", "Create", "Delete", "Flag", "Follow", "Like", "Move"]
HANDLED += ["Reject", "Remove", "Undo", "Update"]


def test_every_app_registered_its_handlers_before_anything_runs() -> None:
    assert all(is_supported(kind) for kind in HANDLED)
    assert not is_supported("EmojiReact")
    assert registry.takes_batches("Create")
    assert registry.BATCH_WRAPPERS_IN_TRANSACTION
    assert registry.BATCH_WRAPPERS_AROUND_TRANSACTION


@pytest.mark.django_db
def test_an_activity_about_its_own_actor_goes_to_the_own_actor_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    dana = RemoteActorFactory.create(username="dana")
    seen: list[str] = []

    def own(actor: Actor, activity: Activity) -> None:
        seen.append(f"own {activity.object_id}")

    def other(actor: Actor, activity: Activity) -> None:
        seen.append(f"other {activity.object_id}")

    monkeypatch.setitem(registry.SELF_HANDLERS, "Delete", own)
    monkeypatch.setitem(registry.HANDLERS, "Delete", other)
    dispatch(dana, Delete(id=f"{dana.uri}#delete", actor=dana.uri, object=dana.uri))
    dispatch(dana, Delete(id=f"{dana.uri}#delete/1", actor=dana.uri, object=f"{dana.uri}/statuses/1"))
    assert seen == [f"own {dana.uri}", f"other {dana.uri}/statuses/1"]
    with pytest.raises(IgnoredActivity, match="No handler"):
        read_activity({"id": f"{dana.uri}#react", "type": "EmojiReact", "actor": dana.uri, "object": dana.uri})


def test_an_activity_that_cannot_be_read_is_ignored() -> None:
    with pytest.raises(IgnoredActivity, match="cannot be read"):
        read_activity({"id": "https://mastodon.example/users/dana#move", "type": "Move", "actor": "x", "object": "y"})


@pytest.mark.django_db
def test_an_actions_refusal_is_recorded_as_an_ignored_activity(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever handler meets a refusal, the item is ignored with the refusal's message, not failed."""
    dana = RemoteActorFactory.create(username="dana")

    def refusing(actor: Actor, activity: Activity) -> None:
        raise Refused("You are blocked by this account.")

    monkeypatch.setitem(registry.HANDLERS, "Delete", refusing)
    with pytest.raises(IgnoredActivity, match=r"You are blocked by this account\."):
        dispatch(dana, Delete(id=f"{dana.uri}#delete/2", actor=dana.uri, object=f"{dana.uri}/statuses/2"))

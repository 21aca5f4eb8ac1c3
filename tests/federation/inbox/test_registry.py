"""The inbox registry, which the apps fill as they load."""

from __future__ import annotations

from typing import Any

import pytest

from federation.inbox import IgnoredActivity, dispatch, is_supported, registry
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

    def own(actor: Actor, activity: dict[str, Any]) -> None:
        seen.append(f"own {activity['object']}")

    def other(actor: Actor, activity: dict[str, Any]) -> None:
        seen.append(f"other {activity['object']}")

    monkeypatch.setitem(registry.SELF_HANDLERS, "Delete", own)
    monkeypatch.setitem(registry.HANDLERS, "Delete", other)
    dispatch(dana, {"type": "Delete", "object": dana.uri})
    dispatch(dana, {"type": "Delete", "object": f"{dana.uri}/statuses/1"})
    assert seen == [f"own {dana.uri}", f"other {dana.uri}/statuses/1"]
    with pytest.raises(IgnoredActivity, match="No handler"):
        dispatch(dana, {"type": "EmojiReact", "object": dana.uri})

"""Edit history: each edit keeps the earlier version; the history lists every version, oldest first."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.timeline import StatusFactory
from timeline.models import StatusEdit, Visibility

pytestmark = pytest.mark.django_db


def _edit(actor: Actor, status_id: int, text: str) -> dict[str, object]:
    response = Client().put(
        f"/api/v1/statuses/{status_id}", {"status": text}, content_type="application/json", headers=bearer_for(actor)
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_unedited_status_has_one_version(alice: Actor) -> None:
    status = StatusFactory.create(account=alice, text="First", content="<p>First</p>")
    history = Client().get(f"/api/v1/statuses/{status.pk}/history").json()
    assert [version["content"] for version in history] == ["<p>First</p>"]
    assert history[0]["account"]["id"] == str(alice.pk)


def test_edits_record_every_version(alice: Actor) -> None:
    status = StatusFactory.create(account=alice, text="First", content="<p>First</p>")
    edited = _edit(alice, status.pk, "Second")
    assert edited["edited_at"] is not None
    _edit(alice, status.pk, "Third")
    history = Client().get(f"/api/v1/statuses/{status.pk}/history").json()
    assert [version["content"] for version in history] == ["<p>First</p>", "<p>Second</p>", "<p>Third</p>"]
    assert history[0]["created_at"] <= history[1]["created_at"] <= history[2]["created_at"]
    assert StatusEdit.objects.count() == 3


def test_history_of_an_invisible_status_is_not_found(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice, visibility=Visibility.PRIVATE)
    assert Client().get(f"/api/v1/statuses/{status.pk}/history", headers=bearer_for(bob)).status_code == 404
    assert Client().get(f"/api/v1/statuses/{status.pk}/history").status_code == 404


def test_refused_edit_records_no_version(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    response = Client().put(
        f"/api/v1/statuses/{status.pk}", {"status": "Mine now"}, content_type="application/json",
        headers=bearer_for(bob),
    )  # fmt: skip
    assert response.status_code in (403, 422)
    assert not StatusEdit.objects.exists()

"""Filters v2 through the client API: CRUD, keywords, statuses, application to timelines, v1 reads."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.timeline import StatusFactory
from timeline.actions.interactions import do_favourite
from timeline.actions.notifications import do_notify
from timeline.models import Filter, FilterKeyword, FilterStatus, Notification, TimelineEntry

pytestmark = pytest.mark.django_db


def _create(actor: Actor, **extra: object) -> dict[str, object]:
    body = {
        "title": "Pets",
        "context": ["home", "public", "thread"],
        "filter_action": "warn",
        "keywords_attributes": [{"keyword": "cat"}, {"keyword": "dog", "whole_word": False}],
        **extra,
    }
    response = Client().post("/api/v2/filters", body, content_type="application/json", headers=bearer_for(actor))
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_create_read_update_delete(alice: Actor) -> None:
    created = _create(alice, expires_in=3600)
    assert created["title"] == "Pets"
    assert created["context"] == ["home", "public", "thread"]
    assert created["expires_at"] is not None
    keywords = created["keywords"]
    assert isinstance(keywords, list)
    assert [(item["keyword"], item["whole_word"]) for item in keywords] == [("cat", True), ("dog", False)]
    headers = bearer_for(alice)
    assert Client().get("/api/v2/filters", headers=headers).json() == [created]
    cat_id = keywords[0]["id"]
    updated = (
        Client()
        .put(
            f"/api/v2/filters/{created['id']}",
            {
                "title": "Animals",
                "filter_action": "hide",
                "keywords_attributes": [{"id": cat_id, "_destroy": True}, {"keyword": "parrot"}],
            },
            content_type="application/json",
            headers=headers,
        )
        .json()
    )
    assert updated["title"] == "Animals"
    assert updated["filter_action"] == "hide"
    assert updated["expires_at"] == created["expires_at"]
    assert sorted(item["keyword"] for item in updated["keywords"]) == ["dog", "parrot"]
    assert Client().delete(f"/api/v2/filters/{created['id']}", headers=headers).json() == {}
    assert not Filter.objects.exists()
    assert not FilterKeyword.objects.exists()


def test_form_encoded_keywords(alice: Actor) -> None:
    response = Client().post(
        "/api/v2/filters",
        {"title": "Form", "context[]": ["home"], "keywords_attributes[][keyword]": ["a", "b"]},
        headers=bearer_for(alice),
    )
    assert [item["keyword"] for item in response.json()["keywords"]] == ["a", "b"]


@pytest.mark.parametrize(
    "body",
    [
        {"title": "", "context": ["home"]},
        {"title": "x", "context": []},
        {"title": "x", "context": ["everywhere"]},
        {"title": "x", "context": ["home"], "filter_action": "delete"},
        {"title": "x", "context": ["home"], "keywords_attributes": [{"keyword": " "}]},
    ],
)
def test_invalid_filters_store_nothing(alice: Actor, body: dict[str, object]) -> None:
    response = Client().post("/api/v2/filters", body, content_type="application/json", headers=bearer_for(alice))
    assert response.status_code == 422
    assert "error" in response.json()
    assert not Filter.objects.exists()


def test_keyword_and_status_sub_resources(alice: Actor, bob: Actor) -> None:
    created = _create(alice)
    headers = bearer_for(alice)
    added = Client().post(f"/api/v2/filters/{created['id']}/keywords", {"keyword": "fish"}, headers=headers).json()
    assert added["keyword"] == "fish"
    assert added["whole_word"] is True
    listed = Client().get(f"/api/v2/filters/{created['id']}/keywords", headers=headers).json()
    assert [item["keyword"] for item in listed] == ["cat", "dog", "fish"]
    changed = Client().put(
        f"/api/v2/filters/keywords/{added['id']}", {"keyword": "trout", "whole_word": False},
        content_type="application/json", headers=headers,
    ).json()  # fmt: skip
    assert (changed["keyword"], changed["whole_word"]) == ("trout", False)
    assert Client().get(f"/api/v2/filters/keywords/{added['id']}", headers=headers).json() == changed
    assert Client().delete(f"/api/v2/filters/keywords/{added['id']}", headers=headers).json() == {}
    status = StatusFactory.create(account=bob)
    item = Client().post(f"/api/v2/filters/{created['id']}/statuses", {"status_id": status.pk}, headers=headers).json()
    assert item["status_id"] == str(status.pk)
    again = Client().post(f"/api/v2/filters/{created['id']}/statuses", {"status_id": status.pk}, headers=headers)
    assert again.status_code == 422
    assert Client().get(f"/api/v2/filters/statuses/{item['id']}", headers=headers).json() == item
    assert len(Client().get(f"/api/v2/filters/{created['id']}/statuses", headers=headers).json()) == 1
    assert Client().delete(f"/api/v2/filters/statuses/{item['id']}", headers=headers).json() == {}
    assert not FilterStatus.objects.exists()


def test_other_peoples_filters_are_not_found_and_unchanged(alice: Actor, bob: Actor) -> None:
    created = _create(bob)
    keywords = created["keywords"]
    assert isinstance(keywords, list)
    keyword_id = keywords[0]["id"]
    status = StatusFactory.create(account=bob)
    theirs = FilterStatus.objects.create(filter_id=int(str(created["id"])), status=status)
    headers = bearer_for(alice)
    for method, url in [
        ("get", f"/api/v2/filters/{created['id']}"),
        ("put", f"/api/v2/filters/{created['id']}"),
        ("delete", f"/api/v2/filters/{created['id']}"),
        ("get", f"/api/v2/filters/{created['id']}/keywords"),
        ("post", f"/api/v2/filters/{created['id']}/keywords"),
        ("get", f"/api/v2/filters/keywords/{keyword_id}"),
        ("put", f"/api/v2/filters/keywords/{keyword_id}"),
        ("delete", f"/api/v2/filters/keywords/{keyword_id}"),
        ("post", f"/api/v2/filters/{created['id']}/statuses"),
        ("get", f"/api/v2/filters/statuses/{theirs.pk}"),
        ("delete", f"/api/v2/filters/statuses/{theirs.pk}"),
        ("get", f"/api/v1/filters/{keyword_id}"),
    ]:
        response = getattr(Client(), method)(
            url, {"title": "Mine", "keyword": "x", "status_id": status.pk}, content_type="application/json",
            headers=headers,
        ) if method != "get" else Client().get(url, headers=headers)  # fmt: skip
        assert response.status_code == 404, (method, url)
    assert Client().get("/api/v2/filters", headers=headers).json() == []
    the_filter = Filter.objects.get()
    assert the_filter.title == "Pets"
    assert the_filter.keywords.count() == 2
    assert FilterStatus.objects.count() == 1


def test_filter_scopes(alice: Actor) -> None:
    refused = Client().post(
        "/api/v2/filters", {"title": "x", "context": ["home"]}, content_type="application/json",
        headers=bearer_for(alice, "read"),
    )  # fmt: skip
    assert refused.status_code == 403
    assert not Filter.objects.exists()
    assert Client().get("/api/v2/filters", headers=bearer_for(alice, "write")).status_code == 403
    assert Client().get("/api/v2/filters", headers=bearer_for(alice, "read:filters")).status_code == 200


def test_filters_apply_to_timelines(alice: Actor, bob: Actor) -> None:
    warned = StatusFactory.create(account=bob, text="my cat", content="<p>my cat</p>")
    hidden = StatusFactory.create(account=bob, text="a spider", content="<p>a spider</p>")
    plain = StatusFactory.create(account=bob, text="hello", content="<p>hello</p>")
    for status in (warned, hidden, plain):
        TimelineEntry.objects.create(owner=alice, status=status)
    _create(alice, title="Warn", context=["home", "public", "notifications"], keywords_attributes=[{"keyword": "cat"}])
    _create(alice, title="Hide", context=["home"], filter_action="hide", keywords_attributes=[{"keyword": "spider"}])
    home = Client().get("/api/v1/timelines/home", headers=bearer_for(alice)).json()
    assert [item["id"] for item in home] == [str(plain.pk), str(warned.pk)]
    filtered = home[1]["filtered"]
    assert filtered[0]["filter"]["title"] == "Warn"
    assert filtered[0]["keyword_matches"] == ["cat"]
    assert home[0]["filtered"] == []
    public = Client().get("/api/v1/timelines/public", headers=bearer_for(alice)).json()
    assert str(hidden.pk) in [item["id"] for item in public]


def test_hide_filter_removes_notifications_about_the_status(alice: Actor, bob: Actor) -> None:
    mine = StatusFactory.create(account=alice, text="ok")
    theirs = StatusFactory.create(account=bob, text="spoilers ahead", content="<p>spoilers ahead</p>")
    do_favourite(bob, mine)
    do_notify(alice, bob, Notification.Type.MENTION, theirs)
    _create(
        alice,
        title="Hide",
        context=["notifications"],
        filter_action="hide",
        keywords_attributes=[{"keyword": "spoilers"}],
    )
    notifications = Client().get("/api/v1/notifications", headers=bearer_for(alice)).json()
    assert [item["type"] for item in notifications] == ["favourite"]


def test_v1_filters_read_keywords(alice: Actor) -> None:
    created = _create(alice, filter_action="hide")
    body = Client().get("/api/v1/filters", headers=bearer_for(alice)).json()
    assert [item["phrase"] for item in body] == ["cat", "dog"]
    assert body[0]["irreversible"] is True
    assert body[0]["context"] == created["context"]

"""Account mutes, thread mutes, hidden domains and account notes through the client API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import StatusFactory
from timeline.actions.interactions import do_favourite
from timeline.actions.notifications import do_notify
from timeline.models import AccountDomainBlock, AccountNote, ConversationMute, Mute, Notification, TimelineEntry

pytestmark = pytest.mark.django_db


def _home_ids(actor: Actor) -> list[str]:
    return [
        item["id"]
        for item in Client().get("/api/v1/timelines/home", headers=bearer_for(actor, "read write follow")).json()
    ]


def test_mute_hides_statuses_and_shows_in_relationships(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=bob)
    TimelineEntry.objects.create(owner=alice, status=status)
    assert _home_ids(alice) == [str(status.pk)]
    body = Client().post(
        f"/api/v1/accounts/{bob.pk}/mute", {"notifications": "false"}, headers=bearer_for(alice, "read write follow")
    )
    assert body.json()["muting"] is True
    assert body.json()["muting_notifications"] is False
    assert _home_ids(alice) == []
    public = Client().get("/api/v1/timelines/public", headers=bearer_for(alice, "read write follow")).json()
    assert str(status.pk) not in [item["id"] for item in public]
    assert str(status.pk) in [item["id"] for item in Client().get("/api/v1/timelines/public").json()]
    listed = Client().get("/api/v1/mutes", headers=bearer_for(alice, "read write follow")).json()
    assert [item["id"] for item in listed] == [str(bob.pk)]
    assert listed[0]["mute_expires_at"] is None
    body = Client().post(f"/api/v1/accounts/{bob.pk}/unmute", headers=bearer_for(alice, "read write follow")).json()
    assert body["muting"] is False
    assert _home_ids(alice) == [str(status.pk)]


def test_mute_with_notifications_silences_them(alice: Actor, bob: Actor) -> None:
    Client().post(f"/api/v1/accounts/{bob.pk}/mute", headers=bearer_for(alice, "read write follow"))
    status = StatusFactory.create(account=alice)
    do_favourite(bob, status)
    assert not Notification.objects.filter(recipient=alice).exists()
    relationship = (
        Client()
        .get(f"/api/v1/accounts/relationships?id[]={bob.pk}", headers=bearer_for(alice, "read write follow"))
        .json()
    )
    assert relationship[0]["muting_notifications"] is True


def test_earlier_notifications_of_a_muted_account_are_hidden(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    do_favourite(bob, status)
    Mute.objects.create(account=alice, target=bob)
    assert Client().get("/api/v1/notifications", headers=bearer_for(alice, "read write follow")).json() == []


def test_an_expired_mute_no_longer_applies(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=bob)
    TimelineEntry.objects.create(owner=alice, status=status)
    Mute.objects.create(account=alice, target=bob, expires_at=timezone.now() - timedelta(seconds=1))
    assert _home_ids(alice) == [str(status.pk)]
    assert Client().get("/api/v1/mutes", headers=bearer_for(alice, "read write follow")).json() == []


def test_timed_mute_reports_its_expiry(alice: Actor, bob: Actor) -> None:
    Client().post(
        f"/api/v1/accounts/{bob.pk}/mute", {"duration": "3600"}, headers=bearer_for(alice, "read write follow")
    )
    mute = Mute.objects.get()
    assert mute.expires_at is not None
    assert timedelta(minutes=59) < mute.expires_at - timezone.now() <= timedelta(hours=1)
    assert (
        Client().get("/api/v1/mutes", headers=bearer_for(alice, "read write follow")).json()[0]["mute_expires_at"]
        is not None
    )


def test_mute_refusals_change_nothing(alice: Actor, bob: Actor) -> None:
    myself = Client().post(f"/api/v1/accounts/{alice.pk}/mute", headers=bearer_for(alice, "read write follow"))
    assert myself.status_code == 422
    read_only = Client().post(f"/api/v1/accounts/{bob.pk}/mute", headers=bearer_for(alice, "read"))
    assert read_only.status_code == 403
    assert (
        Client().post("/api/v1/accounts/999999/mute", headers=bearer_for(alice, "read write follow")).status_code == 404
    )
    assert not Mute.objects.exists()
    assert Client().get("/api/v1/mutes", headers=bearer_for(alice, "write")).status_code == 403


def test_thread_mute_silences_notifications_from_the_thread(alice: Actor, bob: Actor) -> None:
    root = StatusFactory.create(account=alice)
    reply = StatusFactory.create(account=bob, in_reply_to=root)
    deeper = StatusFactory.create(account=bob, in_reply_to=reply)
    body = Client().post(f"/api/v1/statuses/{deeper.pk}/mute", headers=bearer_for(alice, "read write follow")).json()
    assert body["muted"] is True
    assert ConversationMute.objects.get().root_id == root.pk
    assert (
        Client().get(f"/api/v1/statuses/{reply.pk}", headers=bearer_for(alice, "read write follow")).json()["muted"]
        is True
    )
    assert do_notify(alice, bob, Notification.Type.MENTION, deeper) is None
    other = StatusFactory.create(account=bob)
    assert do_notify(alice, bob, Notification.Type.MENTION, other) is not None
    body = Client().post(f"/api/v1/statuses/{root.pk}/unmute", headers=bearer_for(alice, "read write follow")).json()
    assert body["muted"] is False
    assert do_notify(alice, bob, Notification.Type.MENTION, deeper) is not None


def test_domain_blocks_hide_the_domain_and_list(alice: Actor) -> None:
    remote = RemoteActorFactory.create(domain="noisy.example")
    status = StatusFactory.create(account=remote, local=False)
    TimelineEntry.objects.create(owner=alice, status=status)
    response = Client().post(
        "/api/v1/domain_blocks", {"domain": "noisy.example"}, headers=bearer_for(alice, "read write follow")
    )
    assert response.status_code == 200
    assert response.json() == {}
    assert _home_ids(alice) == []
    assert Client().get("/api/v1/domain_blocks", headers=bearer_for(alice, "read write follow")).json() == [
        "noisy.example"
    ]
    relationship = (
        Client()
        .get(f"/api/v1/accounts/relationships?id[]={remote.pk}", headers=bearer_for(alice, "read write follow"))
        .json()
    )
    assert relationship[0]["domain_blocking"] is True
    assert do_notify(alice, remote, Notification.Type.FOLLOW) is None
    Client().delete(
        "/api/v1/domain_blocks", "domain=noisy.example", content_type="application/x-www-form-urlencoded",
        headers=bearer_for(alice, "read write follow"),
    )  # fmt: skip
    assert not AccountDomainBlock.objects.exists()
    assert _home_ids(alice) == [str(status.pk)]


@pytest.mark.parametrize("domain", ["", "not a domain", "testserver"])
def test_domain_block_refusals_store_nothing(alice: Actor, domain: str, settings: object) -> None:
    settings.MUTUALS_DOMAIN = "testserver"  # type: ignore[attr-defined]
    response = Client().post(
        "/api/v1/domain_blocks", {"domain": domain}, headers=bearer_for(alice, "read write follow")
    )
    assert response.status_code == 422
    assert not AccountDomainBlock.objects.exists()


def test_domain_blocks_are_per_member(alice: Actor, bob: Actor) -> None:
    AccountDomainBlock.objects.create(account=bob, domain="noisy.example")
    assert Client().get("/api/v1/domain_blocks", headers=bearer_for(alice, "read write follow")).json() == []
    read_only = Client().post("/api/v1/domain_blocks", {"domain": "x.example"}, headers=bearer_for(alice, "read"))
    assert read_only.status_code == 403
    assert AccountDomainBlock.objects.count() == 1


def test_account_note_in_relationship(alice: Actor, bob: Actor) -> None:
    body = Client().post(
        f"/api/v1/accounts/{bob.pk}/note", {"comment": "met at the AGM"}, headers=bearer_for(alice, "read write follow")
    )
    assert body.json()["note"] == "met at the AGM"
    other = (
        Client()
        .get(f"/api/v1/accounts/relationships?id[]={alice.pk}", headers=bearer_for(bob, "read write follow"))
        .json()
    )
    assert other[0]["note"] == ""
    too_long = Client().post(
        f"/api/v1/accounts/{bob.pk}/note", {"comment": "x" * 2001}, headers=bearer_for(alice, "read write follow")
    )
    assert too_long.status_code == 422
    assert AccountNote.objects.get().comment == "met at the AGM"
    Client().post(f"/api/v1/accounts/{bob.pk}/note", {"comment": ""}, headers=bearer_for(alice, "read write follow"))
    assert not AccountNote.objects.exists()


def test_mutes_and_hidden_domains_leave_everyone_else(alice: Actor, bob: Actor) -> None:
    remote = RemoteActorFactory.create(domain="noisy.example")
    carol_status = StatusFactory.create(account=bob, text="still here")
    boost_of_remote = StatusFactory.create(account=bob, reblog_of=StatusFactory.create(account=remote, local=False))
    for status in (carol_status, boost_of_remote):
        TimelineEntry.objects.create(owner=alice, status=status)
    Mute.objects.create(account=alice, target=RemoteActorFactory.create())
    AccountDomainBlock.objects.create(account=alice, domain="noisy.example")
    assert _home_ids(alice) == [str(carol_status.pk)]

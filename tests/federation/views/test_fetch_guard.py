"""Signed fetches honour the author's blocks, account suspensions and domain policies, in secure mode and out."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from federation.actions.domain_policies import do_set_domain_policy
from federation.models import Actor
from federation.signatures import sign_request
from governance.actions.moderation import check_take_moderation_action, do_take_moderation_action
from tests.factories.federation import RemoteActorFactory
from tests.factories.governance import adopt_rules, make_moderator
from tests.factories.keys import shared_test_key_pair
from tests.factories.timeline import FollowFactory, StatusFactory
from timeline.actions.blocks import do_block
from timeline.models import AccountDomainBlock, Status, Visibility

pytestmark = pytest.mark.django_db

AP = {"accept": "application/activity+json"}
COLLECTIONS = ("outbox", "outbox?page=1", "followers", "following", "collections/featured")


@pytest.fixture(autouse=True)
def secure_mode(settings: SettingsWrapper) -> None:
    settings.MUTUALS_AUTHORIZED_FETCH = True


def signed_get(client: Client, path: str, fetcher: Actor) -> tuple[int, str]:
    headers = sign_request(
        "GET", f"http://testserver{path}", key_id=fetcher.key_id, private_key_pem=shared_test_key_pair().private_pem
    )
    response = client.get(path, headers={**AP, **headers})
    return response.status_code, response.content.decode()


def served_nothing(body: str, status: Status) -> bool:
    return str(status.id) not in body and status.content not in body and "orderedItems" not in body


def suspend_account(target: Actor) -> None:
    rule = adopt_rules("No spam.")[0]
    moderator = make_moderator()
    draft = check_take_moderation_action(
        moderator, kind="suspend", rule_version_ids=[rule.pk], target_account_id=target.pk
    )
    do_take_moderation_action(moderator, draft)


def test_an_actor_the_author_blocked_gets_404_for_a_public_status(client: Client, alice: Actor) -> None:
    status = StatusFactory.create(account=alice, content="<p>only for friends of alice</p>")
    fetcher = RemoteActorFactory.create()
    path = f"/users/alice/statuses/{status.id}"
    assert signed_get(client, path, fetcher)[0] == 200
    do_block(alice, fetcher)
    code, body = signed_get(client, path, fetcher)
    assert code == 404
    assert served_nothing(body, status)


def test_an_actor_the_author_blocked_gets_none_of_the_authors_collections(client: Client, alice: Actor) -> None:
    status = StatusFactory.create(account=alice, content="<p>pinned</p>", pinned_at=alice.created_at)
    fetcher = RemoteActorFactory.create()
    do_block(alice, fetcher)
    for collection in COLLECTIONS:
        code, body = signed_get(client, f"/users/alice/{collection}", fetcher)
        assert code == 403, collection
        assert served_nothing(body, status), collection
    # Someone else on the same domain still reads them.
    assert signed_get(client, "/users/alice/outbox?page=1", RemoteActorFactory.create())[0] == 200


def test_a_domain_the_author_blocked_gets_nothing(client: Client, alice: Actor) -> None:
    """The author's own domain block covers the domain and its subdomains."""
    status = StatusFactory.create(account=alice)
    AccountDomainBlock.objects.create(account=alice, domain="mastodon.example")
    for fetcher in (RemoteActorFactory.create(), RemoteActorFactory.create(domain="eu.mastodon.example")):
        assert signed_get(client, f"/users/alice/statuses/{status.id}", fetcher)[0] == 404
        assert signed_get(client, "/users/alice/outbox?page=1", fetcher)[0] == 403
    assert (
        signed_get(client, f"/users/alice/statuses/{status.id}", RemoteActorFactory.create(domain="other.example"))[0]
        == 200
    )


def test_another_authors_block_changes_nothing(client: Client, alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    fetcher = RemoteActorFactory.create()
    do_block(bob, fetcher)
    assert signed_get(client, f"/users/alice/statuses/{status.id}", fetcher)[0] == 200


def test_a_suspended_account_is_refused_every_document(client: Client, alice: Actor) -> None:
    status = StatusFactory.create(account=alice)
    fetcher = RemoteActorFactory.create()
    suspend_account(fetcher)
    code, body = signed_get(client, f"/users/alice/statuses/{status.id}", fetcher)
    assert code == 403
    assert served_nothing(body, status)
    for collection in (*COLLECTIONS, "../../actor/followers"):
        path = f"/users/alice/{collection}".replace("/users/alice/../../", "/")
        code, body = signed_get(client, path, fetcher)
        assert code == 403, path
        assert served_nothing(body, status), path


def test_a_suspended_domain_is_refused_even_through_a_key_on_another_host(client: Client, alice: Actor) -> None:
    """The signer's own domain counts, whatever host its key id names."""
    status = StatusFactory.create(account=alice)
    fetcher = RemoteActorFactory.create(domain="bad.example")
    do_set_domain_policy("bad.example", severity="suspend", authorised_by="Test")
    code, body = signed_get(client, f"/users/alice/statuses/{status.id}", fetcher)
    assert code == 403
    assert served_nothing(body, status)


def test_a_silenced_domain_reads_what_visibility_and_follows_allow(client: Client, alice: Actor) -> None:
    """As on Mastodon, a limit hides the domain from members here; its actors still read public posts."""
    public = StatusFactory.create(account=alice)
    private = StatusFactory.create(account=alice, visibility=Visibility.PRIVATE)
    do_set_domain_policy("mastodon.example", severity="silence", authorised_by="Test")
    stranger, follower = RemoteActorFactory.create(), RemoteActorFactory.create()
    FollowFactory.create(follower=follower, target=alice)
    assert signed_get(client, f"/users/alice/statuses/{public.id}", stranger)[0] == 200
    code, body = signed_get(client, f"/users/alice/statuses/{private.id}", stranger)
    assert code == 404
    assert served_nothing(body, private)
    assert signed_get(client, f"/users/alice/statuses/{private.id}", follower)[0] == 200

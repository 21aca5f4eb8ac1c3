"""Deleting a member's account: re-authentication, grace, cancel, erasure, pseudonymisation, receipts."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from oauth2_provider.models import AccessToken

from federation.models import Actor, Delivery, InboxItem, InboxRecipient, RemoteHost, Tombstone
from governance.actions.closing import recount_proposal
from members.access import access_deletion_by_receipt_token, hash_receipt_token
from members.actions.bylaws import do_adopt_bylaws_version
from members.actions.deletion import (
    check_cancel_account_deletion,
    check_request_account_deletion,
    do_cancel_account_deletion,
    do_erase_account,
    do_request_account_deletion,
)
from members.deletion_receipt import ACKNOWLEDGED, FAILED, PENDING, TO_BE_TOLD, deletion_receipt
from members.errors import MemberRefused
from members.holdings import holdings_of
from members.models import AccountDeletion, Membership, MembershipStatus, RegisterEntry, User
from members.tasks import erase_due_accounts
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.governance import close, open_proposal, vote
from tests.factories.oauth import AccessTokenFactory
from tests.factories.timeline import StatusFactory
from tests.federation.network import FakeNetwork
from timeline.actions.statuses import check_create_status, do_create_status
from timeline.models import Follow, MediaAttachment, Mention, Status, Visibility

CaptureHooks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
PASSWORD = "correct horse battery staple"


@pytest.fixture
def followed_alice(alice: Actor, network: FakeNetwork) -> tuple[Actor, Actor, Status]:
    """Return alice with a remote follower and one delivered public status, and that follower."""
    follower = RemoteActorFactory.create(domain="mastodon.example")
    Follow.objects.create(follower=follower, target=alice, state=Follow.State.ACCEPTED)
    status = do_create_status(alice, check_create_status(alice, text="hello fediverse"))
    return alice, follower, status


Request = Callable[..., tuple[AccountDeletion, str]]


@pytest.fixture
def request_deletion(django_capture_on_commit_callbacks: CaptureHooks) -> Request:
    """Return a function that requests an account's deletion and runs what follows the commit."""

    def request(actor: Actor, *, immediate: bool = False) -> tuple[AccountDeletion, str]:
        assert actor.user is not None
        with django_capture_on_commit_callbacks(execute=True):
            return do_request_account_deletion(
                check_request_account_deletion(actor.user, password=PASSWORD, immediate=immediate)
            )

    return request


@pytest.mark.django_db
def test_wrong_password_is_refused_and_nothing_changes(alice: Actor) -> None:
    assert alice.user is not None
    with pytest.raises(MemberRefused, match="password is wrong"):
        check_request_account_deletion(alice.user, password="not my password")
    alice.user.refresh_from_db()
    assert alice.user.is_active
    assert not AccountDeletion.objects.exists()


@pytest.mark.django_db
def test_request_deactivates_for_the_grace_period_and_mails_the_notice(
    followed_alice: tuple[Actor, Actor, Status], request_deletion: Request
) -> None:
    alice, _, status = followed_alice
    deletion, token = request_deletion(alice)
    assert deletion.state == AccountDeletion.State.SCHEDULED
    assert deletion.erase_after - deletion.requested_at == timedelta(days=14)
    assert deletion.receipt_token_hash == hash_receipt_token(token) != token
    assert deletion.servers == ["mastodon.example"]
    assert deletion.user_id is not None
    user = User.objects.get(pk=deletion.user_id)
    assert not user.is_active
    # Nothing is erased during the grace period, and the beat task leaves it alone.
    assert erase_due_accounts() == 0
    assert Status.objects.filter(pk=status.pk).exists()
    assert mail.outbox[-1].to == [user.email]
    assert "mastodon.example" in mail.outbox[-1].body
    assert f"/coop/deletion/receipt/{token}" in mail.outbox[-1].body
    attached = {name: content for name, content, _ in mail.outbox[-1].attachments}
    assert json.loads(attached["deletion-notice.json"])["servers"][0]["host"] == "mastodon.example"
    assert "mastodon.example: to be told" in attached["deletion-notice.txt"]
    receipt = deletion_receipt(access_deletion_by_receipt_token(token))
    assert [(server.host, server.state) for server in receipt.servers] == [("mastodon.example", TO_BE_TOLD)]


@pytest.mark.django_db
def test_a_second_request_is_refused(alice: Actor, request_deletion: Request) -> None:
    request_deletion(alice)
    assert alice.user is not None
    alice.user.refresh_from_db()
    alice.user.is_active = True
    alice.user.save()
    with pytest.raises(MemberRefused, match="already scheduled"):
        check_request_account_deletion(alice.user, password=PASSWORD)
    assert AccountDeletion.objects.count() == 1


@pytest.mark.django_db
def test_cancel_restores_everything(followed_alice: tuple[Actor, Actor, Status], request_deletion: Request) -> None:
    alice, follower, status = followed_alice
    assert alice.user is not None
    token = AccessTokenFactory.create(user=alice.user)
    deletion, _ = request_deletion(alice)
    do_cancel_account_deletion(check_cancel_account_deletion("alice", PASSWORD))
    deletion.refresh_from_db()
    assert deletion.state == AccountDeletion.State.CANCELLED
    alice.user.refresh_from_db()
    assert alice.user.is_active
    assert Status.objects.filter(pk=status.pk).exists()
    assert Follow.objects.filter(follower=follower, target=alice).exists()
    assert AccessToken.objects.filter(pk=token.pk).exists()
    # A cancelled deletion is never erased, even once its time has come.
    assert not do_erase_account(deletion.pk, now=timezone.now() + timedelta(days=30))
    assert Actor.objects.get(pk=alice.pk).deleted_at is None


@pytest.mark.django_db
def test_cancel_needs_the_password_and_changes_nothing_otherwise(
    alice: Actor, bob: Actor, request_deletion: Request
) -> None:
    deletion, _ = request_deletion(alice)
    for username, password in (("alice", "wrong"), ("bob", PASSWORD), ("nobody", PASSWORD)):
        with pytest.raises(MemberRefused):
            check_cancel_account_deletion(username, password)
    deletion.refresh_from_db()
    assert deletion.state == AccountDeletion.State.SCHEDULED
    assert not User.objects.get(username="alice").is_active


@pytest.mark.django_db
def test_immediate_deletion_needs_the_bylaws_to_allow_it(alice: Actor) -> None:
    do_adopt_bylaws_version({"deletion_immediate_allowed": False}, authorised_by="Test amendment")
    assert alice.user is not None
    with pytest.raises(MemberRefused, match="do not allow immediate deletion"):
        check_request_account_deletion(alice.user, password=PASSWORD, immediate=True)
    assert not AccountDeletion.objects.exists()
    plan = check_request_account_deletion(alice.user, password=PASSWORD)
    assert plan.erase_after > timezone.now() + timedelta(days=13)


@pytest.mark.django_db
def test_the_grace_period_comes_from_the_bylaws(alice: Actor, request_deletion: Request) -> None:
    do_adopt_bylaws_version({"deletion_grace_days": 3}, authorised_by="Test amendment")
    deletion, _ = request_deletion(alice)
    assert deletion.erase_after - deletion.requested_at == timedelta(days=3)


@pytest.mark.django_db
def test_erasure_tells_every_server_then_erases(
    followed_alice: tuple[Actor, Actor, Status], bob: Actor, network: FakeNetwork, request_deletion: Request
) -> None:
    alice, _, status = followed_alice
    assert alice.user is not None
    user_id = alice.user.pk
    # A server that got a reply but follows nobody here is told too.
    stranger = RemoteActorFactory.create(domain="elsewhere.example", shared_inbox_uri="")
    do_create_status(alice, check_create_status(alice, text=f"@{stranger.acct} hi", visibility="direct"))
    Follow.objects.create(follower=alice, target=bob, state=Follow.State.ACCEPTED)
    media = MediaAttachment.objects.create(account=alice, file=ContentFile(b"x", name="photo.png"))
    alice.avatar.save("face.png", ContentFile(b"y"))
    token = AccessTokenFactory.create(user=alice.user)
    # A followers-only post of a server that hides its followers, delivered to alice's personal inbox.
    given = StatusFactory.create(account=stranger, local=False, visibility=Visibility.LIMITED)
    Mention.objects.create(status=given, account=alice, silent=True)
    item = InboxItem.objects.create(activity_id=f"{given.uri}/activity", activity_type="Create", actor_uri="", body={})
    InboxRecipient.objects.create(item=item, account=alice)
    deletion, receipt_token = request_deletion(alice, immediate=True)

    deletion.refresh_from_db()
    assert deletion.state == AccountDeletion.State.ERASED
    posted = [(inbox, activity["type"], activity["object"]) for inbox, activity in network.posts]
    deletes = [entry for entry in posted if entry[1] == "Delete"]
    # Statuses first, then the actor, to the follower's shared inbox and to the mentioned account.
    assert deletes[-1][2] == alice.uri
    assert {inbox for inbox, _, obj in deletes if obj == alice.uri} == {
        "https://mastodon.example/inbox",
        stranger.inbox_uri,
    }
    assert any(isinstance(obj, dict) and obj["id"] == status.uri for _, _, obj in deletes)

    actor = Actor.objects.get(pk=alice.pk)
    assert actor.deleted_at is not None and actor.user is None
    assert actor.username == "alice" and actor.display_name == "" and not actor.avatar
    assert actor.private_key_pem  # kept to sign the Deletes' retries
    assert not Status.objects.filter(account=actor).exists()
    assert Tombstone.objects.filter(uri=status.uri).exists()
    assert not MediaAttachment.objects.filter(pk=media.pk).exists()
    assert not default_storage.exists(media.file.name)
    assert not Follow.objects.filter(follower=actor).exists() and not Follow.objects.filter(target=actor).exists()
    assert not AccessToken.objects.filter(pk=token.pk).exists()
    assert not Mention.objects.filter(account=actor).exists() and not InboxRecipient.objects.exists()
    # Only the Deletes remain of what the member sent.
    assert set(actor.outbound_activities.values_list("activity_type", flat=True)) == {"Delete"}

    user = User.objects.get(pk=user_id)
    assert user.username.startswith("erased-") and user.email == "" and not user.has_usable_password()
    assert Membership.objects.get(user=user).status == MembershipStatus.DELETED

    receipt = deletion_receipt(access_deletion_by_receipt_token(receipt_token))
    assert {server.host: server.state for server in receipt.servers} == {
        "mastodon.example": ACKNOWLEDGED,
        "elsewhere.example": ACKNOWLEDGED,
    }
    assert any("register" in item["record"].lower() for item in receipt.kept)


@pytest.mark.django_db
def test_erasure_runs_once(
    followed_alice: tuple[Actor, Actor, Status], network: FakeNetwork, request_deletion: Request
) -> None:
    alice, _, _ = followed_alice
    deletion, _ = request_deletion(alice)
    later = timezone.now() + timedelta(days=15)
    assert do_erase_account(deletion.pk, now=later)
    sent = len(network.posts)
    assert not do_erase_account(deletion.pk, now=later)
    assert len(network.posts) == sent


@pytest.mark.django_db
def test_the_beat_task_erases_due_accounts(alice: Actor, request_deletion: Request) -> None:
    deletion, _ = request_deletion(alice)
    AccountDeletion.objects.filter(pk=deletion.pk).update(erase_after=timezone.now() - timedelta(seconds=1))
    assert erase_due_accounts() == 1
    deletion.refresh_from_db()
    assert deletion.state == AccountDeletion.State.ERASED
    assert erase_due_accounts() == 0


@pytest.mark.django_db
def test_register_is_kept_pseudonymised_and_tallies_never_change(
    alice: Actor, bob: Actor, request_deletion: Request
) -> None:
    assert alice.user is not None and bob.user is not None
    named = close(_voted(open_proposal(alice.user, title="Named"), alice.user, bob.user))
    secret = close(_voted(open_proposal(alice.user, title="Secret", secret=True), alice.user, bob.user))
    before = {p.pk: recount_proposal(p) for p in (named, secret)}
    entries = list(RegisterEntry.objects.order_by("sequence").values())
    holdings = holdings_of(alice.user.pk)
    deletion, _ = request_deletion(alice, immediate=True)
    deletion.refresh_from_db()
    assert deletion.state == AccountDeletion.State.ERASED
    assert list(RegisterEntry.objects.order_by("sequence").values()) == entries
    assert holdings_of(alice.user.pk) == holdings
    for proposal in (named, secret):
        proposal.refresh_from_db()
        after = recount_proposal(proposal)
        assert after == before[proposal.pk]
        assert not after.problems


def _voted(proposal, *voters: User):  # type: ignore[no-untyped-def]
    for voter in voters:
        vote(voter, proposal, 0)
    return proposal


@pytest.mark.django_db
def test_receipt_shows_a_down_server_pending_then_failed(
    followed_alice: tuple[Actor, Actor, Status], network: FakeNetwork, request_deletion: Request
) -> None:
    alice, _, _ = followed_alice
    network.unreachable.add("https://mastodon.example/inbox")
    deletion, token = request_deletion(alice, immediate=True)
    receipt = deletion_receipt(access_deletion_by_receipt_token(token))
    assert [(s.host, s.state) for s in receipt.servers] == [("mastodon.example", PENDING)]
    assert "connection refused" in receipt.servers[0].last_attempt_error
    # The retries end (16 attempts over days): the rows are abandoned.
    deletion.refresh_from_db()
    Delivery.objects.filter(activity_id__in=deletion.activity_ids).update(state=Delivery.State.ABANDONED)
    receipt = deletion_receipt(access_deletion_by_receipt_token(token))
    assert [(s.host, s.state) for s in receipt.servers] == [("mastodon.example", FAILED)]


@pytest.mark.django_db
def test_a_host_marked_unavailable_is_still_named_and_fails(
    followed_alice: tuple[Actor, Actor, Status], network: FakeNetwork, request_deletion: Request
) -> None:
    alice, _, _ = followed_alice
    RemoteHost.objects.create(host="mastodon.example", unavailable=True)
    _, token = request_deletion(alice, immediate=True)
    receipt = deletion_receipt(access_deletion_by_receipt_token(token))
    assert [(s.host, s.state) for s in receipt.servers] == [("mastodon.example", FAILED)]


@pytest.mark.django_db
def test_another_token_reads_nothing(alice: Actor, request_deletion: Request) -> None:
    request_deletion(alice)
    from members.access import MemberNotFound

    for token in ("", "guess", hash_receipt_token("guess")):
        with pytest.raises(MemberNotFound):
            access_deletion_by_receipt_token(token)


@pytest.mark.django_db
def test_accounts_with_statuses_of_other_members_keep_those(
    alice: Actor, bob: Actor, request_deletion: Request
) -> None:
    bobs = do_create_status(bob, check_create_status(bob, text="mine"))
    request_deletion(alice, immediate=True)
    assert Status.objects.filter(pk=bobs.pk).exists()
    assert LocalActorFactory._meta.model.objects.get(pk=bob.pk).deleted_at is None

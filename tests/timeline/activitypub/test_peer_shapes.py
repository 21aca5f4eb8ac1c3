"""Activities in the shapes Mastodon, GoToSocial, Akkoma and Misskey send, parsed and stored."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from federation.actions.inbox import check_origin
from federation.actions.remote_actors import do_store_actor_document
from federation.inbox import IgnoredActivity, dispatch
from federation.inbox.registry import read_activity
from federation.models import Actor, OutboundActivity, Tombstone
from governance.models import Report
from tests.factories.timeline import FollowFactory, StatusFactory
from tests.federation.network import FakeNetwork
from tests.fixtures import load_activitypub
from timeline.models import Favourite, Follow, Notification, Poll, Status, Visibility

CaptureHooks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def deliver(actor: Actor, activity: dict[str, Any]) -> None:
    """Run an activity through the origin checks and its handler, as the inbox worker does."""
    check_origin(actor, activity)
    dispatch(actor, read_activity(activity))


def store(name: str) -> Actor:
    return do_store_actor_document(load_activitypub(name))


@pytest.mark.django_db
def test_mastodon_actor_is_cached_with_fields_and_sanitised_summary() -> None:
    dana = store("mastodon/actor")
    assert dana.acct == "dana@mastodon.example"
    assert dana.shared_inbox_uri == "https://mastodon.example/inbox"
    assert dana.public_key_uri == "https://mastodon.example/users/dana#main-key"
    assert dana.featured_uri.endswith("/collections/featured")
    assert "<script>" not in dana.summary
    assert 'class="mention hashtag"' in dana.summary
    assert dana.fields[0] == {"name": "Pronouns", "value": "she/her"}
    assert 'class="invisible"' in dana.fields[1]["value"]
    assert "translate" not in dana.fields[1]["value"] or 'translate="no"' in dana.fields[1]["value"]
    assert dana.also_known_as == ["https://old.example/users/dana"]
    assert dana.avatar_remote_url.endswith("dana.png")
    assert dana.discoverable and not dana.locked


@pytest.mark.django_db
def test_gotosocial_actor_without_shared_inbox_and_with_path_key_id() -> None:
    erin = store("gotosocial/actor")
    assert erin.shared_inbox_uri == ""
    assert erin.locked
    assert erin.public_key_uri == "https://gts.example/users/erin/main-key"


@pytest.mark.django_db
def test_akkoma_and_misskey_actors() -> None:
    frank = store("akkoma/actor")
    gina = store("misskey/actor")
    assert frank.shared_inbox_uri == "https://akkoma.example/inbox"
    assert frank.fields == [{"name": "fedi", "value": "since 2018"}]
    assert gina.username == "gina" and gina.domain == "misskey.example"
    assert gina.header_remote_url == ""


@pytest.mark.django_db
def test_mastodon_note_with_mention_hashtag_warning_and_attachments(alice: Actor) -> None:
    dana = store("mastodon/actor")
    deliver(dana, load_activitypub("mastodon/create_note"))
    status = Status.objects.get(uri="https://mastodon.example/users/dana/statuses/113000000000000001")
    assert status.visibility == Visibility.PUBLIC
    assert status.spoiler_text == "garden spoilers" and status.sensitive
    assert status.language == "en"
    assert 'class="u-url mention"' in status.content
    assert list(status.mentions.values_list("account", flat=True)) == [alice.pk]
    assert list(status.tags.values_list("name", flat=True)) == ["gardening"]
    # The executable attachment is not kept; the image is referenced, not copied.
    [media] = status.media.all()
    assert (media.content_type, media.type, media.file.name) == ("image/jpeg", "image", "")
    assert media.remote_url.startswith("https://")
    assert media.description == "Three red tomatoes on a vine"
    assert Notification.objects.filter(recipient=alice, type=Notification.Type.MENTION, status=status).exists()


@pytest.mark.django_db
def test_mastodon_question_becomes_a_status_with_a_poll() -> None:
    dana = store("mastodon/actor")
    deliver(dana, load_activitypub("mastodon/create_question"))
    poll = Poll.objects.get(status__uri="https://mastodon.example/users/dana/statuses/113000000000000002")
    assert poll.options == ["Beans", "Peas"]
    assert poll.votes == [2, 1]
    assert poll.voters_count == 3
    assert not poll.multiple
    assert poll.expires_at is not None


@pytest.mark.django_db
def test_mastodon_delete_removes_and_tombstones_and_blocks_reimport() -> None:
    dana = store("mastodon/actor")
    create = load_activitypub("mastodon/create_note")
    deliver(dana, create)
    deliver(dana, load_activitypub("mastodon/delete_note"))
    uri = create["object"]["id"]
    assert not Status.objects.filter(uri=uri).exists()
    assert Tombstone.objects.filter(uri=uri).exists()
    with pytest.raises(IgnoredActivity, match="deleted"):
        deliver(dana, create)
    assert not Status.objects.filter(uri=uri).exists()


@pytest.mark.django_db
def test_delete_before_create_keeps_the_status_out() -> None:
    dana = store("mastodon/actor")
    deliver(dana, load_activitypub("mastodon/delete_note"))
    with pytest.raises(IgnoredActivity):
        deliver(dana, load_activitypub("mastodon/create_note"))
    assert Status.objects.count() == 0


@pytest.mark.django_db
def test_mastodon_move_moves_local_followers_to_the_aliased_account(
    alice: Actor, bob: Actor, network: FakeNetwork
) -> None:
    dana = store("mastodon/actor")
    FollowFactory.create(follower=alice, target=dana)
    network.serve(load_activitypub("gotosocial/actor"))
    deliver(dana, load_activitypub("mastodon/move"))
    erin = Actor.objects.get(uri="https://gts.example/users/erin")
    dana.refresh_from_db()
    assert dana.moved_to_id == erin.pk
    assert not Follow.objects.filter(follower=alice, target=dana).exists()
    # Erin's account is locked, so the new follow waits for her Accept.
    assert Follow.objects.get(follower=alice, target=erin).state == Follow.State.PENDING
    assert OutboundActivity.objects.get(activity_type="Follow").body["object"] == erin.uri
    assert Notification.objects.filter(recipient=alice, type=Notification.Type.MOVE).exists()


@pytest.mark.django_db
def test_move_to_an_account_without_the_alias_is_ignored(alice: Actor, network: FakeNetwork) -> None:
    dana = store("mastodon/actor")
    FollowFactory.create(follower=alice, target=dana)
    erin = load_activitypub("gotosocial/actor")
    erin["alsoKnownAs"] = []
    network.serve(erin)
    with pytest.raises(IgnoredActivity, match="alias"):
        deliver(dana, load_activitypub("mastodon/move"))
    assert Follow.objects.filter(follower=alice, target=dana).exists()


@pytest.mark.django_db
def test_mastodon_flag_becomes_a_report(alice: Actor) -> None:
    reporter = store("mastodon/instance_actor")
    status = StatusFactory.create(account=alice)
    deliver(reporter, load_activitypub("mastodon/flag", LOCAL_STATUS=status.uri))
    report = Report.objects.get()
    assert report.target_id == alice.pk
    assert list(report.statuses.all()) == [status]
    assert report.comment == "Spam links in replies"
    assert report.forwarded_from == "mastodon.example"


@pytest.mark.django_db
def test_gotosocial_followers_only_note_with_single_valued_properties(alice: Actor) -> None:
    erin = store("gotosocial/actor")
    deliver(erin, load_activitypub("gotosocial/create_note"))
    status = Status.objects.get(uri="https://gts.example/users/erin/statuses/01HZZ0000000000000000000")
    assert status.visibility == Visibility.PRIVATE
    assert status.mentions.get().account_id == alice.pk
    assert status.media.get().blurhash == "LEHV6nWB2yk8pyo0adR*.7kCMdnj"


@pytest.mark.django_db
def test_akkoma_direct_message_is_direct_and_sanitised(
    alice: Actor, bob: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    frank = store("akkoma/actor")
    FollowFactory.create(follower=bob, target=frank)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(frank, load_activitypub("akkoma/create_note"))
    status = Status.objects.get(account=frank)
    assert status.visibility == Visibility.DIRECT
    assert "onerror" not in status.content and "<img" not in status.content
    # The mentioned member sees it; a follower who is not addressed does not.
    assert alice.home_entries.filter(status=status).exists()
    assert not bob.home_entries.filter(status=status).exists()


@pytest.mark.django_db
def test_misskey_note_and_reaction(alice: Actor) -> None:
    gina = store("misskey/actor")
    deliver(gina, load_activitypub("misskey/create_note"))
    status = Status.objects.get(uri="https://misskey.example/notes/9xyz000001")
    assert list(status.tags.values_list("name", flat=True)) == ["art"]
    assert status.media.get().content_type == "image/webp"
    local = StatusFactory.create(account=alice)
    deliver(gina, load_activitypub("misskey/like", LOCAL_STATUS=local.uri))
    assert Favourite.objects.filter(account=gina, status=local).exists()
    assert Notification.objects.filter(recipient=alice, type=Notification.Type.FAVOURITE).exists()

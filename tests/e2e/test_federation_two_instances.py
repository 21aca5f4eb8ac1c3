"""Two Mutuals instances in separate processes federate over loopback, as two servers would."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
from mastodon import Mastodon

from tests.file_server import file_server
from tests.live import EMBEDDED_PASS_ONLY, LiveInstance, live_instance, wait_for
from tests.timeline.media_files import image_bytes

pytestmark = [pytest.mark.live, EMBEDDED_PASS_ONLY]

PRELUDE = """
import json
from federation.actions.remote_actors import resolve_account
from federation.models import Actor, Delivery
from timeline.actions.blocks import do_block
from timeline.actions.follows import do_follow
from timeline.actions.interactions import do_favourite, do_reblog
from timeline.actions.polls import do_vote
from timeline.actions.statuses import (
    check_create_status, check_edit_status, do_create_status, do_delete_status, do_edit_status,
)
from timeline.models import Block, Favourite, Follow, Notification, Poll, PollVote, Status
from timeline.selectors import home_timeline_for
def me(name):
    return Actor.objects.get(domain="", username=name)
def out(value):
    print("RESULT " + json.dumps(value))
"""


def run(instance: LiveInstance, code: str) -> Any:
    """Run Python against an instance and return what it passed to out()."""
    output = instance.shell(PRELUDE + textwrap.dedent(code))
    line = next(line for line in output.splitlines()[::-1] if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def check(instance: LiveInstance, code: str, *, message: str, timeout: float = 60) -> None:
    """Wait until the code's out() value is truthy on the instance."""
    wait_for(lambda: run(instance, code), timeout=timeout, interval=1.0, message=message)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveInstance, LiveInstance]]:
    """Yield two running instances, alice's and bob's, shared by the tests of this module."""
    root = tmp_path_factory.mktemp("pair")
    with live_instance(root / "a", name="a") as a, live_instance(root / "b", name="b") as b:
        for instance, member in ((a, "alice"), (b, "bob")):
            instance.manage("createmember", member, "--password", "a sturdy passphrase")
            instance.start_web()
            instance.start_worker(beat=True)
        yield a, b


def test_two_instances_follow_post_interact_and_delete(pair: tuple[LiveInstance, LiveInstance]) -> None:
    a, b = pair
    bob_handle = f"bob@{b.domain}"
    alice_handle = f"alice@{a.domain}"

    # Discovery: WebFinger, then the actor document, on the other instance.
    finger = b.get(f"/.well-known/webfinger?resource=acct:{bob_handle}").json()
    assert finger["subject"] == f"acct:{bob_handle}"

    # Follow and accept, both ways.
    run(a, f'out(do_follow(me("alice"), resolve_account("{bob_handle}")).state)')
    check(a, 'out(Follow.objects.filter(follower=me("alice"), state="accepted").exists())', message="bob's Accept")
    run(b, f'out(do_follow(me("bob"), resolve_account("{alice_handle}")).state)')
    check(b, 'out(Follow.objects.filter(follower=me("bob"), state="accepted").exists())', message="alice's Accept")
    assert run(b, 'out(Notification.objects.filter(recipient=me("bob"), type="follow").count())') == 1

    # Posts in every visibility reach alice's home timeline with the right visibility.
    posted = run(
        b,
        """
        ids = {}
        for visibility in ("public", "unlisted", "private"):
            ids[visibility] = do_create_status(me("bob"), check_create_status(
                me("bob"), text=f"a {visibility} post", visibility=visibility)).uri
        ids["direct"] = do_create_status(me("bob"), check_create_status(
            me("bob"), text=f"@alice@{a_domain} just for you", visibility="direct")).uri
        out(ids)
        """.replace("{a_domain}", a.domain),
    )
    check(
        a,
        f"""
        home = {{s.uri: s.visibility for s in home_timeline_for(me("alice"), limit=50)}}
        out(all(home.get(uri) == vis for vis, uri in {posted!r}.items()))
        """,
        message="four posts in alice's home timeline",
    )
    assert run(a, 'out(Notification.objects.filter(recipient=me("alice"), type="mention").count())') == 1

    # Reply, like and boost from alice reach bob.
    public = posted["public"]
    run(
        a,
        f"""
        original = Status.objects.get(uri="{public}")
        do_create_status(me("alice"), check_create_status(me("alice"), text="a reply", in_reply_to_id=original.id))
        do_favourite(me("alice"), original)
        do_reblog(me("alice"), original)
        out(True)
        """,
    )
    check(
        b,
        f"""
        original = Status.objects.get(uri="{public}")
        kinds = set(Notification.objects.filter(recipient=me("bob")).values_list("type", flat=True))
        out(
            Status.objects.filter(in_reply_to=original, account__domain="{a.domain}").exists()
            and Favourite.objects.filter(status=original).exists()
            and Status.objects.filter(reblog_of=original).exists()
            and {{"mention", "favourite", "reblog"}} <= kinds
        )
        """,
        message="alice's reply, like and boost on bob's side",
    )

    # An edit travels as Update; a poll vote travels to the poll's author only.
    run(
        b,
        f"""
        status = Status.objects.get(uri="{public}")
        do_edit_status(me("bob"), status, check_edit_status(me("bob"), status, text="an edited post"))
        poll = do_create_status(me("bob"), check_create_status(
            me("bob"), text="beans or peas?", poll_options=["beans", "peas"], poll_expires_in=3600))
        out(poll.uri)
        """,
    )
    check(a, f'out("edited" in Status.objects.get(uri="{public}").content)', message="the edit on alice's side")
    poll_uri = run(b, "out(Status.objects.filter(poll__isnull=False).get().uri)")
    check(a, f'out(Poll.objects.filter(status__uri="{poll_uri}").exists())', message="the poll on alice's side")
    run(a, f'out(len(do_vote(me("alice"), Status.objects.get(uri="{poll_uri}"), [1])))')
    check(b, f'out(Poll.objects.get(status__uri="{poll_uri}").votes == [0, 1])', message="alice's vote counted")

    # Delete: the status disappears on the other side too.
    run(b, f'do_delete_status(me("bob"), Status.objects.get(uri="{public}")); out(True)')
    check(a, f'out(not Status.objects.filter(uri="{public}").exists())', message="the delete on alice's side")

    # Collections reflect the follows.
    followers = b.get("/users/bob/followers", headers={"Accept": "application/activity+json"}).json()
    assert followers["totalItems"] == 1
    page = b.get("/users/bob/followers?page=1", headers={"Accept": "application/activity+json"}).json()
    assert page["orderedItems"] == [a.url("/users/alice")]

    # Block: bob blocks alice; her follow of him ends on both sides.
    run(b, f'do_block(me("bob"), Actor.objects.get(uri="{a.url("/users/alice")}")); out(True)')
    check(a, 'out(not Follow.objects.filter(follower=me("alice")).exists())', message="the block on alice's side")
    assert run(b, 'out(Follow.objects.filter(target=me("bob")).count())') == 0

    # Nothing is left undelivered.
    for instance in (a, b):
        check(instance, 'out(not Delivery.objects.exclude(state="delivered").exists())', message="all delivered")


GARDEN_PAGE = b"""<html lang="en"><head><meta property="og:title" content="Tomatoes and you">
<meta property="og:description" content="Growing tomatoes on a balcony.">
<meta property="og:image" content="/tomato.png"></head><body></body></html>"""


def test_cards_and_copied_media_cross_instances(pair: tuple[LiveInstance, LiveInstance]) -> None:
    """Both servers fetch the card themselves; b copies a's attachment and avatar and serves them from b."""
    a, b = pair
    for instance, member in ((a, "carol"), (b, "dave")):
        instance.manage("createmember", member, "--password", "a sturdy passphrase")
    carol = Mastodon(access_token=a.manage("mint_token", "carol").stdout.strip(), api_base_url=a.base_url)
    dave = Mastodon(access_token=b.manage("mint_token", "dave").stdout.strip(), api_base_url=b.base_url)
    carol.account_update_credentials(avatar=image_bytes(300, 300), avatar_mime_type="image/png")
    run(b, f'out(do_follow(me("dave"), resolve_account("carol@{a.domain}")).state)')
    check(b, 'out(Follow.objects.filter(follower=me("dave"), state="accepted").exists())', message="carol's Accept")

    with file_server() as site:
        site.serve("/garden", GARDEN_PAGE, "text/html; charset=utf-8")
        site.serve("/tomato.png", image_bytes(1200, 630), "image/png")
        photo = carol.media_post(image_bytes(640, 480), mime_type="image/png", description="A tomato")
        posted = carol.status_post(f"Grow these {site.url('/garden')}", media_ids=[photo])

        # Mastodon.py on carol's server reads the card once the task has run.
        wait_for(lambda: carol.status(posted["id"])["card"] is not None, timeout=60, message="the card on a")
        card = carol.status(posted["id"])["card"]
        assert (card["title"], card["type"]) == ("Tomatoes and you", "link")
        assert card["image"].startswith(a.url("/media/cards/"))

        def arrived() -> dict[str, Any] | None:
            for status in dave.timeline_home():
                attachment = status["media_attachments"][0] if status["media_attachments"] else None
                copied = attachment is not None and attachment["url"].startswith(b.url("/media/"))
                if status["uri"] == posted["uri"] and status["card"] and copied:
                    return dict(status)
            return None

        wait_for(lambda: arrived() is not None, timeout=90, message="the status with its card and copies on b")
        seen = arrived()
        assert seen is not None

    # b fetched the page itself and stored the image; the attachment and the avatar are b's copies.
    other_card = seen["card"]
    assert other_card["title"] == "Tomatoes and you"
    assert other_card["image"].startswith(b.url("/media/cards/"))
    [attachment] = seen["media_attachments"]
    assert attachment["remote_url"] == posted["media_attachments"][0]["url"]
    assert attachment["preview_url"].startswith(b.url("/media/media/small/"))
    assert b.get(attachment["url"].removeprefix(b.base_url)).content[:8] == b"\x89PNG\r\n\x1a\n"
    check(
        b,
        f'out(Actor.objects.get(uri="{a.url("/users/carol")}").avatar.name.startswith("avatars/"))',
        message="carol's avatar copied on b",
    )
    [account] = dave.account_search(f"carol@{a.domain}")
    assert account["avatar"].startswith(b.url("/media/avatars/"))

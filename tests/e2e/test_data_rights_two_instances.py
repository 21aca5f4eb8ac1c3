"""Moving, deleting and re-importing accounts across two Mutuals instances, each in its own processes.

Each remote server is a `Peer`: something that can follow an account and
say whether it still holds an actor or a status. Another kind of server
joins these tests by implementing the same four methods and being added to
`peers`.
"""

from __future__ import annotations

import json
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest

from tests.live import EMBEDDED_PASS_ONLY, LiveInstance, live_instance, wait_for

pytestmark = [pytest.mark.live, EMBEDDED_PASS_ONLY]

PASSWORD = "a sturdy passphrase"
PRELUDE = """
import json
from django.db import transaction
from federation.actions.remote_actors import resolve_account
from federation.models import Actor, Delivery
from members.access import access_deletion_by_receipt_token
from members.actions.deletion import check_request_account_deletion, do_request_account_deletion
from members.deletion_receipt import deletion_receipt
from timeline.actions.follows import do_follow
from timeline.actions.moves import check_add_alias, check_move_away, do_add_alias, do_move_account
from timeline.actions.statuses import check_create_status, do_create_status
from timeline.models import Follow, Status
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


def check(instance: LiveInstance, code: str, *, message: str, timeout: float = 90) -> None:
    """Wait until the code's out() value is truthy on the instance."""
    wait_for(lambda: run(instance, code), timeout=timeout, interval=1.0, message=message)


class Peer(Protocol):
    """A remote server in these tests, seen from the outside."""

    domain: str

    def follow(self, username: str, handle: str) -> None:
        """Make a local account of the peer follow `handle` and wait for the Accept."""

    def holds_actor(self, uri: str) -> bool:
        """Return whether the peer still has a copy of the actor."""

    def holds_status(self, uri: str) -> bool:
        """Return whether the peer still has a copy of the status."""


class MutualsPeer:
    """Another Mutuals instance as a peer."""

    def __init__(self, instance: LiveInstance) -> None:
        self.instance = instance
        self.domain = instance.domain

    def follow(self, username: str, handle: str) -> None:
        run(self.instance, f'do_follow(me("{username}"), resolve_account("{handle}")); out(True)')
        check(
            self.instance,
            f'out(Follow.objects.filter(follower=me("{username}"), state="accepted").exists())',
            message=f"{handle} accepting {username}",
        )

    def holds_actor(self, uri: str) -> bool:
        return bool(run(self.instance, f'out(Actor.objects.filter(uri="{uri}").exists())'))

    def holds_status(self, uri: str) -> bool:
        return bool(run(self.instance, f'out(Status.objects.filter(uri="{uri}").exists())'))


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[LiveInstance, LiveInstance]]:
    """Yield two running instances: alice's and dave's on A, bob's and carol's on B."""
    with live_instance(tmp_path / "a", name="a") as a, live_instance(tmp_path / "b", name="b") as b:
        for instance, members in ((a, ("alice", "dave")), (b, ("bob", "carol"))):
            for member in members:
                instance.manage("createmember", member, "--password", PASSWORD)
            instance.start_web()
            instance.start_worker(beat=True)
        yield a, b


@pytest.mark.timeout(600)
def test_deleting_a_member_removes_them_from_peers_and_the_receipt_says_so(
    pair: tuple[LiveInstance, LiveInstance],
) -> None:
    a, b = pair
    peers: list[Peer] = [MutualsPeer(b)]
    alice_uri = a.url("/users/alice")
    for peer in peers:
        peer.follow("bob", f"alice@{a.domain}")
    status_uri = run(a, 'out(do_create_status(me("alice"), check_create_status(me("alice"), text="bye")).uri)')
    for peer in peers:
        wait_for(lambda peer=peer: peer.holds_status(status_uri), timeout=90, interval=1.0, message="the post")

    token = run(
        a,
        f"""
        plan = check_request_account_deletion(me("alice").user, password="{PASSWORD}", immediate=True)
        deletion, token = do_request_account_deletion(plan)
        out(token)
        """,
    )
    for peer in peers:
        wait_for(
            lambda peer=peer: not peer.holds_status(status_uri) and not peer.holds_actor(alice_uri),
            timeout=120,
            interval=1.0,
            message=f"alice gone from {peer.domain}",
        )

    def receipt() -> dict[str, Any]:
        response = a.get(f"/coop/deletion/receipt/{token}.json")
        assert response.status_code == 200
        return dict(response.json())

    wait_for(
        lambda: {s["host"]: s["state"] for s in receipt()["servers"]} == {p.domain: "acknowledged" for p in peers},
        timeout=90,
        interval=1.0,
        message="every peer acknowledged on the receipt",
    )
    assert receipt()["state"] == "erased"
    assert a.get("/users/alice", headers={"Accept": "application/activity+json"}).status_code == 410
    assert "acknowledged" in a.get(f"/coop/deletion/receipt/{token}").text


@pytest.mark.timeout(600)
def test_moving_an_account_moves_followers_on_both_sides(pair: tuple[LiveInstance, LiveInstance]) -> None:
    a, b = pair
    carol_uri = b.url("/users/carol")
    alice_uri = a.url("/users/alice")
    MutualsPeer(b).follow("bob", f"alice@{a.domain}")
    # Moving in on B: carol names alice as her old account.
    run(b, f'do_add_alias(me("carol"), check_add_alias(me("carol"), "alice@{a.domain}")); out(True)')
    # Moving away on A: alice moves to carol, once A sees carol's alias; dave, local on A, follows her.
    moved = run(
        a,
        f"""
        do_follow(me("dave"), me("alice"))
        target = check_move_away(me("alice"), "carol@{b.domain}", password="{PASSWORD}")
        out(do_move_account(me("alice"), target))
        """,
    )
    assert moved == 1
    check(
        a,
        f'out(Follow.objects.filter(follower=me("dave"), target__uri="{carol_uri}", state="accepted").exists())',
        message="dave on A following carol on B",
    )
    check(
        b,
        'out(Follow.objects.filter(follower=me("bob"), target=me("carol"), state="accepted").exists()'
        f' and not Follow.objects.filter(follower=me("bob"), target__uri="{alice_uri}").exists())',
        message="bob on B following carol instead of alice",
    )
    document = a.get("/users/alice", headers={"Accept": "application/activity+json"}).json()
    assert document["movedTo"] == carol_uri


@pytest.mark.timeout(600)
def test_an_archive_from_one_instance_restores_the_member_on_another(
    pair: tuple[LiveInstance, LiveInstance], tmp_path: Path
) -> None:
    a, b = pair
    for member in ("erin",):
        a.manage("createmember", member, "--password", PASSWORD)
    # On A: alice follows and mutes dave, blocks erin, bookmarks and lists dave, and posts twice.
    run(
        a,
        """
        from timeline.actions.blocks import do_block
        from timeline.actions.bookmarks import do_bookmark
        from timeline.actions.lists import check_list, do_add_list_accounts, do_create_list
        from timeline.actions.mutes import do_mute
        alice, dave, erin = me("alice"), me("dave"), me("erin")
        do_follow(alice, dave)
        do_mute(alice, dave, notifications=False)
        do_block(alice, erin)
        kept = do_create_status(dave, check_create_status(dave, text="worth keeping"))
        do_bookmark(alice, kept)
        friends = do_create_list(alice, check_list(title="Friends"))
        do_add_list_accounts(friends, [dave])
        do_create_status(alice, check_create_status(alice, text="an old thought"))
        do_create_status(alice, check_create_status(alice, text="friends only", visibility="private"))
        out(True)
        """,
    )
    archive = Path(a.manage("export_member_data", "alice", timeout=300).stdout.strip().splitlines()[-1])
    assert archive.exists()
    with zipfile.ZipFile(archive) as opened:
        for name in (
            "following_accounts.csv",
            "blocked_accounts.csv",
            "muted_accounts.csv",
            "bookmarks.csv",
            "lists.csv",
        ):
            (tmp_path / name).write_bytes(opened.read(name))

    # On B: carol imports each file, one at a time, then the posts from the archive itself.
    imports = [
        ("following", tmp_path / "following_accounts.csv"),
        ("blocks", tmp_path / "blocked_accounts.csv"),
        ("mutes", tmp_path / "muted_accounts.csv"),
        ("bookmarks", tmp_path / "bookmarks.csv"),
        ("lists", tmp_path / "lists.csv"),
        ("posts", archive),
    ]
    for kind, path in imports:
        run(
            b,
            f"""
            from django.core.files import File
            from members.actions.imports import check_start_import, do_start_import
            with open({str(path)!r}, "rb") as source:
                upload = File(source, name={path.name!r})
                plan = check_start_import(me("carol").user, {kind!r}, "merge", upload)
                out(do_start_import(me("carol").user, plan).pk)
            """,
        )
        check(
            b,
            "from members.models import DataImport\n"
            'out(not DataImport.objects.filter(state__in=["queued", "running"]).exists())',
            message=f"the {kind} import to finish",
            timeout=120,
        )
    dave_uri, erin_uri = a.url("/users/dave"), a.url("/users/erin")
    restored = run(
        b,
        """
        from members.models import DataImport
        from timeline.models import Block, Bookmark, ListAccount, Mute
        carol = me("carol")
        out({
            "failed": list(DataImport.objects.exclude(state="finished").values_list("kind", flat=True)),
            "follows": list(Follow.objects.filter(follower=carol).values_list("target__uri", flat=True)),
            "mutes": list(Mute.objects.filter(account=carol).values_list("target__uri", flat=True)),
            "blocks": list(Block.objects.filter(account=carol).values_list("target__uri", flat=True)),
            "bookmarks": Bookmark.objects.filter(account=carol).count(),
            "lists": list(ListAccount.objects.filter(list__account=carol).values_list("list__title", "account__uri")),
            "posts": sorted(Status.objects.filter(account=carol).values_list("text", "visibility")),
            "delivered": carol.statuses.filter(fanned_out_at__isnull=True).count(),
        })
        """,
    )
    assert restored["failed"] == []
    assert restored["follows"] == [dave_uri]
    assert restored["mutes"] == [dave_uri]
    assert restored["blocks"] == [erin_uri]
    assert restored["bookmarks"] == 1
    assert restored["lists"] == [["Friends", dave_uri]]
    assert restored["posts"] == [["an old thought", "public"], ["friends only", "private"]]
    # Imported posts are history: never queued for fan-out or delivery.
    assert restored["delivered"] == 0

"""Custom emoji and announcements through Mastodon.py, and a local emoji crossing to another Mutuals instance."""

from __future__ import annotations

import io
import json
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError, MastodonNotFoundError
from PIL import Image

from tests.live import EMBEDDED_PASS_ONLY, LiveInstance, live_instance, wait_for

pytestmark = [pytest.mark.live, EMBEDDED_PASS_ONLY]

OUT_OF_BAND = "urn:ietf:wg:oauth:2.0:oob"
SCOPES = ["read", "write", "follow"]
PASSWORD = "a sturdy passphrase"


def run(instance: LiveInstance, code: str) -> Any:
    """Run Python against an instance and return what it printed as its last RESULT line."""
    prelude = "import json\ndef out(value):\n    print('RESULT ' + json.dumps(value))\n"
    output = instance.shell(prelude + textwrap.dedent(code))
    line = next(line for line in output.splitlines()[::-1] if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def signed_in(instance: LiveInstance, username: str) -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        "Mutuals emoji", scopes=SCOPES, redirect_uris=OUT_OF_BAND, api_base_url=instance.base_url
    )
    client = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=instance.base_url)
    client.log_in(username, PASSWORD, scopes=SCOPES, allow_http=True)
    return client


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveInstance, LiveInstance]]:
    """Yield two running instances: alice's (with the emoji :blobcat:) and bob's."""
    base = tmp_path_factory.mktemp("emoji")
    with live_instance(base / "a", name="a") as a, live_instance(base / "b", name="b") as b:
        for instance, member in ((a, "alice"), (b, "bob")):
            instance.manage("createmember", member, "--password", PASSWORD)
            instance.start_web()
            instance.start_worker()
        image = base / "blobcat.png"
        out = io.BytesIO()
        Image.new("RGBA", (40, 40), (240, 120, 30, 255)).save(out, "PNG")
        image.write_bytes(out.getvalue())
        a.manage("customemoji", "add", "blobcat", str(image), "--category", "Cats")
        yield a, b


def test_custom_emojis_and_announcements_through_mastodon_py(pair: tuple[LiveInstance, LiveInstance]) -> None:
    a, _ = pair
    alice = signed_in(a, "alice")
    (emoji,) = alice.custom_emojis()
    assert (emoji["shortcode"], emoji["category"]) == ("blobcat", "Cats")
    assert a.get(emoji["url"].removeprefix(a.base_url)).headers["Content-Type"] == "image/png"

    published = run(
        a,
        """
        from governance.actions.announcements import check_publish_announcement, do_publish_announcement
        from members.actions.roles import do_grant_role
        from members.models import User
        officer = User.objects.get(username="alice")
        do_grant_role(officer, "moderator", authorised_by="Test appointment")
        draft = check_publish_announcement(officer, text="Harvest party on Sunday :blobcat:")
        out(do_publish_announcement(draft, user=officer).pk)
        """,
    )
    (announcement,) = alice.announcements()
    assert announcement["id"] == str(published)
    assert announcement["read"] is False
    assert [found["shortcode"] for found in announcement["emojis"]] == ["blobcat"]

    alice.announcement_reaction_create(announcement["id"], "blobcat")
    alice.announcement_reaction_create(announcement["id"], "🎉")
    reactions = {found["name"]: found for found in alice.announcements()[0]["reactions"]}
    assert reactions["blobcat"]["count"] == 1 and reactions["blobcat"]["me"] is True
    assert reactions["blobcat"]["url"].endswith(".png")
    assert reactions["🎉"]["count"] == 1

    # Rejections change nothing: an unknown emoji, another member's reaction, an unknown announcement.
    with pytest.raises(MastodonAPIError, match="not a recognized emoji"):
        alice.announcement_reaction_create(announcement["id"], "nosuchemoji")
    with pytest.raises(MastodonNotFoundError):
        alice.announcement_reaction_delete(announcement["id"], "👍")
    with pytest.raises(MastodonNotFoundError):
        alice.announcement_dismiss("999999")
    assert sorted(found["name"] for found in alice.announcements()[0]["reactions"]) == ["blobcat", "🎉"]

    alice.announcement_reaction_delete(announcement["id"], "🎉")
    assert [found["name"] for found in alice.announcements()[0]["reactions"]] == ["blobcat"]
    alice.announcement_dismiss(announcement["id"])
    assert alice.announcements() == []


def test_a_status_with_a_local_emoji_arrives_with_it_on_another_instance(
    pair: tuple[LiveInstance, LiveInstance],
) -> None:
    a, b = pair
    alice = signed_in(a, "alice")
    bob = signed_in(b, "bob")
    alice.account_update_credentials(display_name="Alice :blobcat:")
    found = bob.account_search(f"alice@{a.domain}", resolve=True)
    bob.account_follow(found[0]["id"])
    wait_for(lambda: bob.account_relationships(found[0]["id"])[0]["following"], timeout=60, message="alice's Accept")
    posted = alice.status_post("The hedge is planted :blobcat:")
    assert [emoji["shortcode"] for emoji in posted["emojis"]] == ["blobcat"]

    def arrived() -> dict[str, Any] | None:
        home = [status for status in bob.timeline_home() if status["uri"] == posted["uri"]]
        return home[0] if home and home[0]["emojis"] else None

    wait_for(arrived, timeout=90, interval=1.0, message="the status and its emoji on bob's instance")
    status = arrived()
    assert status is not None
    (emoji,) = status["emojis"]
    assert emoji["shortcode"] == "blobcat"
    # Served from bob's own instance: bob's app never contacts alice's server for it.
    assert emoji["url"].startswith(b.base_url)
    assert b.get(emoji["url"].removeprefix(b.base_url)).content[:8] == b"\x89PNG\r\n\x1a\n"
    # The name's emoji came with alice's actor document.
    wait_for(
        lambda: [e["shortcode"] for e in bob.account(found[0]["id"])["emojis"]] == ["blobcat"],
        timeout=60,
        message="alice's name emoji on bob's instance",
    )
    # Bob's instance keeps it as alice's server's emoji, apart from any of its own.
    assert run(
        b, "from timeline.models import CustomEmoji\nout(list(CustomEmoji.objects.values_list('domain', flat=True)))"
    ) == [a.domain]

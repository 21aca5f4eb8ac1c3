"""A member signs in from an unmodified Mastodon client library against a live server."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from mastodon import Mastodon, StreamListener
from mastodon.errors import MastodonAPIError, MastodonIllegalArgumentError, MastodonUnauthorizedError

from tests.live import EMBEDDED_PASS_ONLY, LiveInstance, wait_for
from tests.timeline.media_files import image_bytes, mp4_bytes

pytestmark = [pytest.mark.live, EMBEDDED_PASS_ONLY]

OUT_OF_BAND = "urn:ietf:wg:oauth:2.0:oob"
CALLBACK = "http://127.0.0.1/callback"
SCOPES = ["read", "write", "follow", "push"]
PASSWORD = "a sturdy passphrase"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def signed_in_session(instance: LiveInstance, username: str) -> requests.Session:
    """Return a browser-like session signed in on the instance's login page."""
    session = requests.Session()
    page = session.get(instance.url("/login"), timeout=10)
    token = CSRF_FIELD.search(page.text)
    assert token is not None
    response = session.post(
        instance.url("/login"),
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1), "next": "/home"},
        headers={"Referer": instance.url("/login")},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def consent(session: requests.Session, url: str) -> requests.Response:
    """Open the consent page at `url` and approve it; return the answer without following redirects."""
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.text[:500]
    assert "Allow" in page.text
    token = CSRF_FIELD.search(page.text)
    assert token is not None
    return session.post(
        url,
        data={"csrfmiddlewaretoken": token.group(1), "decision": "allow"},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=10,
    )


def test_member_signs_in_with_mastodon_py_and_revokes(instance: LiveInstance) -> None:
    instance.manage("createmember", "alice", "--password", PASSWORD, "--admin")
    instance.manage("createmember", "bob", "--password", PASSWORD, "--display-name", "Bob Builder")
    instance.start_web()

    client_id, client_secret = Mastodon.create_app(
        "Mutuals e2e", scopes=SCOPES, redirect_uris=[OUT_OF_BAND, CALLBACK], api_base_url=instance.base_url
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=instance.base_url)
    assert api.retrieve_mastodon_version() == "4.3.0"

    url = api.auth_request_url(redirect_uris=OUT_OF_BAND, scopes=SCOPES, allow_http=True)
    assert url.startswith(instance.url("/oauth/authorize?"))
    shown = consent(signed_in_session(instance, "alice"), url)
    assert shown.status_code == 200
    code = re.search(r'class="oauth-code" value="([^"]+)"', shown.text)
    assert code is not None
    api.log_in(code=code.group(1), redirect_uri=OUT_OF_BAND, scopes=SCOPES, allow_http=True)

    me = api.account_verify_credentials()
    assert me["username"] == "alice"
    assert "source" in me
    assert api.app_verify_credentials()["name"] == "Mutuals e2e"

    instance_v2 = api.instance()
    assert instance_v2["version"].startswith("4.3.0 (compatible; Mutuals ")
    assert instance_v2["contact"]["account"]["username"] == "alice"
    assert api.instance_rules() == []

    bob = api.account_lookup("bob")
    assert bob["display_name"] == "Bob Builder"
    assert api.account(bob["id"])["acct"] == "bob"
    assert [account["acct"] for account in api.account_search("bo")] == ["bob"]
    [relationship] = api.account_relationships([bob["id"]])
    assert relationship["following"] is False

    api.revoke_access_token(allow_http=True)
    with pytest.raises(MastodonUnauthorizedError):
        api.account_verify_credentials()

    # An app registered for `read` is never issued a wider token.
    reader_id, reader_secret = Mastodon.create_app(
        "Reader", scopes=["read"], redirect_uris=OUT_OF_BAND, api_base_url=instance.base_url
    )
    reader = Mastodon(client_id=reader_id, client_secret=reader_secret, api_base_url=instance.base_url)
    with pytest.raises(MastodonIllegalArgumentError, match="invalid_scope"):
        reader.log_in("bob", PASSWORD, scopes=["read", "write", "admin:write"], allow_http=True)
    reader.log_in("bob", PASSWORD, scopes=["read:statuses"], allow_http=True)
    assert reader.app_verify_credentials()["scopes"] == ["read"]


def test_pkce_code_flow_with_a_redirect(instance: LiveInstance) -> None:
    instance.manage("createmember", "carol", "--password", PASSWORD)
    instance.start_web()
    app = requests.post(
        instance.url("/api/v1/apps"),
        json={"client_name": "Browser app", "redirect_uris": CALLBACK, "scopes": "read write"},
        timeout=10,
    ).json()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode(
        {
            "client_id": app["client_id"],
            "redirect_uri": CALLBACK,
            "response_type": "code",
            "scope": "read write",
            "state": "st4te",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    answer = consent(signed_in_session(instance, "carol"), instance.url(f"/oauth/authorize?{query}"))
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    params = parse_qs(location.query)
    assert params["state"] == ["st4te"]
    exchange = {
        "grant_type": "authorization_code",
        "code": params["code"][0],
        "client_id": app["client_id"],
        "redirect_uri": CALLBACK,
    }
    # The verifier proves the code is redeemed by whoever asked for it; a wrong one gets nothing.
    wrong = requests.post(
        instance.url("/oauth/token"),
        data={**exchange, "client_secret": app["client_secret"], "code_verifier": "x" * 50},
        timeout=10,
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    token = requests.post(
        instance.url("/oauth/token"),
        data={**exchange, "client_secret": app["client_secret"], "code_verifier": verifier},
        timeout=10,
    )
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == "read write"
    me = requests.get(
        instance.url("/api/v1/accounts/verify_credentials"),
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        timeout=10,
    )
    assert me.json()["username"] == "carol"


def test_a_members_day_through_mastodon_py(instance: LiveInstance) -> None:  # noqa: PLR0915 (one day, in order)
    instance.manage("createmember", "alice", "--password", PASSWORD)
    instance.manage("createmember", "bob", "--password", PASSWORD)
    instance.start_web()
    instance.start_worker()
    client_id, client_secret = Mastodon.create_app(
        "Mutuals day", scopes=SCOPES, redirect_uris=OUT_OF_BAND, api_base_url=instance.base_url
    )
    alice = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=instance.base_url)
    alice.log_in("alice", PASSWORD, scopes=SCOPES, allow_http=True)
    bob = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=instance.base_url)
    bob.log_in("bob", PASSWORD, scopes=SCOPES, allow_http=True)

    alice_account = alice.account_verify_credentials()
    bob.account_follow(alice_account["id"])
    assert bob.account_relationships([alice_account["id"]])[0]["following"] is True

    poll = alice.make_poll(["tea", "coffee"], expires_in=3600)
    posted = alice.status_post("Morning, #coop friends", poll=poll, visibility="public")
    assert posted["poll"]["options"][1]["title"] == "coffee"
    for number in range(3):
        alice.status_post(f"Note {number} for #coop")
    reply = bob.status_post("Coffee, always", in_reply_to_id=posted["id"])
    assert reply["in_reply_to_id"] == posted["id"]
    edited = alice.status_update(posted["id"], "Morning, #coop members")
    assert "members" in edited["content"]

    assert bob.status_favourite(posted["id"])["favourited"] is True
    assert bob.status_reblog(posted["id"])["reblog"]["id"] == posted["id"]
    assert bob.poll_vote(posted["poll"]["id"], [1])["own_votes"] == [1]
    assert [account["acct"] for account in alice.status_favourited_by(posted["id"])] == ["bob"]

    wait_for(lambda: len(bob.timeline_home(limit=40)) >= 5, timeout=60, message="fan-out to bob's home")
    first = bob.timeline_home(limit=2)
    assert len(first) == 2
    second = bob.fetch_next(first)
    assert second is not None
    assert {status["id"] for status in first}.isdisjoint(status["id"] for status in second)
    local = alice.timeline_local(limit=40)
    assert posted["id"] in [status["id"] for status in local]
    tagged = bob.timeline_hashtag("coop", limit=2)
    assert len(tagged) == 2
    assert bob.fetch_next(tagged) is not None

    context = alice.status_context(posted["id"])
    assert [status["id"] for status in context["descendants"]] == [reply["id"]]

    # A photo with its description, bookmarked by bob.
    media = alice.media_post(image_bytes(), mime_type="image/png", description="A mug of tea")
    pictured = alice.status_post("Tea break", media_ids=[media["id"]])
    assert pictured["media_attachments"][0]["description"] == "A mug of tea"
    assert bob.status_bookmark(pictured["id"])["bookmarked"] is True
    assert [status["id"] for status in bob.bookmarks()] == [pictured["id"]]

    kinds = {notification["type"] for notification in alice.notifications()}
    assert {"follow", "favourite", "reblog", "mention"} <= kinds

    # Bob's user stream receives alice's next post within seconds.
    received: list[str] = []

    class Listener(StreamListener):
        def on_update(self, status: dict[str, Any]) -> None:
            received.append(str(status["id"]))

    handle = bob.stream_user(Listener(), run_async=True, reconnect_async=False)
    try:
        wait_for(handle.is_receiving, timeout=10, message="bob's user stream to open")
        streamed = alice.status_post("Heard live on the stream")
        wait_for(lambda: streamed["id"] in received, timeout=10, message="alice's post on bob's stream")
    finally:
        closer = threading.Thread(target=handle.close, daemon=True)
        closer.start()
        closer.join(timeout=5)

    deleted = alice.status_delete(posted["id"])
    assert deleted["text"] == "Morning, #coop members"
    alice.revoke_access_token(allow_http=True)
    with pytest.raises(MastodonUnauthorizedError):
        alice.account_verify_credentials()


def test_media_and_profile_through_mastodon_py(instance: LiveInstance) -> None:
    instance.manage("createmember", "alice", "--password", PASSWORD)
    instance.start_web()
    instance.start_worker()
    client_id, client_secret = Mastodon.create_app(
        "Mutuals media", scopes=SCOPES, redirect_uris=OUT_OF_BAND, api_base_url=instance.base_url
    )
    alice = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=instance.base_url)
    alice.log_in("alice", PASSWORD, scopes=SCOPES, allow_http=True)

    # A small image is processed in the request (v2 answers 200 with its URL).
    photo = alice.media_post(
        image_bytes(320, 200, fmt="JPEG", orientation=6),
        mime_type="image/jpeg",
        description="A gradient",
        focus=(0.5, 0.5),
    )
    assert photo["url"] is not None and photo["blurhash"]
    assert photo["meta"]["original"]["width"] == 200
    described = alice.media_update(photo["id"], description="A turned gradient")
    assert described["description"] == "A turned gradient"
    served = requests.get(photo["url"], timeout=10)
    assert served.status_code == 200 and served.content.startswith(b"\xff\xd8\xff")
    # Video is left to the worker (202, url null); the library polls until it is ready.
    clip = alice.media_post(mp4_bytes(4096), mime_type="video/mp4", synchronous=True)
    assert clip["type"] == "video" and clip["url"].endswith(".mp4")

    posted = alice.status_post("Two files", media_ids=[photo["id"], clip["id"]])
    assert [media["id"] for media in posted["media_attachments"]] == [photo["id"], clip["id"]]
    assert posted["media_attachments"][0]["description"] == "A turned gradient"

    with pytest.raises(MastodonAPIError) as refused:
        alice.media_post(b"#!/bin/sh\necho hi\n", mime_type="image/png")
    assert refused.value.args[1] == 422

    me = alice.account_update_credentials(
        display_name="Alice in Mutuals",
        note="Member since the start",
        avatar=image_bytes(600, 600),
        avatar_mime_type="image/png",
        fields=[("Pronouns", "she/her"), ("Site", "https://alice.example")],
        locked=True,
    )
    assert me["display_name"] == "Alice in Mutuals"
    assert me["locked"] is True
    assert me["source"]["note"] == "Member since the start"
    assert [field["name"] for field in me["fields"]] == ["Pronouns", "Site"]
    avatar = requests.get(me["avatar"], timeout=10)
    # An opaque avatar is stored as a JPEG, whatever was sent.
    assert avatar.status_code == 200 and avatar.content.startswith(b"\xff\xd8\xff")
    assert alice.account_verify_credentials()["avatar"] == me["avatar"]

"""A member signs in from an unmodified Mastodon client library against a live server."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from mastodon import Mastodon
from mastodon.errors import MastodonUnauthorizedError

from tests.live import LiveInstance, wait_for

pytestmark = pytest.mark.live

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


def test_a_members_day_through_mastodon_py(instance: LiveInstance) -> None:
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
    deleted = alice.status_delete(posted["id"])
    assert deleted["text"] == "Morning, #coop members"

"""Members vote to suspend a domain; at close the server enacts it, enforces it and logs why.

A second proposal with too few voters ends without a quorum and changes
nothing. Proposals are closed by the worker's beat schedule, as in production.
Some members vote through the API of the co-op, others in the local-only poll
that puts each proposal to them in any Mastodon app.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from mastodon import Mastodon, MastodonAPIError

from tests.live import EMBEDDED_PASS_ONLY, LiveInstance, wait_for

pytestmark = [pytest.mark.live, EMBEDDED_PASS_ONLY]

PASSWORD = "a sturdy passphrase"
MEMBERS = ("alice", "bob", "carol", "dave")
AGREE = 0


def sign_in(instance: LiveInstance, username: str, app: tuple[str, str]) -> Mastodon:
    api = Mastodon(client_id=app[0], client_secret=app[1], api_base_url=instance.base_url)
    api.log_in(username, PASSWORD, scopes=["read", "write"], allow_http=True)
    return api


def coop(instance: LiveInstance, api: Mastodon, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(
        method,
        instance.url(path),
        json=body,
        headers={"Authorization": f"Bearer {api.access_token}"},
        timeout=30,
    )


def proposal_poll_id(api: Mastodon, proposal_id: str) -> str | None:
    """Return the id of the poll that puts the proposal to the members, once it is in the home timeline."""
    for status in api.timeline_home(limit=40):
        if status["poll"] and f"Proposal #{proposal_id}:" in status["content"]:
            assert status["visibility"] == "unlisted"
            assert status["local_only"] is True
            return str(status["poll"]["id"])
    return None


def wait_for_poll(api: Mastodon, proposal_id: str) -> str:
    """Wait until the worker has posted the proposal's poll to the members; return the poll's id."""
    found: list[str] = []

    def posted() -> bool:
        poll_id = proposal_poll_id(api, proposal_id)
        if poll_id is not None:
            found.append(poll_id)
        return poll_id is not None

    wait_for(posted, timeout=20, interval=0.5, message="the proposal's poll in the home timeline")
    return found[0]


def vote_in_poll(instance: LiveInstance, api: Mastodon, proposal_id: str, poll_id: str) -> str:
    """Agree through the Mastodon poll; return the tracker of the ballot it recorded."""
    poll = api.poll_vote(poll_id, [AGREE])
    assert poll["voted"] is True
    assert poll["own_votes"] == [AGREE]
    own = coop(instance, api, "GET", f"/api/v1/coop/proposals/{proposal_id}").json()
    return str(own["own_ballot"]["tracker"])


def activity_from(domain: str) -> bytes:
    return json.dumps(
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"https://{domain}/activities/1",
            "type": "Follow",
            "actor": f"https://{domain}/users/troll",
            "object": "https://example.invalid/users/alice",
        }
    ).encode()


def post_to_inbox(instance: LiveInstance, domain: str) -> int:
    response = requests.post(
        instance.url("/inbox"),
        data=activity_from(domain),
        headers={"Content-Type": "application/activity+json"},
        timeout=30,
    )
    return response.status_code


def test_assembly_suspends_a_domain_and_a_thin_vote_enacts_nothing(instance: LiveInstance) -> None:
    for name in MEMBERS:
        instance.manage("createmember", name, "--password", PASSWORD)
    # Bylaws that let a proposal close within seconds and need half the members to vote.
    instance.shell(
        "from members.actions.bylaws import do_adopt_bylaws_version; "
        "do_adopt_bylaws_version({'proposal_min_open_days': 0, 'proposal_quorum': '0.5'}, "
        "authorised_by='Test bylaws')"
    )
    instance.start_web()
    instance.start_worker(beat=True)
    instance.wait_healthy()
    app = Mastodon.create_app("Mutuals assembly", scopes=["read", "write"], api_base_url=instance.base_url)
    apis = {name: sign_in(instance, name, app) for name in MEMBERS}
    assert post_to_inbox(instance, "bad.example") == 401

    closes_at = (datetime.now(tz=UTC) + timedelta(seconds=30)).isoformat()
    opened = {}
    for domain in ("bad.example", "other.example"):
        response = coop(
            instance,
            apis["alice"],
            "POST",
            "/api/v1/coop/proposals",
            {
                "kind": "domain_policy",
                "title": f"Suspend {domain}",
                "payload": {"action": "suspend", "domain": domain, "public_comment": "Harassment"},
                "closes_at": closes_at,
            },
        )
        assert response.status_code == 201, response.text
        opened[domain] = response.json()
    assert opened["bad.example"]["electorate"]["size"] == 4

    receipts = []
    vote = coop(
        instance, apis["alice"], "POST", f"/api/v1/coop/proposals/{opened['bad.example']['id']}/vote", {"choice": AGREE}
    )
    assert vote.status_code == 200, vote.text
    receipts.append(vote.json()["tracker"])
    poll_id = wait_for_poll(apis["bob"], opened["bad.example"]["id"])
    receipts += [vote_in_poll(instance, apis[name], opened["bad.example"]["id"], poll_id) for name in ("bob", "carol")]
    assert coop(
        instance,
        apis["dave"],
        "POST",
        f"/api/v1/coop/proposals/{opened['other.example']['id']}/vote",
        {"choice": AGREE},
    ).ok

    def closed(proposal_id: str) -> bool:
        body = coop(instance, apis["alice"], "GET", f"/api/v1/coop/proposals/{proposal_id}").json()
        return bool(body["state"] == "closed")

    for proposal in opened.values():
        wait_for(lambda p=proposal: closed(p["id"]), timeout=180, interval=2, message="the beat task to close it")

    passed = coop(instance, apis["bob"], "GET", f"/api/v1/coop/proposals/{opened['bad.example']['id']}").json()
    thin = coop(instance, apis["bob"], "GET", f"/api/v1/coop/proposals/{opened['other.example']['id']}").json()
    assert passed["results"]["outcome"] == "passed"
    assert thin["results"]["outcome"] == "no_quorum"

    blocks = {item["domain"]: item for item in instance.get("/api/v1/instance/domain_blocks").json()}
    assert blocks["bad.example"]["severity"] == "suspend"
    assert "other.example" not in blocks
    assert post_to_inbox(instance, "bad.example") == 403
    assert post_to_inbox(instance, "other.example") == 401
    with pytest.raises(MastodonAPIError, match="closed"):
        apis["dave"].poll_vote(poll_id, [AGREE])

    published = coop(instance, apis["dave"], "GET", f"/api/v1/coop/proposals/{passed['id']}/ballots").json()
    assert sorted(ballot["tracker"] for ballot in published["ballots"]) == sorted(receipts)

    log = {entry["sequence"]: entry for entry in instance.get("/api/v1/coop/log").json()}
    (policy,) = [entry for entry in log.values() if entry["kind"] == "domain_policy.set"]
    result = log[policy["data"]["result_entry"]]
    assert result["kind"] == "proposal.closed"
    assert result["data"]["proposal"] == int(passed["id"])
    assert result["data"]["tally"]["counts"] == [3, 0, 0, 0]
    assert result["data"]["ballots_digest"] == published["ballots_digest"]
    assert policy["data"]["domain"] == "bad.example"
    assert not [entry for entry in log.values() if entry["data"].get("domain") == "other.example"]

    assert "intact" in instance.manage("verify_log").stdout
    assert "verifies: passed" in instance.manage("verify_proposal", passed["id"]).stdout

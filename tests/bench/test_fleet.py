"""The benchmark's receiving fleet accepts what federation signs and refuses what was changed on the way."""

from __future__ import annotations

import json

import pytest

from bench.fleet import Fleet, check_delivery
from federation.keys import generate_key_pair
from federation.signatures import SignatureError, sign_request

KEY_ID = "https://localhost/users/star#main-key"
INBOX = "https://127.0.0.2:8443/inbox"


@pytest.fixture(scope="module")
def key_pair() -> tuple[str, str]:
    keys = generate_key_pair()
    return keys.public_pem, keys.private_pem


def signed(private_pem: str, inbox: str = INBOX) -> tuple[dict[str, str], bytes]:
    body = json.dumps({"id": "https://localhost/statuses/1/activity", "type": "Create"}).encode()
    headers = sign_request("POST", inbox, key_id=KEY_ID, private_key_pem=private_pem, body=body)
    return {name.lower(): value for name, value in headers.items()}, body


def test_a_delivery_signed_by_federation_verifies(key_pair: tuple[str, str]) -> None:
    public_pem, private_pem = key_pair
    headers, body = signed(private_pem)
    activity = check_delivery("POST", "/inbox", headers, body, {KEY_ID: public_pem})
    assert activity["id"] == "https://localhost/statuses/1/activity"


@pytest.mark.parametrize("part", ["body", "path", "key"])
def test_a_changed_delivery_is_refused(key_pair: tuple[str, str], part: str) -> None:
    public_pem, private_pem = key_pair
    headers, body = signed(private_pem)
    path, keys = "/inbox", {KEY_ID: public_pem}
    if part == "body":
        body = body.replace(b"Create", b"Delete")
    elif part == "path":
        path = "/users/someone/inbox"
    else:
        keys = {KEY_ID: generate_key_pair().public_pem}
    with pytest.raises(SignatureError):
        check_delivery("POST", path, headers, body, keys)


def test_the_fleet_counts_each_host_s_activities_and_their_duplicates(key_pair: tuple[str, str]) -> None:
    public_pem, private_pem = key_pair
    fleet = Fleet({"keys": {KEY_ID: public_pem}})
    first, body = signed(private_pem)
    second, _ = signed(private_pem, "https://127.0.0.3:8443/inbox")
    tampered = body.replace(b"Create", b"Update")
    statuses = [
        fleet.answer("POST", "/inbox", first, body)[0],
        fleet.answer("POST", "/inbox", first, body)[0],
        fleet.answer("POST", "/inbox", second, body)[0],
        fleet.answer("POST", "/inbox", second, tampered)[0],
    ]
    assert statuses == [202, 202, 202, 401]
    stats = fleet.stats()
    assert (stats["received"], stats["unique"], stats["duplicates"], stats["refused"], stats["hosts"]) == (
        4,
        2,
        1,
        1,
        2,
    )

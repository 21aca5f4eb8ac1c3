"""The bovine-herd harness itself: its Moo-Auth-1 keys, and skipping or failing when the peer cannot be built."""

from __future__ import annotations

import pytest

from tests.peers import bovine_peer
from tests.peers.bovine_peer import BovineActor, PeerUnavailable, _base58btc, require_peer_python


def test_base58btc_encodes_as_multibase() -> None:
    assert _base58btc(b"hello world") == "zStV1DL6CwTryKyV"
    assert _base58btc(b"\x00\x00\x01") == "z112"


def test_did_key_names_the_ed25519_public_key() -> None:
    actor = BovineActor("moo")
    # The multicodec prefix of an Ed25519 public key makes every such did:key start with z6Mk.
    assert actor.did_key.startswith("did:key:z6Mk")
    assert len(actor.did_key) == len("did:key:") + 48


def _unavailable() -> None:
    raise PeerUnavailable("no package registry")


def test_peer_tests_skip_without_a_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(bovine_peer, "peer_python", _unavailable)
    with pytest.raises(pytest.skip.Exception, match="no package registry"):
        require_peer_python()


def test_peer_tests_fail_without_a_registry_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(bovine_peer, "peer_python", _unavailable)
    with pytest.raises(pytest.fail.Exception, match="required in CI: no package registry"):
        require_peer_python()

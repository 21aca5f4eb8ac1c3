"""One RSA key pair shared by factory-made actors: generating one per actor is slow."""

from __future__ import annotations

import functools

from federation.keys import KeyPair, generate_key_pair


@functools.cache
def shared_test_key_pair() -> KeyPair:
    """Return a key pair generated once per test run."""
    return generate_key_pair()

"""Fixtures for these tests: other servers are simulated, never contacted."""

from __future__ import annotations

import pytest

from tests.federation.network import FakeNetwork
from tests.federation.network import network as network  # noqa: PLC0414 (re-exported as a fixture)


@pytest.fixture(autouse=True)
def _no_real_network(network: FakeNetwork) -> None:
    """Keep every test of this folder off the network."""

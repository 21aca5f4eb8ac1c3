"""Fixtures for tests that run real Mutuals processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import LiveInstance, live_instance


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[LiveInstance]:
    """Yield a migrated instance on the suite's backend, with no process started yet."""
    with live_instance(tmp_path / "instance") as live:
        yield live

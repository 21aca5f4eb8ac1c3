"""The one domain-name rule: what it keeps, what it drops, what it refuses."""

from __future__ import annotations

import pytest

from config.refusals import Refused
from federation.domains import DomainNameRefused, check_domain_name


@pytest.mark.parametrize(
    ("raw", "stored", "with_port"),
    [
        ("Example.Social", "example.social", "example.social"),
        ("  https://example.social/@someone  ", "example.social", "example.social"),
        ("example.social.", "example.social", "example.social"),
        ("example.social:8443", "example.social", "example.social:8443"),
        ("bücher.example", "xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("localhost:8000", "localhost", "localhost:8000"),
        ("127.0.0.1:8001", "127.0.0.1", "127.0.0.1:8001"),
    ],
)
def test_a_domain_is_normalised_as_stored(raw: str, stored: str, with_port: str) -> None:
    """Case, scheme, path and trailing dot go; a port stays only when asked for."""
    assert check_domain_name(raw) == stored
    assert check_domain_name(raw, keep_port=True) == with_port


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "social",
        "-bad.example",
        "a..example",
        "exa mple.social",
        "example.social:0",
        "example.social:99999",
        None,
        42,
        "x" * 300 + ".example",
    ],
)
def test_what_is_not_a_domain_is_refused_with_a_clear_message(raw: object) -> None:
    """Anything but a domain name is refused as a `Refused`, naming the expected shape."""
    with pytest.raises(DomainNameRefused, match=r"is not a domain name such as example\.social") as caught:
        check_domain_name(raw)
    assert isinstance(caught.value, Refused)
    assert caught.value.status == 422

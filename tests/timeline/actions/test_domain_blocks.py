"""A member hiding a domain: the one domain-name rule, with the port kept, and nothing stored when refused."""

from __future__ import annotations

import pytest

from federation.domains import DomainNameRefused
from federation.models import Actor
from timeline.actions.domain_blocks import do_block_domain, do_unblock_domain
from timeline.errors import RequestRefused
from timeline.models import AccountDomainBlock

pytestmark = pytest.mark.django_db


def test_a_hidden_domain_keeps_its_port_and_drops_scheme_and_path(alice: Actor) -> None:
    assert do_block_domain(alice, "https://Noisy.Example:8443/about").domain == "noisy.example:8443"
    assert do_block_domain(alice, "bücher.example.").domain == "xn--bcher-kva.example"


@pytest.mark.parametrize("domain", ["", "not a domain", "noisy", "-noisy-.example", "noisy.example:99999"])
def test_what_is_not_a_domain_name_is_refused_and_nothing_changes(alice: Actor, domain: str) -> None:
    do_block_domain(alice, "kept.example")
    with pytest.raises(DomainNameRefused, match="is not a domain name such as"):
        do_block_domain(alice, domain)
    assert list(AccountDomainBlock.objects.values_list("domain", flat=True)) == ["kept.example"]


def test_this_server_cannot_be_hidden(alice: Actor, settings: object) -> None:
    settings.MUTUALS_DOMAIN = "coop.example"  # type: ignore[attr-defined]
    with pytest.raises(RequestRefused, match="your own server"):
        do_block_domain(alice, "https://COOP.example/")
    assert not AccountDomainBlock.objects.exists()


def test_unhiding_names_the_domain_as_hiding_did(alice: Actor) -> None:
    do_block_domain(alice, "bücher.example")
    do_unblock_domain(alice, "not a domain")
    assert AccountDomainBlock.objects.count() == 1
    do_unblock_domain(alice, "https://BÜCHER.example/")
    assert not AccountDomainBlock.objects.exists()

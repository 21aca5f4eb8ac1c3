"""Domain policies: set by decisions, lifted by decisions, inherited by subdomains."""

from __future__ import annotations

import pytest

from federation.actions.domain_policies import do_lift_domain_policy, do_set_domain_policy
from federation.domains import DomainNameRefused
from federation.errors import DomainPolicyRefused
from federation.models import DomainPolicy
from federation.selectors import domain_policies_in_force, is_domain_suspended, policy_for_domain


@pytest.mark.django_db
def test_policy_is_set_normalised_and_replaced() -> None:
    do_set_domain_policy("https://Bad.Example:443/path", severity="silence", authorised_by="decision 3")
    policy = do_set_domain_policy(
        "bad.example", severity="suspend", reject_media=True, public_comment="spam", authorised_by="decision 4"
    )
    assert DomainPolicy.objects.count() == 1
    assert (policy.domain, policy.severity, policy.reject_media, policy.authorised_by) == (
        "bad.example",
        "suspend",
        True,
        "decision 4",
    )
    assert [p.domain for p in domain_policies_in_force()] == ["bad.example"]


@pytest.mark.django_db
def test_subdomains_inherit_the_nearest_policy() -> None:
    do_set_domain_policy("bad.example", severity="suspend", authorised_by="decision 5")
    do_set_domain_policy("ok.bad.example", severity="noop", reject_media=True, authorised_by="decision 6")
    assert policy_for_domain("media.bad.example:8443") is not None
    assert is_domain_suspended("media.bad.example")
    assert not is_domain_suspended("ok.bad.example")
    assert not is_domain_suspended("notbad.example")
    assert policy_for_domain("example") is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("domain", "kwargs", "message"),
    [
        ("not a domain", {"severity": "suspend", "authorised_by": "d"}, "is not a domain name such as"),
        ("example", {"severity": "suspend", "authorised_by": "d"}, "is not a domain name such as"),
        ("https://-bad-.example/", {"severity": "suspend", "authorised_by": "d"}, "is not a domain name such as"),
        ("bad.example", {"severity": "ban", "authorised_by": "d"}, "Severity must be"),
        ("bad.example", {"severity": "suspend", "authorised_by": "  "}, "must name the decision"),
        ("bad.example", {"severity": "suspend", "authorised_by": "d", "public_comment": "x" * 1001}, "too long"),
    ],
)
def test_refused_policies_store_nothing(domain: str, kwargs: dict[str, str], message: str) -> None:
    # The name is refused by the one domain-name rule, the rest by the policy's own checks.
    with pytest.raises((DomainNameRefused, DomainPolicyRefused), match=message):
        do_set_domain_policy(domain, **kwargs)  # type: ignore[arg-type]
    assert DomainPolicy.objects.count() == 0


@pytest.mark.django_db
def test_a_policy_applies_to_the_host_whatever_the_port() -> None:
    policy = do_set_domain_policy("Bücher.example:8443", severity="silence", authorised_by="decision 7")
    assert policy.domain == "xn--bcher-kva.example"


@pytest.mark.django_db
def test_lifting_needs_a_decision_and_an_existing_policy() -> None:
    do_set_domain_policy("bad.example", severity="suspend", authorised_by="decision 8")
    with pytest.raises(DomainPolicyRefused, match="name the decision"):
        do_lift_domain_policy("bad.example", authorised_by="")
    assert DomainPolicy.objects.count() == 1
    do_lift_domain_policy("BAD.example", authorised_by="decision 9")
    assert DomainPolicy.objects.count() == 0
    with pytest.raises(DomainPolicyRefused, match="has no domain policy"):
        do_lift_domain_policy("bad.example", authorised_by="decision 10")


@pytest.mark.django_db
def test_lifting_refuses_what_is_not_a_domain_name_and_lifts_nothing() -> None:
    do_set_domain_policy("bad.example", severity="suspend", authorised_by="decision 11")
    with pytest.raises(DomainNameRefused):
        do_lift_domain_policy("bad .example", authorised_by="decision 12")
    assert DomainPolicy.objects.count() == 1

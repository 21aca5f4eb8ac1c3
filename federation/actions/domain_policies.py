"""Set and lift domain policies; governance decisions and moderators call these."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from federation.domains import check_domain_name
from federation.errors import DomainPolicyRefused
from federation.models import DomainPolicy
from federation.selectors import forget_cached_policies


@dataclass(frozen=True)
class DomainPolicyRequest:
    """A domain policy that passed its checks."""

    domain: str
    severity: str
    reject_media: bool
    reject_reports: bool
    public_comment: str
    private_comment: str
    obfuscate: bool
    authorised_by: str


def check_set_domain_policy(
    domain: str,
    *,
    severity: str,
    reject_media: bool = False,
    reject_reports: bool = False,
    public_comment: str = "",
    private_comment: str = "",
    obfuscate: bool = False,
    authorised_by: str,
) -> DomainPolicyRequest:
    """Validate a domain policy, raising DomainPolicyRefused (DomainNameRefused for the name) with the reason.

    A policy applies to a host whatever the port, so the port is dropped.
    """
    normalised = check_domain_name(domain)
    if severity not in DomainPolicy.Severity.values:
        raise DomainPolicyRefused(f"Severity must be one of {', '.join(DomainPolicy.Severity.values)}.")
    if not authorised_by.strip():
        raise DomainPolicyRefused("A domain policy must name the decision or moderation action behind it.")
    if len(public_comment) > 1000 or len(private_comment) > 5000:
        raise DomainPolicyRefused("Comments are too long (public 1,000, private 5,000 characters at most).")
    return DomainPolicyRequest(
        domain=normalised,
        severity=severity,
        reject_media=reject_media,
        reject_reports=reject_reports,
        public_comment=public_comment.strip(),
        private_comment=private_comment.strip(),
        obfuscate=obfuscate,
        authorised_by=authorised_by.strip()[:500],
    )


def do_set_domain_policy(
    domain: str,
    *,
    severity: str,
    reject_media: bool = False,
    reject_reports: bool = False,
    public_comment: str = "",
    private_comment: str = "",
    obfuscate: bool = False,
    authorised_by: str,
) -> DomainPolicy:
    """Create or replace the policy for a domain; it applies to the next request at once."""
    request = check_set_domain_policy(
        domain,
        severity=severity,
        reject_media=reject_media,
        reject_reports=reject_reports,
        public_comment=public_comment,
        private_comment=private_comment,
        obfuscate=obfuscate,
        authorised_by=authorised_by,
    )
    with transaction.atomic():
        policy, _ = DomainPolicy.objects.update_or_create(
            domain=request.domain,
            defaults={
                "severity": request.severity,
                "reject_media": request.reject_media,
                "reject_reports": request.reject_reports,
                "public_comment": request.public_comment,
                "private_comment": request.private_comment,
                "obfuscate": request.obfuscate,
                "authorised_by": request.authorised_by,
            },
        )
        forget_cached_policies()
        transaction.on_commit(forget_cached_policies)
    return policy


def do_lift_domain_policy(domain: str, *, authorised_by: str) -> None:
    """Remove the policy of a domain, raising DomainPolicyRefused if it has none (DomainNameRefused for no domain)."""
    if not authorised_by.strip():
        raise DomainPolicyRefused("Lifting a domain policy must name the decision behind it.")
    deleted, _ = DomainPolicy.objects.filter(domain=check_domain_name(domain)).delete()
    forget_cached_policies()
    if not deleted:
        raise DomainPolicyRefused(f"{domain!r} has no domain policy.")

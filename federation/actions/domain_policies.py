"""Set and lift domain policies; governance decisions and moderators call these."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction

from federation.errors import DomainPolicyRefused
from federation.models import DomainPolicy
from federation.selectors import forget_cached_policies

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")


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


def normalise_domain(domain: str) -> str:
    """Return a domain as policies store it: lower-case, without scheme, port, path or trailing dot."""
    value = domain.strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).split("/", 1)[0].rstrip(".")
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


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
    """Validate a domain policy, raising DomainPolicyRefused with the reason."""
    normalised = normalise_domain(domain)
    if not _DOMAIN.match(normalised) or "." not in normalised:
        raise DomainPolicyRefused(f"{domain!r} is not a domain name.")
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
    """Remove the policy of a domain, raising DomainPolicyRefused if it has none."""
    if not authorised_by.strip():
        raise DomainPolicyRefused("Lifting a domain policy must name the decision behind it.")
    deleted, _ = DomainPolicy.objects.filter(domain=normalise_domain(domain)).delete()
    forget_cached_policies()
    if not deleted:
        raise DomainPolicyRefused(f"{domain!r} has no domain policy.")

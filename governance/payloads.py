"""Typed proposal payloads: validation, preview and diff against what is in force.

A payload is the JSON a proposal carries to say exactly what it changes;
`governance.actions.enactment` applies it when the proposal passes. The JSON
stays the stored form; each kind is read into a frozen dataclass by
`parse_payload`, which applies every rule the enactment will meet about the
payload's shape (the owning apps' own checks where they have one), so a
proposal that was accepted cannot fail its enactment on its shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol, TypeVar

from django.db import models

from federation.actions.domain_policies import check_set_domain_policy
from federation.domains import DomainNameRefused, check_domain_name
from federation.errors import DomainPolicyRefused
from federation.models import DomainPolicy
from federation.transport import UnsafeDestination, check_fetchable_url
from governance.blocklist_csv import MAX_CSV_CHARS, parse_blocklist_csv
from governance.errors import ProposalRefused
from governance.models import BlocklistMandate, ProposalKind, RuleVersion
from members.actions.bylaws import check_adopt_bylaws_version
from members.errors import MemberRefused
from members.models import User
from members.models.membership import Role
from members.selectors import bylaws_in_force

# Validating a payload checks the policy it would set; the decision's name is only known once it passes.
_PENDING_AUTHORITY = "the proposal, once passed"


class DomainAction(models.TextChoices):
    """What a domain policy proposal does to a domain."""

    SUSPEND = "suspend", "Suspend"
    LIMIT = "limit", "Limit"
    REJECT_MEDIA = "reject_media", "Reject media"
    REJECT_REPORTS = "reject_reports", "Reject reports"
    LIFT = "lift", "Lift every policy"


class RuleAction(models.TextChoices):
    ADD = "add", "Add a rule"
    AMEND = "amend", "Amend a rule"
    RETIRE = "retire", "Retire a rule"


class MembershipAction(models.TextChoices):
    ADMIT = "admit", "Admit"
    EXPEL = "expel", "Expel"


class RoleAction(models.TextChoices):
    GRANT = "grant", "Grant"
    REVOKE = "revoke", "Revoke"


# The domain policy each action sets (lifting sets none).
DOMAIN_SETTINGS: dict[str, dict[str, Any]] = {
    DomainAction.SUSPEND: {"severity": DomainPolicy.Severity.SUSPEND.value},
    DomainAction.LIMIT: {"severity": DomainPolicy.Severity.SILENCE.value},
    DomainAction.REJECT_MEDIA: {"severity": DomainPolicy.Severity.NOOP.value, "reject_media": True},
    DomainAction.REJECT_REPORTS: {"severity": DomainPolicy.Severity.NOOP.value, "reject_reports": True},
}

# Roles whose holders can use the admin API that a blocklist tool drives.
MANDATE_ROLES = (Role.MODERATOR, Role.ADMIN)
MAX_MANDATE_SOURCES = 20
MAX_REVIEW_MONTHS = 36

BylawsValue = bool | int | Decimal
C = TypeVar("C", bound=models.TextChoices)


class ProposalPayload(Protocol):
    """What every kind's payload offers its readers."""

    def to_json(self) -> dict[str, Any]:
        """Return the payload as it is stored."""
        ...

    def preview(self) -> list[str]:
        """Return sentences that say what the proposal will change if it passes."""
        ...


@dataclass(frozen=True)
class DomainPolicyPayload:
    """Set or lift the policy on a domain."""

    action: DomainAction
    domain: str
    public_comment: str = ""

    @property
    def policy_settings(self) -> dict[str, Any]:
        """Return the domain policy's fields the action sets (empty when lifting)."""
        return {**DOMAIN_SETTINGS.get(self.action, {}), "public_comment": self.public_comment}

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action.value, "domain": self.domain, "public_comment": self.public_comment}

    def preview(self) -> list[str]:
        return [f"{self.action.label}: {self.domain}"] + ([self.public_comment] if self.public_comment else [])


@dataclass(frozen=True)
class ServerRulePayload:
    """Add, amend or retire a server rule (`rule_id` is None when adding)."""

    action: RuleAction
    rule_id: int | None = None
    text: str = ""
    hint: str = ""

    def to_json(self) -> dict[str, Any]:
        if self.action == RuleAction.ADD:
            return {"action": self.action.value, "text": self.text, "hint": self.hint}
        if self.action == RuleAction.RETIRE:
            return {"action": self.action.value, "rule_id": self.rule_id}
        return {"action": self.action.value, "rule_id": self.rule_id, "text": self.text, "hint": self.hint}

    def preview(self) -> list[str]:
        if self.action == RuleAction.ADD:
            return [f"Add a rule: {self.text}"]
        if self.action == RuleAction.RETIRE:
            return [f"Retire rule {self.rule_id}"]
        return [f"Amend rule {self.rule_id} to: {self.text}"]


@dataclass(frozen=True)
class ContentPolicyPayload:
    """Adopt a content policy (recorded in the log)."""

    title: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "text": self.text}

    def preview(self) -> list[str]:
        return [f"Adopt the content policy {self.title!r}"]


@dataclass(frozen=True)
class BylawAmendmentPayload:
    """Change bylaws settings: (name, new value) pairs sorted by name, as the bylaws' own check returns them."""

    changes: tuple[tuple[str, BylawsValue], ...]

    def to_json(self) -> dict[str, Any]:
        return {"changes": {name: str(value) if isinstance(value, Decimal) else value for name, value in self.changes}}

    def preview(self) -> list[str]:
        return [f"Set {name} to {value}" for name, value in self.to_json()["changes"].items()]


@dataclass(frozen=True)
class MembershipPayload:
    """Admit an applicant or expel a member."""

    action: MembershipAction
    user_id: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action.value, "user_id": self.user_id, "reason": self.reason}

    def preview(self) -> list[str]:
        return [f"{self.action.label} user {self.user_id}: {self.reason}"]


@dataclass(frozen=True)
class RoleGrantPayload:
    """Grant or revoke a role."""

    action: RoleAction
    user_id: int
    role: Role

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action.value, "user_id": self.user_id, "role": self.role.value}

    def preview(self) -> list[str]:
        return [f"{self.action.label} the role {self.role.value} to user {self.user_id}"]


@dataclass(frozen=True)
class BudgetPayload:
    """Authorise a payment."""

    amount: Decimal
    currency: str
    payee: str
    purpose: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"amount": str(self.amount), "currency": self.currency, "payee": self.payee, "purpose": self.purpose}

    def preview(self) -> list[str]:
        return [f"Pay {self.amount} {self.currency} to {self.payee}"]


@dataclass(frozen=True)
class BlocklistSource:
    """A list of domain blocks in Mastodon's CSV export format: a URL fetched on each import, or adopted text."""

    url: str = ""
    csv: str = ""

    def to_json(self) -> dict[str, str]:
        return {"url": self.url} if self.url else {"csv": self.csv}

    @property
    def label(self) -> str:
        """Return how the source is named in the log and previews."""
        return self.url or "the list adopted with the decision"


@dataclass(frozen=True)
class BlocklistMandatePayload:
    """Let a role's holders apply blocks from these sources, up to a severity, until a review is due."""

    sources: tuple[BlocklistSource, ...]
    max_severity: BlocklistMandate.Severity
    review_months: int
    role: Role = Role.MODERATOR

    def to_json(self) -> dict[str, Any]:
        return {
            "sources": [source.to_json() for source in self.sources],
            "max_severity": self.max_severity.value,
            "review_months": self.review_months,
            "role": self.role.value,
        }

    def preview(self) -> list[str]:
        adopted = [source for source in self.sources if source.csv]
        lines = [
            f"Apply blocks up to {self.max_severity.label.lower()} from {source.url}"
            for source in self.sources
            if source.url
        ]
        if adopted:
            count = sum(len(parse_blocklist_csv(source.csv).entries) for source in adopted)
            lines.append(
                f"Apply blocks up to {self.max_severity.label.lower()} from an adopted list of {count} domains"
            )
        lines.append(
            f"Holders of the role {self.role.value} may apply them; reviewed every {self.review_months} months"
        )
        return lines


@dataclass(frozen=True)
class TextPayload:
    """A text proposal changes nothing by itself."""

    def to_json(self) -> dict[str, Any]:
        return {}

    def preview(self) -> list[str]:
        return []


def _text(payload: dict[str, Any], key: str, *, limit: int, required: bool = True) -> str:
    value = payload.get(key, "")
    if not isinstance(value, str):
        raise ProposalRefused(f"{key} must be text.")
    value = value.strip()
    if required and not value:
        raise ProposalRefused(f"{key} can't be blank.")
    if len(value) > limit:
        raise ProposalRefused(f"{key} is too long (the limit is {limit} characters).")
    return value


def _choice(payload: dict[str, Any], key: str, choices: type[C]) -> C:
    value = payload.get(key)
    if value not in choices.values:
        raise ProposalRefused(f"{key} must be one of {', '.join(choices.values)}.")
    return choices(value)


def _user_id(payload: dict[str, Any]) -> int:
    value = payload.get("user_id")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProposalRefused("user_id must name a person with an account here.")
    return value


def _rule_id(payload: dict[str, Any]) -> int:
    value = payload.get("rule_id")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProposalRefused("rule_id must name an existing rule.")
    return value


def _domain_policy(payload: dict[str, Any]) -> DomainPolicyPayload:
    action = _choice(payload, "action", DomainAction)
    try:
        domain = check_domain_name(payload.get("domain"))
    except DomainNameRefused as exc:
        raise ProposalRefused(f"domain: {exc.message}") from exc
    clean = DomainPolicyPayload(
        action=action, domain=domain, public_comment=_text(payload, "public_comment", limit=1000, required=False)
    )
    if action != DomainAction.LIFT:
        # The policy the enactment will set, checked by the rule that sets it.
        try:
            check_set_domain_policy(domain, authorised_by=_PENDING_AUTHORITY, **clean.policy_settings)
        except DomainPolicyRefused as exc:
            raise ProposalRefused(exc.message) from exc
    return clean


def _server_rule(payload: dict[str, Any]) -> ServerRulePayload:
    action = _choice(payload, "action", RuleAction)
    if action == RuleAction.ADD:
        return ServerRulePayload(
            action=action,
            text=_text(payload, "text", limit=300),
            hint=_text(payload, "hint", limit=2000, required=False),
        )
    if action == RuleAction.RETIRE:
        return ServerRulePayload(action=action, rule_id=_rule_id(payload))
    return ServerRulePayload(
        action=action,
        rule_id=_rule_id(payload),
        text=_text(payload, "text", limit=300),
        hint=_text(payload, "hint", limit=2000, required=False),
    )


def _content_policy(payload: dict[str, Any]) -> ContentPolicyPayload:
    return ContentPolicyPayload(title=_text(payload, "title", limit=200), text=_text(payload, "text", limit=20000))


def _bylaw_amendment(payload: dict[str, Any]) -> BylawAmendmentPayload:
    changes = payload.get("changes")
    if not isinstance(changes, dict) or not changes:
        raise ProposalRefused("changes must name at least one bylaws setting and its new value.")
    try:
        # The rule that adopts a bylaws version, so that what passes can be adopted.
        clean = check_adopt_bylaws_version(dict(changes), authorised_by=_PENDING_AUTHORITY)
    except MemberRefused as exc:
        raise ProposalRefused(exc.message) from exc
    values: list[tuple[str, BylawsValue]] = []
    for name in sorted(clean):
        value = clean[name]
        if not isinstance(value, bool | int | Decimal):
            raise ProposalRefused(f"{name} has a value the bylaws cannot hold.")
        values.append((name, value))
    return BylawAmendmentPayload(changes=tuple(values))


def _membership(payload: dict[str, Any]) -> MembershipPayload:
    return MembershipPayload(
        action=_choice(payload, "action", MembershipAction),
        user_id=_user_id(payload),
        reason=_text(payload, "reason", limit=2000),
    )


def _role_grant(payload: dict[str, Any]) -> RoleGrantPayload:
    action = _choice(payload, "action", RoleAction) if "action" in payload else RoleAction.GRANT
    role = _choice(payload, "role", Role)
    if role == Role.MEMBER:
        # Membership follows from the share register; the roles' own check refuses it too.
        raise ProposalRefused("Membership is not granted as a role: it follows from the share register.")
    return RoleGrantPayload(action=action, user_id=_user_id(payload), role=role)


def _budget(payload: dict[str, Any]) -> BudgetPayload:
    raw = payload.get("amount", "")
    try:
        amount = Decimal(str(raw)) if not isinstance(raw, bool) else Decimal("NaN")
    except InvalidOperation as exc:
        raise ProposalRefused("amount must be a number.") from exc
    if not amount.is_finite() or amount <= 0:
        raise ProposalRefused("amount must be more than 0.")
    currency = _text(payload, "currency", limit=3, required=False) or "USD"
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ProposalRefused("currency must be a three-letter code such as USD.")
    return BudgetPayload(
        amount=amount.quantize(Decimal("0.01")),
        currency=currency,
        payee=_text(payload, "payee", limit=200),
        purpose=_text(payload, "purpose", limit=2000, required=False),
    )


def _blocklist_source(raw: Any, number: int) -> BlocklistSource:
    if not isinstance(raw, dict) or ("url" in raw) == ("csv" in raw):
        raise ProposalRefused(f"Source {number} must give either a url or csv text.")
    if "url" in raw:
        url = raw["url"].strip() if isinstance(raw["url"], str) else ""
        try:
            check_fetchable_url(url)
        except UnsafeDestination as exc:
            raise ProposalRefused(f"Source {number}: {exc}") from exc
        if len(url) > 500:
            raise ProposalRefused(f"Source {number}: the URL is too long (the limit is 500 characters).")
        return BlocklistSource(url=url)
    text = raw["csv"] if isinstance(raw["csv"], str) else ""
    if len(text) > MAX_CSV_CHARS:
        raise ProposalRefused(f"Source {number}: the list is too long (the limit is {MAX_CSV_CHARS:,} characters).")
    parsed = parse_blocklist_csv(text)
    if parsed.problems:
        first = parsed.problems[0]
        raise ProposalRefused(f"Source {number}, line {first.line}: {first.reason}")
    if not parsed.entries:
        raise ProposalRefused(f"Source {number} lists no domain.")
    return BlocklistSource(csv=text.strip())


def _blocklist_mandate(payload: dict[str, Any]) -> BlocklistMandatePayload:
    sources = payload.get("sources")
    if not isinstance(sources, list) or not sources:
        raise ProposalRefused("sources must list at least one blocklist (a url, or csv text).")
    if len(sources) > MAX_MANDATE_SOURCES:
        raise ProposalRefused(f"sources may list at most {MAX_MANDATE_SOURCES} blocklists.")
    months = payload.get("review_months")
    if isinstance(months, bool) or not isinstance(months, int) or not 0 < months <= MAX_REVIEW_MONTHS:
        raise ProposalRefused(f"review_months must be a whole number of months from 1 to {MAX_REVIEW_MONTHS}.")
    role = _choice(payload, "role", Role) if "role" in payload else Role.MODERATOR
    if role not in MANDATE_ROLES:
        raise ProposalRefused(f"role must be one of {', '.join(MANDATE_ROLES)}: the roles that moderate domains.")
    return BlocklistMandatePayload(
        sources=tuple(_blocklist_source(raw, number) for number, raw in enumerate(sources, start=1)),
        max_severity=_choice(payload, "max_severity", BlocklistMandate.Severity),
        review_months=months,
        role=role,
    )


def _text_only(payload: dict[str, Any]) -> TextPayload:
    if payload:
        raise ProposalRefused("A text proposal carries no payload.")
    return TextPayload()


PARSERS: dict[str, Callable[[dict[str, Any]], ProposalPayload]] = {
    ProposalKind.DOMAIN_POLICY: _domain_policy,
    ProposalKind.SERVER_RULE: _server_rule,
    ProposalKind.CONTENT_POLICY: _content_policy,
    ProposalKind.BYLAW_AMENDMENT: _bylaw_amendment,
    ProposalKind.MEMBERSHIP: _membership,
    ProposalKind.ROLE_GRANT: _role_grant,
    ProposalKind.BUDGET: _budget,
    ProposalKind.BLOCKLIST_MANDATE: _blocklist_mandate,
    ProposalKind.TEXT: _text_only,
}


def parse_payload(kind: str, payload: Any) -> ProposalPayload:
    """Return a payload (new or stored) typed for its kind, or raise ProposalRefused.

    Only its shape is checked: a stored proposal still loads after the user
    or rule it names is gone (its enactment then refuses).
    """
    if kind not in ProposalKind.values:
        raise ProposalRefused(f"kind must be one of {', '.join(ProposalKind.values)}.")
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise ProposalRefused("The payload must be a JSON object.")
    return PARSERS[kind](payload)


def check_payload(kind: str, payload: Any) -> ProposalPayload:
    """Validate a new proposal's payload, including that the user or rule it names exists; raise ProposalRefused."""
    clean = parse_payload(kind, payload)
    if isinstance(clean, MembershipPayload | RoleGrantPayload) and not User.objects.filter(pk=clean.user_id).exists():
        raise ProposalRefused("user_id must name a person with an account here.")
    if isinstance(clean, ServerRulePayload) and clean.rule_id is not None:
        version = RuleVersion.objects.filter(rule_id=clean.rule_id).order_by("-version").first()
        if version is None:
            raise ProposalRefused("rule_id must name an existing rule.")
        if version.retired:
            raise ProposalRefused("That rule is retired.")
    return clean


def read_payload(kind: str, stored: Any) -> ProposalPayload | None:
    """Return a stored payload typed, or None if it no longer passes (stored before a check tightened)."""
    try:
        return parse_payload(kind, stored)
    except ProposalRefused:
        return None


def preview_lines(payload: ProposalPayload | None) -> list[str]:
    """Return sentences that say what the proposal will change if it passes."""
    return payload.preview() if payload is not None else []


def diff_against_in_force(payload: ProposalPayload | None) -> list[dict[str, str]]:
    """Return, for amendments, each changed item's current and proposed value."""
    if isinstance(payload, BylawAmendmentPayload):
        current = bylaws_in_force()
        return [
            {"field": name, "current": str(getattr(current, name)), "proposed": str(value)}
            for name, value in payload.to_json()["changes"].items()
        ]
    if isinstance(payload, ServerRulePayload) and payload.rule_id is not None:
        version = RuleVersion.objects.filter(rule_id=payload.rule_id).order_by("-version").first()
        current_text = version.text if version else ""
        proposed = "" if payload.action == RuleAction.RETIRE else payload.text
        return [{"field": f"rule {payload.rule_id}", "current": current_text, "proposed": proposed}]
    return []

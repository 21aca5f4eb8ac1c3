"""Typed proposal payloads: validation, preview and diff against what is in force.

A payload is the JSON a proposal carries to say exactly what it changes;
`governance.actions.enactment` applies it when the proposal passes. The JSON
stays the stored form; each kind is read into a frozen dataclass by
`parse_payload`, which applies every rule the enactment will meet about the
payload's shape (the owning apps' own checks where they have one), so a
proposal that was accepted cannot fail its enactment on its shape.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol, TypeVar

from django.db import models

from federation.actions.domain_policies import check_set_domain_policy
from federation.domains import DomainNameRefused, check_domain_name
from federation.errors import DomainPolicyRefused
from federation.models import DomainPolicy
from federation.transport import UnsafeDestination, check_fetchable_url
from governance.actions.instance_settings import check_instance_settings_values
from governance.blocklist_csv import MAX_CSV_CHARS, parse_blocklist_csv
from governance.errors import GovernanceRefused, ProposalRefused
from governance.models import BlocklistMandate, ModerationAction, ProposalKind, RuleVersion
from governance.rules import percent
from members.actions.bylaws import FRACTION_SETTINGS, check_adopt_bylaws_version
from members.actions.dues import DuesTierDraft, check_create_dues_tier
from members.actions.patronage import PatronageDraft, check_allocate_patronage
from members.actions.share_classes import (
    ShareClassChange,
    ShareClassDraft,
    check_change_share_class,
    check_create_share_class,
)
from members.errors import MemberRefused
from members.models import ShareClass, User
from members.models.membership import Role
from members.patronage import Formula, Pool
from members.selectors import bylaws_in_force
from timeline.actions.custom_emojis import (
    MAX_CATEGORY_LENGTH,
    CustomEmojiDraft,
    check_create_custom_emoji,
    check_remove_custom_emoji,
    check_shortcode,
)
from timeline.errors import EmojiRefused
from timeline.imaging import EMOJI_SIZE_LIMIT, MediaRejected, process_emoji_image
from timeline.models import CustomEmoji

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


class EmergencyAction(models.TextChoices):
    """What the assembly decides about a moderator's emergency action."""

    RATIFY = "ratify", "Ratify (make it permanent)"
    LIFT = "lift", "Lift (end it now)"


class EmojiAction(models.TextChoices):
    ADD = "add", "Add the emoji"
    REMOVE = "remove", "Remove the emoji"


class PatronageMeasure(models.TextChoices):
    """What a patronage pool is divided by (the measures of `members.patronage`)."""

    DUES_PAID = "dues_paid", "Dues paid"
    CONTRIBUTION_HOURS = "contribution_hours", "Contribution hours"
    POSTS = "posts", "Posts written"
    SHARES = "shares", "Capital held in shares"


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
# The terms of a share class a proposal sets.
SHARE_CLASS_TERMS = (
    "name",
    "nominal_value",
    "currency",
    "carries_vote",
    "transferable",
    "min_per_member",
    "max_per_member",
    "redeemable",
)
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
        return [f"Set the {setting_name(name)} to {setting_value(name, value)}" for name, value in self.changes]


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
    """Where blocks come from: a list in Mastodon's CSV export format (a URL fetched on each import, or
    adopted text), or another co-op running Mutuals, by its instance actor, whose assembly's domain
    decisions are read from its public log."""

    url: str = ""
    csv: str = ""
    coop: str = ""

    def to_json(self) -> dict[str, str]:
        if self.coop:
            return {"coop": self.coop}
        return {"url": self.url} if self.url else {"csv": self.csv}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> BlocklistSource:
        """Return a source as a mandate stores it."""
        return cls(url=str(raw.get("url", "")), csv=str(raw.get("csv", "")), coop=str(raw.get("coop", "")))

    @property
    def label(self) -> str:
        """Return how the source is named in the log and previews."""
        if self.coop:
            return f"the assembly decisions of the co-op at {self.coop}"
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
            f"Apply blocks up to {self.max_severity.label.lower()} from {source.url or source.label}"
            for source in self.sources
            if source.url or source.coop
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


@dataclass(frozen=True)
class InstanceSettingsPayload:
    """Set the server's public name and contact address (an empty name falls back to the configured one)."""

    title: str
    contact_email: str

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "contact_email": self.contact_email}

    def preview(self) -> list[str]:
        name = f"Name the server {self.title!r}" if self.title else "Name the server as configured"
        contact = f"contact address {self.contact_email}" if self.contact_email else "no contact address"
        return [f"{name}, with {contact}"]


@dataclass(frozen=True)
class CustomEmojiPayload:
    """Add a custom emoji (its image carried in the payload, base64) or remove one, by shortcode."""

    action: EmojiAction
    shortcode: str
    category: str = ""
    image: str = ""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"action": self.action.value, "shortcode": self.shortcode}
        if self.action == EmojiAction.ADD:
            data |= {"category": self.category, "image": self.image}
        return data

    def image_bytes(self) -> bytes:
        """Return the image file the payload carries (empty for a removal)."""
        return base64.b64decode(self.image) if self.image else b""

    def preview(self) -> list[str]:
        if self.action == EmojiAction.REMOVE:
            return [f"Remove the custom emoji :{self.shortcode}:"]
        category = f" in the category {self.category!r}" if self.category else ""
        return [f"Add the custom emoji :{self.shortcode}:{category}"]


@dataclass(frozen=True)
class EmergencyReviewPayload:
    """Ratify or lift a moderator's emergency action that awaits the assembly."""

    action: EmergencyAction
    moderation_action_id: int

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action.value, "moderation_action_id": self.moderation_action_id}

    def preview(self) -> list[str]:
        verb = "Ratify" if self.action == EmergencyAction.RATIFY else "Lift"
        return [f"{verb} emergency action #{self.moderation_action_id}"]


@dataclass(frozen=True)
class ShareClassPayload:
    """Create a class of shares, or change the terms of one (`share_class_id`)."""

    name: str
    nominal_value: Decimal
    currency: str
    carries_vote: bool
    transferable: bool
    min_per_member: int
    max_per_member: int | None
    share_class_id: int | None = None
    redeemable: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "share_class_id": self.share_class_id,
            "name": self.name,
            "nominal_value": str(self.nominal_value),
            "currency": self.currency,
            "carries_vote": self.carries_vote,
            "transferable": self.transferable,
            "min_per_member": self.min_per_member,
            "max_per_member": self.max_per_member,
            "redeemable": self.redeemable,
        }

    def preview(self) -> list[str]:
        most = "no maximum" if self.max_per_member is None else f"at most {self.max_per_member}"
        verb = (
            "Create the share class" if self.share_class_id is None else f"Change share class #{self.share_class_id} to"
        )
        return [
            f"{verb} {self.name!r}: {self.nominal_value} {self.currency} a share",
            "Its holders may vote (one member, one vote)" if self.carries_vote else "It carries no vote",
            "Transferable between members" if self.transferable else "Not transferable",
            "Bought back on leaving, at most at nominal value" if self.redeemable else "Not redeemable",
            f"Each holder holds at least {self.min_per_member}, {most}",
        ]


@dataclass(frozen=True)
class DuesTierPayload:
    """Add a step to the sliding scale of dues."""

    name: str
    monthly_amount: Decimal
    currency: str
    description: str = ""
    period_months: int = 1
    sliding_scale_max: Decimal | None = None
    hardship_waiver: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "monthly_amount": str(self.monthly_amount),
            "currency": self.currency,
            "description": self.description,
            "period_months": self.period_months,
            "sliding_scale_max": None if self.sliding_scale_max is None else str(self.sliding_scale_max),
            "hardship_waiver": self.hardship_waiver,
        }

    def draft(self) -> DuesTierDraft:
        """Return the tier as the members app's dues actions take it."""
        return DuesTierDraft(
            name=self.name,
            monthly_amount=self.monthly_amount,
            currency=self.currency,
            description=self.description,
            period_months=self.period_months,
            sliding_scale_max=self.sliding_scale_max,
            hardship_waiver=self.hardship_waiver,
        )

    def preview(self) -> list[str]:
        if self.hardship_waiver:
            line = f"Add the dues tier {self.name!r}: a hardship waiver, nothing to pay"
        else:
            top = "" if self.sliding_scale_max is None else f" to {self.sliding_scale_max}"
            every = {3: ", paid every quarter", 12: ", paid every year"}.get(self.period_months, "")
            line = f"Add the dues tier {self.name!r}: {self.monthly_amount}{top} {self.currency} a month{every}"
        return [line] + ([self.description] if self.description else [])


@dataclass(frozen=True)
class PatronagePayload:
    """Allocate a period's surplus: reserves first, then pools divided by a measure (fractions of what remains)."""

    label: str
    period_start: date
    period_end: date
    surplus: Decimal
    reserve_fraction: Decimal
    pools: tuple[tuple[PatronageMeasure, Decimal], ...]

    def formula(self, capital_rate: Decimal) -> Formula:
        """Return the formula the allocation records, under the bylaws' cap on interest on capital."""
        return Formula(
            reserve_fraction=self.reserve_fraction,
            pools=tuple(
                Pool(name=measure.label, fraction=fraction, measure=measure) for measure, fraction in self.pools
            ),
            capital_rate=capital_rate,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "surplus": str(self.surplus),
            "reserve_fraction": str(self.reserve_fraction),
            "pools": [{"measure": measure.value, "fraction": str(fraction)} for measure, fraction in self.pools],
        }

    def preview(self) -> list[str]:
        return [
            f"Allocate the surplus of {self.surplus} for {self.label} ({self.period_start} to {self.period_end})",
            f"Keep {percent(self.reserve_fraction)} in reserves",
        ] + [f"Share {percent(fraction)} of the rest by {measure.label.lower()}" for measure, fraction in self.pools]


def setting_name(name: str) -> str:
    """Return a bylaws setting's name as members read it."""
    return name.replace("_", " ")


def setting_value(name: str, value: BylawsValue) -> str:
    """Return a bylaws setting's value as members read it: fractions as percentages, flags as yes or no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name in FRACTION_SETTINGS:
        return percent(Decimal(value))
    return str(value)


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
    if not isinstance(raw, dict) or sum(key in raw for key in ("url", "csv", "coop")) != 1:
        raise ProposalRefused(f"Source {number} must give one of a url, csv text or a co-op (its instance actor).")
    if "url" in raw or "coop" in raw:
        key = "url" if "url" in raw else "coop"
        url = raw[key].strip() if isinstance(raw[key], str) else ""
        try:
            check_fetchable_url(url)
        except UnsafeDestination as exc:
            raise ProposalRefused(f"Source {number}: {exc}") from exc
        if len(url) > 500:
            raise ProposalRefused(f"Source {number}: the URL is too long (the limit is 500 characters).")
        return BlocklistSource(url=url) if key == "url" else BlocklistSource(coop=url)
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
        raise ProposalRefused("sources must list at least one blocklist (a url, csv text, or a co-op).")
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


def _decimal(payload: dict[str, Any], key: str, *, places: str = "0.01") -> Decimal:
    raw = payload.get(key, "")
    try:
        value = Decimal(str(raw)) if not isinstance(raw, bool) else Decimal("NaN")
    except InvalidOperation as exc:
        raise ProposalRefused(f"{key} must be a number.") from exc
    if not value.is_finite():
        raise ProposalRefused(f"{key} must be a number.")
    return value.quantize(Decimal(places))


def _count(payload: dict[str, Any], key: str, *, required: bool = True) -> int | None:
    value = payload.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProposalRefused(f"{key} must be a whole number.")
    return value


def _flag(payload: dict[str, Any], key: str) -> bool:
    value = payload.get(key, False)
    if not isinstance(value, bool):
        raise ProposalRefused(f"{key} must be true or false.")
    return value


def _currency(payload: dict[str, Any]) -> str:
    currency = _text(payload, "currency", limit=3, required=False) or "USD"
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ProposalRefused("currency must be a three-letter code such as USD.")
    return currency


def _date(payload: dict[str, Any], key: str) -> date:
    value = payload.get(key)
    try:
        return date.fromisoformat(value) if isinstance(value, str) else date.fromisoformat("")
    except ValueError:
        raise ProposalRefused(f"{key} must be a date (YYYY-MM-DD).") from None


def _instance_settings(payload: dict[str, Any]) -> InstanceSettingsPayload:
    title = _text(payload, "title", limit=1000, required=False)
    contact_email = _text(payload, "contact_email", limit=254, required=False)
    try:
        draft = check_instance_settings_values(title=title, contact_email=contact_email)
    except GovernanceRefused as exc:
        raise ProposalRefused(exc.message) from exc
    return InstanceSettingsPayload(title=draft.title, contact_email=draft.contact_email)


def _emergency_review(payload: dict[str, Any]) -> EmergencyReviewPayload:
    action = _choice(payload, "action", EmergencyAction)
    value = payload.get("moderation_action_id")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProposalRefused("moderation_action_id must name an emergency action.")
    return EmergencyReviewPayload(action=action, moderation_action_id=value)


def _share_class(payload: dict[str, Any]) -> ShareClassPayload:
    nominal_value = _decimal(payload, "nominal_value")
    if nominal_value <= 0:
        raise ProposalRefused("nominal_value must be more than 0.")
    min_per_member = _count(payload, "min_per_member") or 0
    max_per_member = _count(payload, "max_per_member", required=False)
    if max_per_member is not None and max_per_member < min_per_member:
        raise ProposalRefused("The maximum holding cannot be below the minimum.")
    return ShareClassPayload(
        share_class_id=_count(payload, "share_class_id", required=False),
        name=_text(payload, "name", limit=100),
        nominal_value=nominal_value,
        currency=_currency(payload),
        carries_vote=_flag(payload, "carries_vote"),
        transferable=_flag(payload, "transferable"),
        min_per_member=min_per_member,
        max_per_member=max_per_member,
        # Proposals made before the class could be irredeemable left it out: redeemable, as classes were.
        redeemable=_flag(payload, "redeemable") if "redeemable" in payload else True,
    )


def _dues_tier(payload: dict[str, Any]) -> DuesTierPayload:
    monthly_amount = _decimal(payload, "monthly_amount")
    waiver = _flag(payload, "hardship_waiver") if "hardship_waiver" in payload else False
    if monthly_amount < 0 or (monthly_amount == 0 and not waiver):
        raise ProposalRefused("monthly_amount must be more than 0 (or the tier a hardship waiver).")
    top = None if payload.get("sliding_scale_max") in (None, "") else _decimal(payload, "sliding_scale_max")
    return DuesTierPayload(
        name=_text(payload, "name", limit=100),
        monthly_amount=monthly_amount,
        currency=_currency(payload),
        description=_text(payload, "description", limit=200, required=False),
        period_months=_count(payload, "period_months", required=False) or 1,
        sliding_scale_max=top,
        hardship_waiver=waiver,
    )


def _patronage(payload: dict[str, Any]) -> PatronagePayload:
    raw_pools = payload.get("pools")
    if not isinstance(raw_pools, list) or not raw_pools or not all(isinstance(pool, dict) for pool in raw_pools):
        raise ProposalRefused("pools must list at least one measure and its share.")
    pools = tuple(
        (_choice(pool, "measure", PatronageMeasure), _decimal(pool, "fraction", places="0.001")) for pool in raw_pools
    )
    if len({measure for measure, _ in pools}) != len(pools):
        raise ProposalRefused("Each measure may divide one pool only.")
    if any(fraction <= 0 for _, fraction in pools) or sum(fraction for _, fraction in pools) > 1:
        raise ProposalRefused("The pools' shares must be positive and add up to at most 100%.")
    reserve_fraction = _decimal(payload, "reserve_fraction", places="0.001")
    if not 0 <= reserve_fraction <= 1:
        raise ProposalRefused("reserve_fraction must be between 0 and 1.")
    surplus = _decimal(payload, "surplus")
    if surplus < 0:
        raise ProposalRefused("The surplus cannot be negative.")
    period_start, period_end = _date(payload, "period_start"), _date(payload, "period_end")
    if period_end < period_start:
        raise ProposalRefused("The period ends before it starts.")
    return PatronagePayload(
        label=_text(payload, "label", limit=100),
        period_start=period_start,
        period_end=period_end,
        surplus=surplus,
        reserve_fraction=reserve_fraction,
        pools=pools,
    )


def _custom_emoji(payload: dict[str, Any]) -> CustomEmojiPayload:
    action = _choice(payload, "action", EmojiAction)
    try:
        shortcode = check_shortcode(_text(payload, "shortcode", limit=70))
    except EmojiRefused as exc:
        raise ProposalRefused(exc.message) from exc
    if action == EmojiAction.REMOVE:
        return CustomEmojiPayload(action=action, shortcode=shortcode)
    category = _text(payload, "category", limit=MAX_CATEGORY_LENGTH, required=False)
    encoded = _text(payload, "image", limit=EMOJI_SIZE_LIMIT * 2)
    try:
        content = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise ProposalRefused("image must be the emoji's file in base64.") from None
    try:
        process_emoji_image(io.BytesIO(content), size=len(content))
    except MediaRejected as exc:
        raise ProposalRefused(exc.message) from exc
    return CustomEmojiPayload(action=action, shortcode=shortcode, category=category, image=encoded)


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
    ProposalKind.INSTANCE_SETTINGS: _instance_settings,
    ProposalKind.EMERGENCY_REVIEW: _emergency_review,
    ProposalKind.SHARE_CLASS: _share_class,
    ProposalKind.DUES_TIER: _dues_tier,
    ProposalKind.PATRONAGE: _patronage,
    ProposalKind.CUSTOM_EMOJI: _custom_emoji,
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
    if (
        isinstance(clean, EmergencyReviewPayload)
        and not awaiting_ratification().filter(pk=clean.moderation_action_id).exists()
    ):
        raise ProposalRefused("moderation_action_id must name an emergency action that awaits ratification.")
    if isinstance(clean, CustomEmojiPayload):
        check_custom_emoji_change(clean, exc_type=ProposalRefused)
    try:
        # The owning app's own check, against what exists now; the enactment runs it again.
        if isinstance(clean, ShareClassPayload):
            check_share_class(clean)
        if isinstance(clean, DuesTierPayload):
            check_create_dues_tier(clean.draft(), authorised_by=_PENDING_AUTHORITY)
        if isinstance(clean, PatronagePayload):
            check_patronage(clean, authorised_by=_PENDING_AUTHORITY)
    except MemberRefused as exc:
        raise ProposalRefused(exc.message) from exc
    return clean


def check_custom_emoji_change(
    payload: CustomEmojiPayload, *, exc_type: type[GovernanceRefused] = GovernanceRefused
) -> CustomEmojiDraft | CustomEmoji:
    """Check an emoji's addition or removal against the emoji there are now; return the draft or the emoji."""
    try:
        if payload.action == EmojiAction.REMOVE:
            return check_remove_custom_emoji(payload.shortcode)
        content = payload.image_bytes()
        return check_create_custom_emoji(
            payload.shortcode, io.BytesIO(content), size=len(content), category=payload.category
        )
    except EmojiRefused as exc:
        raise exc_type(exc.message) from exc


def check_share_class(payload: ShareClassPayload, *, authorised_by: str = "") -> ShareClassDraft | ShareClassChange:
    """Check a share class's creation or change with the owning app's rule; return its draft.

    `authorised_by` names the decision; while the proposal is open it is a
    placeholder, since the assembly's decision is what the bylaws require.
    """
    authority = authorised_by or _PENDING_AUTHORITY
    if payload.share_class_id is None:
        return check_create_share_class(
            payload.name,
            payload.nominal_value,
            min_per_member=payload.min_per_member,
            max_per_member=payload.max_per_member,
            currency=payload.currency,
            carries_vote=payload.carries_vote,
            transferable=payload.transferable,
            redeemable=payload.redeemable,
            authorised_by=authority,
        )
    share_class = ShareClass.objects.filter(pk=payload.share_class_id).first()
    if share_class is None:
        raise ProposalRefused("share_class_id must name an existing share class.")
    return check_change_share_class(
        share_class,
        name=payload.name,
        nominal_value=payload.nominal_value,
        min_per_member=payload.min_per_member,
        max_per_member=payload.max_per_member,
        clear_max=payload.max_per_member is None,
        carries_vote=payload.carries_vote,
        transferable=payload.transferable,
        redeemable=payload.redeemable,
        authorised_by=authority,
    )


def awaiting_ratification() -> models.QuerySet[ModerationAction]:
    """Return the emergency actions still in force that await the assembly's decision."""
    return ModerationAction.objects.filter(emergency=True, state=ModerationAction.State.ACTIVE)


def check_patronage(payload: PatronagePayload, *, authorised_by: str) -> PatronageDraft:
    """Check an allocation against the bylaws in force with the owning app's rule; return its draft."""
    return check_allocate_patronage(
        payload.label,
        period_start=payload.period_start,
        period_end=payload.period_end,
        surplus=payload.surplus,
        formula=payload.formula(bylaws_in_force().capital_interest_max_rate),
        authorised_by=authorised_by,
    )


def read_payload(kind: str, stored: Any) -> ProposalPayload | None:
    """Return a stored payload typed, or None if it no longer passes (stored before a check tightened)."""
    try:
        return parse_payload(kind, stored)
    except ProposalRefused:
        return None


def preview_lines(payload: ProposalPayload | None) -> list[str]:
    """Return sentences that say what the proposal will change if it passes."""
    return payload.preview() if payload is not None else []


def diff_against_in_force(
    payload: ProposalPayload | None, *, value_shown: Callable[[str, Any], str] = setting_value
) -> list[dict[str, str]]:
    """Return, for amendments, each changed item's current and proposed value.

    `value_shown` writes a bylaws setting's value (a page passes one in the reader's language).
    """
    if isinstance(payload, BylawAmendmentPayload):
        current = bylaws_in_force()
        return [
            {
                "field": setting_name(name),
                "current": value_shown(name, getattr(current, name)),
                "proposed": value_shown(name, value),
            }
            for name, value in payload.changes
        ]
    if isinstance(payload, ShareClassPayload) and payload.share_class_id is not None:
        share_class = ShareClass.objects.filter(pk=payload.share_class_id).first()
        terms = payload.to_json()
        rows = [(field, str(getattr(share_class, field)), str(terms[field])) for field in SHARE_CLASS_TERMS]
        return [
            {"field": field.replace("_", " "), "current": current, "proposed": proposed}
            for field, current, proposed in rows
            if share_class is not None and current != proposed
        ]
    if isinstance(payload, ServerRulePayload) and payload.rule_id is not None:
        version = RuleVersion.objects.filter(rule_id=payload.rule_id).order_by("-version").first()
        current_text = version.text if version else ""
        proposed = "" if payload.action == RuleAction.RETIRE else payload.text
        return [{"field": f"rule {payload.rule_id}", "current": current_text, "proposed": proposed}]
    return []

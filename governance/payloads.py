"""Typed proposal payloads: validation, preview and diff against what is in force.

A payload is the JSON a proposal carries to say exactly what it changes;
`governance.actions.enactment` applies it when the proposal passes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models

from governance.errors import ProposalRefused
from governance.models import ProposalKind, RuleVersion
from members.models import User
from members.models.bylaws import BYLAWS_SETTINGS, BylawsVersion
from members.models.membership import Role
from members.selectors import bylaws_in_force

DOMAIN_PATTERN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


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


def _choice(payload: dict[str, Any], key: str, choices: type[models.TextChoices]) -> str:
    value = payload.get(key)
    if value not in choices.values:
        raise ProposalRefused(f"{key} must be one of {', '.join(choices.values)}.")
    return str(value)


def _user_id(payload: dict[str, Any]) -> int:
    value = payload.get("user_id")
    if isinstance(value, bool) or not isinstance(value, int) or not User.objects.filter(pk=value).exists():
        raise ProposalRefused("user_id must name a person with an account here.")
    return value


def normalise_domain(value: Any) -> str:
    """Return a lower-case domain name, or raise ProposalRefused."""
    domain = value.strip().lower().rstrip(".") if isinstance(value, str) else ""
    if not DOMAIN_PATTERN.match(domain):
        raise ProposalRefused("domain must be a domain name such as example.social.")
    return domain


def _latest_rule_version(rule_id: Any) -> RuleVersion:
    version = (
        RuleVersion.objects.filter(rule_id=rule_id).order_by("-version").first()
        if isinstance(rule_id, int) and not isinstance(rule_id, bool)
        else None
    )
    if version is None:
        raise ProposalRefused("rule_id must name an existing rule.")
    if version.retired:
        raise ProposalRefused("That rule is retired.")
    return version


def _bylaws_value(field_name: str, raw: Any) -> Any:
    field = BylawsVersion._meta.get_field(field_name)
    if isinstance(field, models.BooleanField):
        if not isinstance(raw, bool):
            raise ProposalRefused(f"{field_name} must be true or false.")
        return raw
    if isinstance(field, models.DecimalField):
        try:
            number = Decimal(str(raw))
        except InvalidOperation as exc:
            raise ProposalRefused(f"{field_name} must be a number.") from exc
        if not number.is_finite() or number < 0:
            raise ProposalRefused(f"{field_name} must be a number of at least 0.")
        if field_name.endswith(("_quorum", "_threshold", "_override", "_fraction", "_rate")) and number > 1:
            raise ProposalRefused(f"{field_name} is a share and must be between 0 and 1.")
        quantum = Decimal(1).scaleb(-(field.decimal_places or 0))
        return str(number.quantize(quantum))
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise ProposalRefused(f"{field_name} must be a whole number of at least 0.")
    return raw


def _domain_policy(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "action": _choice(payload, "action", DomainAction),
        "domain": normalise_domain(payload.get("domain")),
        "public_comment": _text(payload, "public_comment", limit=1000, required=False),
    }


def _server_rule(payload: dict[str, Any]) -> dict[str, Any]:
    action = _choice(payload, "action", RuleAction)
    if action == RuleAction.ADD:
        return {
            "action": action,
            "text": _text(payload, "text", limit=300),
            "hint": _text(payload, "hint", limit=2000, required=False),
        }
    version = _latest_rule_version(payload.get("rule_id"))
    if action == RuleAction.RETIRE:
        return {"action": action, "rule_id": version.rule_id}
    return {
        "action": action,
        "rule_id": version.rule_id,
        "text": _text(payload, "text", limit=300),
        "hint": _text(payload, "hint", limit=2000, required=False),
    }


def _content_policy(payload: dict[str, Any]) -> dict[str, Any]:
    return {"title": _text(payload, "title", limit=200), "text": _text(payload, "text", limit=20000)}


def _bylaw_amendment(payload: dict[str, Any]) -> dict[str, Any]:
    changes = payload.get("changes")
    if not isinstance(changes, dict) or not changes:
        raise ProposalRefused("changes must name at least one bylaws setting and its new value.")
    unknown = sorted(set(changes) - set(BYLAWS_SETTINGS))
    if unknown:
        raise ProposalRefused(f"Unknown bylaws setting(s): {', '.join(unknown)}.")
    return {"changes": {name: _bylaws_value(name, changes[name]) for name in sorted(changes)}}


def _membership(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "action": _choice(payload, "action", MembershipAction),
        "user_id": _user_id(payload),
        "reason": _text(payload, "reason", limit=2000),
    }


def _role_grant(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "action": _choice(payload, "action", RoleAction) if "action" in payload else RoleAction.GRANT.value,
        "user_id": _user_id(payload),
        "role": _choice(payload, "role", Role),
    }


def _budget(payload: dict[str, Any]) -> dict[str, Any]:
    try:
        amount = Decimal(str(payload.get("amount", "")))
    except InvalidOperation as exc:
        raise ProposalRefused("amount must be a number.") from exc
    if not amount.is_finite() or amount <= 0:
        raise ProposalRefused("amount must be more than 0.")
    currency = _text(payload, "currency", limit=3, required=False) or "USD"
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ProposalRefused("currency must be a three-letter code such as USD.")
    return {
        "amount": str(amount.quantize(Decimal("0.01"))),
        "currency": currency,
        "payee": _text(payload, "payee", limit=200),
        "purpose": _text(payload, "purpose", limit=2000, required=False),
    }


def _text_only(payload: dict[str, Any]) -> dict[str, Any]:
    if payload:
        raise ProposalRefused("A text proposal carries no payload.")
    return {}


PAYLOAD_CHECKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    ProposalKind.DOMAIN_POLICY: _domain_policy,
    ProposalKind.SERVER_RULE: _server_rule,
    ProposalKind.CONTENT_POLICY: _content_policy,
    ProposalKind.BYLAW_AMENDMENT: _bylaw_amendment,
    ProposalKind.MEMBERSHIP: _membership,
    ProposalKind.ROLE_GRANT: _role_grant,
    ProposalKind.BUDGET: _budget,
    ProposalKind.TEXT: _text_only,
}


def check_payload(kind: str, payload: Any) -> dict[str, Any]:
    """Return the canonical payload for a proposal kind, or raise ProposalRefused."""
    if kind not in ProposalKind.values:
        raise ProposalRefused(f"kind must be one of {', '.join(ProposalKind.values)}.")
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise ProposalRefused("The payload must be a JSON object.")
    return PAYLOAD_CHECKS[kind](payload)


def _rule_preview(payload: dict[str, Any]) -> list[str]:
    action = RuleAction(payload["action"])
    if action == RuleAction.ADD:
        return [f"Add a rule: {payload['text']}"]
    if action == RuleAction.RETIRE:
        return [f"Retire rule {payload['rule_id']}"]
    return [f"Amend rule {payload['rule_id']} to: {payload['text']}"]


PREVIEWS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    ProposalKind.DOMAIN_POLICY: lambda p: (
        [f"{DomainAction(p['action']).label}: {p['domain']}"] + ([p["public_comment"]] if p["public_comment"] else [])
    ),
    ProposalKind.SERVER_RULE: _rule_preview,
    ProposalKind.CONTENT_POLICY: lambda p: [f"Adopt the content policy {p['title']!r}"],
    ProposalKind.BYLAW_AMENDMENT: lambda p: [f"Set {name} to {value}" for name, value in p["changes"].items()],
    ProposalKind.MEMBERSHIP: lambda p: [f"{MembershipAction(p['action']).label} user {p['user_id']}: {p['reason']}"],
    ProposalKind.ROLE_GRANT: lambda p: [f"{RoleAction(p['action']).label} the role {p['role']} to user {p['user_id']}"],
    ProposalKind.BUDGET: lambda p: [f"Pay {p['amount']} {p['currency']} to {p['payee']}"],
    ProposalKind.TEXT: lambda p: [],
}


def preview_lines(kind: str, payload: dict[str, Any]) -> list[str]:
    """Return sentences that say what the proposal will change if it passes."""
    return PREVIEWS[kind](payload)


def diff_against_in_force(kind: str, payload: dict[str, Any]) -> list[dict[str, str]]:
    """Return, for amendments, each changed item's current and proposed value."""
    if kind == ProposalKind.BYLAW_AMENDMENT:
        current = bylaws_in_force()
        return [
            {"field": name, "current": str(getattr(current, name)), "proposed": str(value)}
            for name, value in payload["changes"].items()
        ]
    if kind == ProposalKind.SERVER_RULE and payload["action"] != RuleAction.ADD:
        version = RuleVersion.objects.filter(rule_id=payload["rule_id"]).order_by("-version").first()
        current_text = version.text if version else ""
        proposed = "" if payload["action"] == RuleAction.RETIRE else payload["text"]
        return [{"field": f"rule {payload['rule_id']}", "current": current_text, "proposed": proposed}]
    return []

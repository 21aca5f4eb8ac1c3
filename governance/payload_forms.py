"""One plain form per proposal kind, registered beside its payload dataclass.

A member never types JSON: each kind's form has the fields its payload
needs, checks their types, and returns from `payload()` the JSON that
`governance.payloads.check_payload` then holds to the same rules as the
API. A new kind needs its dataclass and parser in `payloads.py` and a form
here registered with `@payload_form(kind)`.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models import BlocklistMandate, ProposalKind
from governance.payloads import (
    MANDATE_ROLES,
    MAX_REVIEW_MONTHS,
    SHARE_CLASS_TERMS,
    DomainAction,
    EmergencyAction,
    EmojiAction,
    MembershipAction,
    PatronageMeasure,
    RoleAction,
    RuleAction,
    awaiting_ratification,
)
from governance.rules import percent
from governance.selectors import current_instance_settings, rules_in_force
from members.actions.bylaws import FRACTION_SETTINGS
from members.forms import DuesTierFields, ShareClassFields, currency_field
from members.models import BylawsVersion, ShareClass, User
from members.models.bylaws import BYLAWS_SETTINGS
from members.models.membership import Role
from members.selectors import bylaws_in_force
from timeline.imaging import EMOJI_SIZE_LIMIT

HUNDRED = Decimal(100)


class PayloadForm(forms.Form):
    """A kind's fields; `payload()` returns, once the form is valid, the JSON its payload dataclass parses."""

    def payload(self) -> dict[str, Any]:
        """Return the payload as stored (the kind's parser checks it again)."""
        return {}


F = TypeVar("F", bound=type[PayloadForm])
PAYLOAD_FORMS: dict[str, type[PayloadForm]] = {}


def payload_form(kind: ProposalKind) -> Callable[[F], F]:
    """Register a form as the way members write a kind's payload."""

    def register(form: F) -> F:
        PAYLOAD_FORMS[kind] = form
        return form

    return register


def _as_percent(fraction: Decimal) -> Decimal:
    """Return a fraction as the percentage a member types ("20", not "20.000" or "2E+1")."""
    return Decimal(f"{(fraction * HUNDRED).quantize(Decimal('0.1')).normalize():f}")


def _username_field() -> forms.CharField:
    return forms.CharField(label=_("Username"), max_length=150)


def _user_id(username: str) -> int:
    user = User.objects.filter(username__iexact=username.strip().lstrip("@")).first()
    if user is None:
        raise forms.ValidationError(_("No one here has that username."))
    return user.pk


@payload_form(ProposalKind.TEXT)
class TextForm(PayloadForm):
    """A text proposal changes nothing by itself, so it has no fields."""


@payload_form(ProposalKind.DOMAIN_POLICY)
class DomainPolicyForm(PayloadForm):
    """Set or lift the policy on a domain."""

    action = forms.ChoiceField(label=_("Action"), choices=DomainAction.choices)
    domain = forms.CharField(label=_("Domain"), max_length=253, help_text=_("For example example.social"))
    public_comment = forms.CharField(
        label=_("Public reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"action": data["action"], "domain": data["domain"], "public_comment": data["public_comment"]}


@payload_form(ProposalKind.SERVER_RULE)
class ServerRuleForm(PayloadForm):
    """Add a rule, or amend or retire one in force."""

    action = forms.ChoiceField(label=_("Action"), choices=RuleAction.choices)
    rule = forms.TypedChoiceField(
        label=_("Rule (to amend or retire)"), coerce=int, required=False, empty_value=None, choices=[]
    )
    text = forms.CharField(label=_("Wording"), required=False, max_length=300)
    hint = forms.CharField(label=_("Explanation"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = [(version.rule_id, f"{version.rule.position}. {version.text}") for version in rules_in_force()]
        self.fields["rule"].choices = [("", "—"), *rules]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action in (RuleAction.AMEND, RuleAction.RETIRE) and data.get("rule") is None:
            self.add_error("rule", _("Choose the rule to change."))
        if action in (RuleAction.ADD, RuleAction.AMEND) and not (data.get("text") or "").strip():
            self.add_error("text", _("Write the rule's wording."))
        return data

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["action"] == RuleAction.RETIRE:
            return {"action": data["action"], "rule_id": data["rule"]}
        if data["action"] == RuleAction.ADD:
            return {"action": data["action"], "text": data["text"], "hint": data["hint"]}
        return {"action": data["action"], "rule_id": data["rule"], "text": data["text"], "hint": data["hint"]}


@payload_form(ProposalKind.CONTENT_POLICY)
class ContentPolicyForm(PayloadForm):
    """Adopt a content policy."""

    policy_title = forms.CharField(label=_("Policy title"), max_length=200)
    policy_text = forms.CharField(label=_("Policy text"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))

    def payload(self) -> dict[str, Any]:
        return {"title": self.cleaned_data["policy_title"], "text": self.cleaned_data["policy_text"]}


def _setting_label(name: str) -> str:
    label = name.replace("_", " ").capitalize()
    return f"{label} (%)" if name in FRACTION_SETTINGS else label


@payload_form(ProposalKind.BYLAW_AMENDMENT)
class BylawAmendmentForm(PayloadForm):
    """Every bylaws setting, filled in with the value in force; the ones changed make the amendment.

    Fractions (quorum, thresholds, rates) are written as percentages.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.in_force = bylaws_in_force()
        initial = {name: self._shown(name) for name in BYLAWS_SETTINGS}
        kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        for name in BYLAWS_SETTINGS:
            field = BylawsVersion._meta.get_field(name)
            label = _setting_label(name)
            help_text = _("In force: %s") % self._shown(name)
            if name in FRACTION_SETTINGS:
                self.fields[name] = forms.DecimalField(
                    label=label, min_value=0, max_value=100, decimal_places=1, help_text=help_text
                )
            elif isinstance(field, models.BooleanField):
                self.fields[name] = forms.TypedChoiceField(
                    label=label,
                    choices=[("yes", _("Yes")), ("no", _("No"))],
                    coerce=lambda value: value == "yes",
                    help_text=help_text,
                )
            elif isinstance(field, models.PositiveIntegerField):
                self.fields[name] = forms.IntegerField(label=label, min_value=0, help_text=help_text)
            else:
                self.fields[name] = forms.DecimalField(label=label, min_value=0, decimal_places=2, help_text=help_text)

    def _shown(self, name: str) -> Any:
        value = getattr(self.in_force, name)
        if isinstance(value, bool):
            return "yes" if value else "no"
        if name in FRACTION_SETTINGS:
            return _as_percent(value)
        return value

    def _stored(self, name: str, value: Any) -> Any:
        if name in FRACTION_SETTINGS:
            return str((Decimal(value) / HUNDRED).quantize(Decimal("0.001")))
        return str(value) if isinstance(value, Decimal) else value

    def changes(self) -> dict[str, Any]:
        """Return the settings whose value differs from the one in force."""
        current = {name: self._stored(name, self._shown(name)) for name in BYLAWS_SETTINGS}
        stored = {name: self._stored(name, self.cleaned_data[name]) for name in BYLAWS_SETTINGS}
        return {
            name: value
            for name, value in stored.items()
            if (Decimal(value) != Decimal(current[name]) if isinstance(value, str) else value != current[name])
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.changes():
            raise forms.ValidationError(_("Change at least one setting."))
        return data

    def payload(self) -> dict[str, Any]:
        return {"changes": self.changes()}


@payload_form(ProposalKind.MEMBERSHIP)
class MembershipForm(PayloadForm):
    """Admit an applicant or expel a member."""

    action = forms.ChoiceField(label=_("Action"), choices=MembershipAction.choices)
    username = _username_field()
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_username(self) -> int:
        return _user_id(self.cleaned_data["username"])

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"action": data["action"], "user_id": data["username"], "reason": data["reason"]}


@payload_form(ProposalKind.ROLE_GRANT)
class RoleGrantForm(PayloadForm):
    """Grant or revoke a role (membership itself follows from the share register)."""

    action = forms.ChoiceField(label=_("Action"), choices=RoleAction.choices)
    username = _username_field()
    role = forms.ChoiceField(label=_("Role"), choices=[choice for choice in Role.choices if choice[0] != Role.MEMBER])

    def clean_username(self) -> int:
        return _user_id(self.cleaned_data["username"])

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"action": data["action"], "user_id": data["username"], "role": data["role"]}


@payload_form(ProposalKind.BUDGET)
class BudgetForm(PayloadForm):
    """Authorise a payment."""

    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("0.01"), decimal_places=2)
    currency = currency_field()
    payee = forms.CharField(label=_("Paid to"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), required=False, max_length=2000)

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "amount": str(data["amount"]),
            "currency": data["currency"].upper(),
            "payee": data["payee"],
            "purpose": data["purpose"],
        }


@payload_form(ProposalKind.INSTANCE_SETTINGS)
class InstanceSettingsForm(PayloadForm):
    """Set the server's public name and contact address."""

    server_name = forms.CharField(label=_("Server name (empty: the configured name)"), required=False, max_length=100)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        current = current_instance_settings()
        kwargs["initial"] = {
            "server_name": current.title,
            "contact_email": current.contact_email,
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)

    def payload(self) -> dict[str, Any]:
        return {"title": self.cleaned_data["server_name"], "contact_email": self.cleaned_data["contact_email"]}


@payload_form(ProposalKind.EMERGENCY_REVIEW)
class EmergencyReviewForm(PayloadForm):
    """Ratify or lift a moderator's emergency action before it lapses."""

    action = forms.ChoiceField(label=_("Decision"), choices=EmergencyAction.choices)
    moderation_action = forms.TypedChoiceField(label=_("Emergency action"), coerce=int, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["moderation_action"].choices = [  # type: ignore[attr-defined]
            (
                action.pk,
                f"#{action.pk} {action.get_kind_display()} {action.target_domain or ''}".strip()
                + (f", lapses {action.expires_at:%Y-%m-%d}" if action.expires_at else ""),
            )
            for action in awaiting_ratification().order_by("pk")
        ]

    def payload(self) -> dict[str, Any]:
        return {"action": self.cleaned_data["action"], "moderation_action_id": self.cleaned_data["moderation_action"]}


@payload_form(ProposalKind.SHARE_CLASS)
class ShareClassForm(PayloadForm, ShareClassFields):
    """Create a class of shares, or change one; a class to change fills the fields with its terms."""

    share_class = forms.TypedChoiceField(
        label=_("Class"), coerce=int, required=False, empty_value=None, choices=[], help_text=_("Empty: a new class.")
    )
    field_order = ["share_class"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = dict(kwargs.get("initial") or {})
        chosen = str(initial.get("share_class", ""))
        existing = ShareClass.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if existing is not None:
            kwargs["initial"] = {field: getattr(existing, field) for field in SHARE_CLASS_TERMS} | initial
        super().__init__(*args, **kwargs)
        self.fields["share_class"].choices = [  # type: ignore[attr-defined]
            ("", _("A new class")),
            *((share_class.pk, str(share_class)) for share_class in ShareClass.objects.order_by("pk")),
        ]

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "share_class_id": data["share_class"],
            "name": data["name"],
            "nominal_value": str(data["nominal_value"]),
            "currency": data["currency"].upper(),
            "carries_vote": data["carries_vote"],
            "transferable": data["transferable"],
            "min_per_member": data["min_per_member"],
            "max_per_member": data["max_per_member"],
            "redeemable": data["redeemable"],
        }


@payload_form(ProposalKind.DUES_TIER)
class DuesTierForm(PayloadForm, DuesTierFields):
    """Add a step to the sliding scale of dues."""

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        top = data["sliding_scale_max"]
        return {
            "name": data["name"],
            "monthly_amount": str(data["monthly_amount"]),
            "currency": data["currency"].upper(),
            "description": data["description"],
            "period_months": data["period_months"],
            "sliding_scale_max": None if top is None else str(top),
            "hardship_waiver": data["hardship_waiver"],
        }


@payload_form(ProposalKind.PATRONAGE)
class PatronageForm(PayloadForm):
    """Allocate a period's surplus by a formula the bylaws allow: reserves first, then pools by measure."""

    period_label = forms.CharField(
        label=_("Name of the period"), max_length=100, help_text=_("Such as the financial year.")
    )
    period_start = forms.DateField(label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period to"), widget=forms.DateInput(attrs={"type": "date"}))
    surplus = forms.DecimalField(label=_("Surplus"), min_value=0, decimal_places=2)
    reserve_percent = forms.DecimalField(label=_("Kept in reserves (%)"), min_value=0, max_value=100, decimal_places=1)
    dues_paid_percent = forms.DecimalField(
        label=_("Of the rest, shared by dues paid (%)"), min_value=0, max_value=100, decimal_places=1, required=False
    )
    contribution_hours_percent = forms.DecimalField(
        label=_("Of the rest, shared by hours contributed (%)"),
        min_value=0,
        max_value=100,
        decimal_places=1,
        required=False,
    )
    posts_percent = forms.DecimalField(
        label=_("Of the rest, shared by posts written (%)"),
        min_value=0,
        max_value=100,
        decimal_places=1,
        required=False,
    )
    shares_percent = forms.DecimalField(
        label=_("Of the rest, shared by capital held (%)"),
        min_value=0,
        max_value=100,
        decimal_places=1,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        bylaws = bylaws_in_force()
        kwargs["initial"] = {"reserve_percent": _as_percent(bylaws.patronage_min_reserve_fraction)} | (
            kwargs.get("initial") or {}
        )
        super().__init__(*args, **kwargs)
        self.fields["reserve_percent"].help_text = _("The bylaws keep at least %s.") % percent(
            bylaws.patronage_min_reserve_fraction
        )
        self.fields["shares_percent"].help_text = (
            _("Interest on capital is capped at %s a year.") % percent(bylaws.capital_interest_max_rate)
            if bylaws.capital_interest_allowed
            else _("The bylaws allow no interest on capital: leave this empty.")
        )

    def pools(self) -> list[dict[str, str]]:
        """Return the pools given a share, in the order of the measures."""
        return [
            {"measure": measure.value, "fraction": str(self.cleaned_data[f"{measure.value}_percent"] / HUNDRED)}
            for measure in PatronageMeasure
            if self.cleaned_data.get(f"{measure.value}_percent")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.pools():
            raise forms.ValidationError(_("Share some of the rest by at least one measure."))
        return data

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "label": data["period_label"],
            "period_start": data["period_start"].isoformat(),
            "period_end": data["period_end"].isoformat(),
            "surplus": str(data["surplus"]),
            "reserve_fraction": str(data["reserve_percent"] / HUNDRED),
            "pools": self.pools(),
        }


@payload_form(ProposalKind.BLOCKLIST_MANDATE)
class BlocklistMandateForm(PayloadForm):
    """Mandate the moderators to apply blocks from published blocklists, up to a severity, until a review."""

    urls = forms.CharField(
        label=_("Blocklists to follow, by address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One https address a line, of a list in Mastodon's domain-block CSV format."),
    )
    csv = forms.CharField(
        label=_("Or a blocklist pasted here"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Mastodon's export (#domain,#severity,...) or one domain a line."),
    )
    coops = forms.CharField(
        label=_("Or co-ops whose assembly decisions to follow"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One address a line: another co-op running Mutuals, by its instance actor (https://their.server/actor). "
            "The domain policies its assembly decides are read from its public log, with the vote behind each."
        ),
    )
    max_severity = forms.ChoiceField(
        label=_("The most a block under it may do"), choices=BlocklistMandate.Severity.choices
    )
    review_months = forms.IntegerField(
        label=_("Review after (months)"), min_value=1, max_value=MAX_REVIEW_MONTHS, initial=12
    )
    role = forms.ChoiceField(
        label=_("Who applies it"), choices=[(role.value, role.label) for role in MANDATE_ROLES], initial=Role.MODERATOR
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any((data.get(name) or "").strip() for name in ("urls", "csv", "coops")):
            raise forms.ValidationError(_("Name at least one blocklist: an address, a list pasted, or a co-op."))
        return data

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        sources: list[dict[str, str]] = [{"url": line.strip()} for line in data["urls"].splitlines() if line.strip()]
        if data["csv"].strip():
            sources.append({"csv": data["csv"]})
        sources += [{"coop": line.strip()} for line in data["coops"].splitlines() if line.strip()]
        return {
            "sources": sources,
            "max_severity": data["max_severity"],
            "review_months": data["review_months"],
            "role": data["role"],
        }


@payload_form(ProposalKind.CUSTOM_EMOJI)
class CustomEmojiForm(PayloadForm):
    """Add a custom emoji from an image file, or remove one by its shortcode.

    The file is read once, when the proposal is previewed, and carried on
    in a hidden field, so that opening the previewed proposal needs no
    second upload.
    """

    action = forms.ChoiceField(label=_("Change"), choices=EmojiAction.choices)
    shortcode = forms.CharField(label=_("Shortcode (letters, digits and _)"), max_length=64)
    category = forms.CharField(label=_("Category (optional)"), required=False, max_length=64)
    image = forms.FileField(label=_("Image (PNG, GIF or WebP, at most 256 KB)"), required=False)
    image_data = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("image")
        if upload is not None:
            if upload.size > EMOJI_SIZE_LIMIT:
                raise forms.ValidationError(_("The emoji image must be less than 256 KB."))
            data["image_data"] = base64.b64encode(upload.read()).decode("ascii")
            # Shown again in the hidden field, so the previewed image is the one the proposal opens with.
            shown = dict(self.data.items())
            shown[self.add_prefix("image_data")] = data["image_data"]
            self.data = shown
        if data.get("action") == EmojiAction.ADD and not data.get("image_data"):
            raise forms.ValidationError(_("Adding an emoji needs its image."))
        return data

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["action"] == EmojiAction.REMOVE:
            return {"action": data["action"], "shortcode": data["shortcode"]}
        return {
            "action": data["action"],
            "shortcode": data["shortcode"],
            "category": data["category"],
            "image": data["image_data"],
        }

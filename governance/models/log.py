"""The transparency log: an append-only chain of what the co-op decided and enforced."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LogVisibility(models.TextChoices):
    """Who may read a log entry."""

    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members")
    MODERATORS = "moderators", _("Moderators")


class LogEntry(models.Model):
    """One entry of the log. Each entry's hash covers its content and the previous hash.

    Entries are never updated or deleted; `manage.py verify_log` recomputes
    the chain and names the first entry that does not match.
    """

    class Kind(models.TextChoices):
        PROPOSAL_OPENED = "proposal.opened", _("Proposal opened")
        PROPOSAL_CLOSED = "proposal.closed", _("Proposal closed")
        RULE_VERSION = "rule.version", _("Rule version adopted")
        BYLAWS_VERSION = "bylaws.version", _("Bylaws version adopted")
        CONTENT_POLICY = "content_policy.adopted", _("Content policy adopted")
        DOMAIN_POLICY = "domain_policy.set", _("Domain policy set")
        DOMAIN_POLICY_LIFTED = "domain_policy.lifted", _("Domain policy lifted")
        BLOCKLIST_MANDATE = "blocklist_mandate.adopted", _("Blocklist mandate adopted")
        MEMBERSHIP = "membership.decided", _("Membership decided")
        ROLE = "role.granted", _("Role granted")
        BUDGET = "budget.authorised", _("Budget authorised")
        INSTANCE_SETTINGS = "instance_settings.changed", _("Instance settings changed")
        SHARE_CLASS = "share_class.set", _("Share class created or changed")
        DUES_TIER = "dues_tier.created", _("Dues tier added")
        PATRONAGE = "patronage.allocated", _("Patronage allocated")
        MODERATION_ACTION = "moderation.action", _("Moderation action")
        EMERGENCY_RATIFIED = "moderation.ratified", _("Emergency action ratified")
        EMERGENCY_LAPSED = "moderation.lapsed", _("Emergency action lapsed")
        MODERATION_REVERSED = "moderation.reversed", _("Moderation action reversed")
        APPEAL_DECIDED = "appeal.decided", _("Appeal decided")
        CUSTOM_EMOJI = "custom_emoji.changed", _("Custom emoji added or removed")

    sequence = models.PositiveBigIntegerField(unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    visibility = models.CharField(max_length=12, choices=LogVisibility.choices)
    # Stored in full: the hash covers the whole summary, so a cut one could never be verified.
    summary = models.TextField()
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        verbose_name_plural = "log entries"

    def __str__(self) -> str:
        return f"{self.sequence} {self.kind}"


class LogHead(models.Model):
    """The single row that holds the chain's last sequence and hash.

    Appending locks this row, so concurrent appends take turns instead of
    forking the chain.
    """

    sequence = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"log head {self.sequence}"

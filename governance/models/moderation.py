"""Reports, moderation actions (emergency ones included) and appeals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    """A report about an account and some of its statuses, from a member or a remote server."""

    class Category(models.TextChoices):
        SPAM = "spam", _("Spam")
        LEGAL = "legal", _("Illegal content")
        VIOLATION = "violation", _("Breaks a server rule")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    reporter = models.ForeignKey(
        "federation.Actor", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports_filed"
    )
    target = models.ForeignKey("federation.Actor", on_delete=models.CASCADE, related_name="reports_received")
    statuses = models.ManyToManyField("timeline.Status", blank=True, related_name="+")
    # What the reported posts said and who wrote them, as filed: kept when a post is removed or deleted.
    reported_posts = models.JSONField(default=list, blank=True)
    rule_versions = models.ManyToManyField("governance.RuleVersion", blank=True, related_name="+")
    comment = models.TextField(blank=True, default="")
    category = models.CharField(max_length=12, choices=Category.choices, default=Category.OTHER)
    forwarded_from = models.CharField(max_length=255, blank=True, default="", help_text="Domain of a remote reporter.")
    forwarded = models.BooleanField(default=False, help_text="A Flag was sent to the reported account's server.")
    uri = models.URLField(max_length=500, blank=True, default="", help_text="The Flag activity's id, if remote.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["uri"], condition=~models.Q(uri=""), name="report_uri_once"),
            models.CheckConstraint(
                condition=models.Q(state="open", resolved_at__isnull=True)
                | models.Q(state="resolved", resolved_at__isnull=False),
                name="report_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} on {self.target_id}"


class ModerationAction(models.Model):
    """A moderation measure, with the authority that allows it.

    A moderator's action cites the rule versions it enforces; an assembly's
    enactment cites its proposal; a block from a blocklist cites the
    assembly's mandate for it (applied by a moderator or by the import). An emergency action expires at
    `expires_at` unless an assembly ratifies it first.
    """

    class Kind(models.TextChoices):
        WARN = "warn", _("Warning")
        MARK_SENSITIVE = "sensitive", _("Mark media sensitive")
        REMOVE_STATUS = "remove_status", _("Remove status")
        LIMIT_ACCOUNT = "limit", _("Limit account")
        SUSPEND_ACCOUNT = "suspend", _("Suspend account")
        DOMAIN = "domain", _("Domain policy")

    class State(models.TextChoices):
        ACTIVE = "active", _("In force")
        RATIFIED = "ratified", _("Ratified by the assembly")
        LAPSED = "lapsed", _("Lapsed without ratification")
        REVERSED = "reversed", _("Reversed")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposal = models.ForeignKey(
        "governance.Proposal", null=True, blank=True, on_delete=models.PROTECT, related_name="enacted_actions"
    )
    mandate = models.ForeignKey(
        "governance.BlocklistMandate", null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    rule_versions = models.ManyToManyField("governance.RuleVersion", blank=True, related_name="+")
    # Unbounded: an action may cite every rule of the charter.
    authority = models.TextField(help_text="The rule versions or decision cited.")
    target_account = models.ForeignKey(
        "federation.Actor", null=True, blank=True, on_delete=models.CASCADE, related_name="moderation_actions"
    )
    target_status_id = models.BigIntegerField(null=True, blank=True, help_text="Kept after the status is removed.")
    target_domain = models.CharField(max_length=255, blank=True, default="")
    details = models.JSONField(default=dict, blank=True, help_text="Domain policy fields, or other specifics.")
    text = models.TextField(blank=True, default="", help_text="Message to the affected member.")
    emergency = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When the affected member was told.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "expires_at"], name="moderation_expiry")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(authority=""), name="moderation_cites_authority"),
            models.CheckConstraint(
                condition=models.Q(moderator__isnull=False)
                | models.Q(proposal__isnull=False)
                | models.Q(mandate__isnull=False),
                name="moderation_has_author",
            ),
            models.CheckConstraint(
                condition=models.Q(emergency=False) | models.Q(expires_at__isnull=False),
                name="moderation_emergency_expires",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class Appeal(models.Model):
    """The affected member's appeal against a moderation action."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Action upheld")
        GRANTED = "granted", _("Action reversed")
        ESCALATED = "escalated", _("Put to the assembly")

    action = models.ForeignKey(ModerationAction, on_delete=models.CASCADE, related_name="appeals")
    appellant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(blank=True, default="")
    proposal = models.ForeignKey(
        "governance.Proposal", null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals"
    )
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action"], condition=models.Q(state__in=["pending", "escalated"]), name="appeal_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"Appeal {self.pk} against {self.action_id}"

"""Proposals put to the members, their frozen electorate, ballots and discussion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.tally.methods import DecisionMethod
from governance.tally.outcome import Outcome, ThresholdBasis


class ProposalKind(models.TextChoices):
    """What a proposal would change if it passes (its payload's type)."""

    DOMAIN_POLICY = "domain_policy", _("Domain policy")
    SERVER_RULE = "server_rule", _("Server rule")
    CONTENT_POLICY = "content_policy", _("Content policy")
    BYLAW_AMENDMENT = "bylaw_amendment", _("Bylaw amendment")
    MEMBERSHIP = "membership", _("Membership decision")
    ROLE_GRANT = "role_grant", _("Role grant")
    BUDGET = "budget", _("Budget")
    BLOCKLIST_MANDATE = "blocklist_mandate", _("Blocklist mandate")
    INSTANCE_SETTINGS = "instance_settings", _("Instance settings")
    EMERGENCY_REVIEW = "emergency_review", _("Ratify or lift an emergency action")
    SHARE_CLASS = "share_class", _("Share class")
    DUES_TIER = "dues_tier", _("Dues tier")
    PATRONAGE = "patronage", _("Patronage allocation")
    CUSTOM_EMOJI = "custom_emoji", _("Custom emoji")
    TEXT = "text", _("General motion")


class Proposal(models.Model):
    """A question put to the members.

    The thresholds of the bylaws in force when it opened are copied here, so
    that later amendments never change how an open proposal is decided. The
    outcome is computed at close, never entered by hand.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(max_length=20, choices=ProposalKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, default="")
    payload = models.JSONField(default=dict, blank=True)
    # For a method that picks among options: one payload per option, of the proposal's kind; the winner's is enacted.
    option_payloads = models.JSONField(default=list, blank=True)
    method = models.CharField(max_length=20, choices=DecisionMethod.choices)
    options = models.JSONField(default=list)
    secret = models.BooleanField(default=False, help_text="Store ballots without the voter.")
    hide_results = models.BooleanField(default=False, help_text="Show no count until the proposal closes.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals")
    ratifies = models.ManyToManyField("governance.ModerationAction", blank=True, related_name="ratifying_proposals")

    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    bylaws_version = models.PositiveIntegerField(help_text="Id of the bylaws version in force at opening.")
    min_open_days = models.PositiveIntegerField()
    quorum = models.DecimalField(max_digits=5, decimal_places=4)
    pass_threshold = models.DecimalField(max_digits=5, decimal_places=4)
    block_override = models.DecimalField(max_digits=5, decimal_places=4)
    threshold_basis = models.CharField(max_length=12, choices=ThresholdBasis.choices, default=ThresholdBasis.VOTES_CAST)
    electorate_size = models.PositiveIntegerField()
    electorate_hash = models.CharField(max_length=64)
    # The key that derives each voter's tracker, stored only sealed under a
    # secret held outside the database (governance.ballot_keys).
    tracker_key = models.CharField(max_length=200, help_text="Sealed key that derives each voter's receipt.")
    tracker_key_id = models.CharField(max_length=12, help_text="Id of the secret that sealed the tracker key.")

    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True, default="")
    outcome_reason = models.TextField(blank=True, default="")
    tally = models.JSONField(null=True, blank=True)
    ballots_digest = models.CharField(max_length=64, blank=True, default="")
    enactment = models.JSONField(default=dict, blank=True, help_text="What passing the proposal changed.")

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["state", "closes_at"], name="proposal_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="open", outcome="") | (models.Q(state="closed") & ~models.Q(outcome="")),
                name="proposal_outcome_only_when_closed",
            ),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opened_at")), name="proposal_closes_later"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def authority(self) -> str:
        """Return how enactments cite this proposal."""
        return f"Proposal #{self.pk}"


class Elector(models.Model):
    """A member of a proposal's electorate, frozen when the proposal opened."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="electors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="elector_once")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.proposal_id}"


class Participation(models.Model):
    """That a member voted on a proposal (kept apart from the ballot, which may be secret)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_voted_at = models.DateTimeField()
    last_voted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="participation_once")]

    def __str__(self) -> str:
        return f"{self.user_id} voted on {self.proposal_id}"


class Ballot(models.Model):
    """One member's current choice on a proposal, found again by its tracker.

    The tracker is derived from the proposal's sealed key and the voter, so
    the voter can replace a secret ballot that names nobody, and a copy of
    the database without the server's secret cannot tell whose it is.
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tracker = models.CharField(max_length=32)
    choice = models.JSONField()
    cast_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "tracker"], name="ballot_once_per_tracker"),
            models.UniqueConstraint(
                fields=["proposal", "voter"], condition=models.Q(voter__isnull=False), name="ballot_once_per_voter"
            ),
        ]

    def __str__(self) -> str:
        return f"Ballot {self.tracker} on {self.proposal_id}"


class ProposalComment(models.Model):
    """A reply in a proposal's discussion; local members only, never federated."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    in_reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.proposal_id}"

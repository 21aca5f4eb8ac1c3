"""Errors raised when a governance action refuses its input."""

from __future__ import annotations

from config.refusals import Refused


class GovernanceRefused(Refused):
    """The governance action cannot be done as asked; the message says why."""


class ProposalRefused(GovernanceRefused):
    """A proposal cannot be opened, discussed or closed as asked."""


class BallotRefused(GovernanceRefused):
    """A ballot cannot be cast: the voter, the proposal or the choice is not valid."""


class ModerationRefused(GovernanceRefused):
    """A report, moderation action or appeal cannot be made as asked."""


class RuleNotInForce(GovernanceRefused):
    """A cited rule id is not a rule in force."""

"""Governance's models, one module per subject."""

from governance.models.announcement import Announcement, AnnouncementDismissal, AnnouncementReaction
from governance.models.blocklist import BlocklistMandate
from governance.models.charter import CharterVersion
from governance.models.instance_settings import InstanceSettings
from governance.models.log import LogEntry, LogHead, LogVisibility
from governance.models.moderation import Appeal, ModerationAction, Report
from governance.models.proposal import Ballot, Elector, Participation, Proposal, ProposalComment, ProposalKind
from governance.models.proposal_poll import ProposalPoll
from governance.models.rule import Rule, RuleVersion

__all__ = [
    "Announcement",
    "AnnouncementDismissal",
    "AnnouncementReaction",
    "Appeal",
    "Ballot",
    "BlocklistMandate",
    "CharterVersion",
    "Elector",
    "InstanceSettings",
    "LogEntry",
    "LogHead",
    "LogVisibility",
    "ModerationAction",
    "Participation",
    "Proposal",
    "ProposalComment",
    "ProposalKind",
    "ProposalPoll",
    "Report",
    "Rule",
    "RuleVersion",
]

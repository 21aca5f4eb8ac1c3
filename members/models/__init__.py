"""Members' models, one module per subject."""

from members.models.bylaws import BylawsVersion
from members.models.dues import DuesPayment, DuesTier
from members.models.membership import Invitation, Membership, MembershipEvent, MembershipStatus, Role, RoleHolding
from members.models.patronage import PatronageAllocation, PatronageStatement
from members.models.register import RegisterEntry
from members.models.share_class import ShareClass
from members.models.user import User
from members.models.working_group import ContributionRecord, WorkingGroup, WorkingGroupSeat

__all__ = [
    "BylawsVersion",
    "ContributionRecord",
    "DuesPayment",
    "DuesTier",
    "Invitation",
    "Membership",
    "MembershipEvent",
    "MembershipStatus",
    "PatronageAllocation",
    "PatronageStatement",
    "RegisterEntry",
    "Role",
    "RoleHolding",
    "ShareClass",
    "User",
    "WorkingGroup",
    "WorkingGroupSeat",
]

"""Members' models, one module per subject."""

from members.models.app_registration import AppRegistration
from members.models.bylaws import BylawsVersion
from members.models.data_rights import DataExport, DataImport, DataImportLine
from members.models.deletion import AccountDeletion
from members.models.dues import DuesPayment, DuesTier, DuesTierChoice
from members.models.membership import Invitation, Membership, MembershipEvent, MembershipStatus, Role, RoleHolding
from members.models.patronage import PatronageAllocation, PatronageStatement
from members.models.payment_instructions import PaymentInstructions
from members.models.register import RegisterEntry
from members.models.security import TwoFactorDevice, WebSession
from members.models.share_class import ShareClass
from members.models.user import User
from members.models.working_group import ContributionRecord, WorkingGroup, WorkingGroupSeat

__all__ = [
    "AccountDeletion",
    "AppRegistration",
    "BylawsVersion",
    "ContributionRecord",
    "DataExport",
    "DataImport",
    "DataImportLine",
    "DuesPayment",
    "DuesTier",
    "DuesTierChoice",
    "Invitation",
    "Membership",
    "MembershipEvent",
    "MembershipStatus",
    "PatronageAllocation",
    "PatronageStatement",
    "PaymentInstructions",
    "RegisterEntry",
    "Role",
    "RoleHolding",
    "ShareClass",
    "TwoFactorDevice",
    "User",
    "WebSession",
    "WorkingGroup",
    "WorkingGroupSeat",
]

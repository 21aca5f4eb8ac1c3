"""What the server holds about one member: every category, its count, how long it is kept and why.

Apps above members (governance: ballots, reports, moderation, appeals)
register the categories they hold when they load, so this module imports
none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Q
from oauth2_provider.models import AccessToken

from federation.models import Actor, Delivery
from members.models import DataExport, DataImport, DuesPayment, DuesTierChoice, MembershipEvent, RegisterEntry, User
from members.selectors import bylaws_in_force
from timeline.models import (
    AccountDomainBlock,
    Block,
    Bookmark,
    Endorsement,
    Favourite,
    FeaturedTag,
    Filter,
    Follow,
    List,
    ListAccount,
    MediaAttachment,
    Mute,
    Notification,
    PollVote,
    PushSubscription,
    Status,
    SuggestionDismissal,
    TagFollow,
)

UNTIL_DELETION = "Until you delete it or your account."


@dataclass(frozen=True)
class DataCategory:
    """One kind of data held about a member."""

    key: str
    name: str
    count: int
    retention: str
    kept_after_deletion: bool = False
    legal_basis: str = ""

    def as_json(self) -> dict[str, Any]:
        """Return the category as the co-op API shows it."""
        return asdict(self)


_account_categories: list[Callable[[Actor], list[DataCategory]]] = []
_member_categories: list[Callable[[User], list[DataCategory]]] = []


def register_account_categories(provider: Callable[[Actor], list[DataCategory]]) -> None:
    """Add a function listing categories held about a member's account; they follow the account's own."""
    if provider not in _account_categories:
        _account_categories.append(provider)


def register_member_categories(provider: Callable[[User], list[DataCategory]]) -> None:
    """Add a function listing categories held about a member; they follow the membership's records."""
    if provider not in _member_categories:
        _member_categories.append(provider)


def _days(days: int) -> str:
    years, rest = divmod(days, 365)
    if rest == 0 and years:
        return f"{years} year{'s' if years > 1 else ''}"
    return f"{days} days"


def data_held_about(user: User) -> list[DataCategory]:
    """Return every category of data held about a member, with counts, retention and legal basis."""
    actor = Actor.objects.filter(user=user).first()
    bylaws = bylaws_in_force()
    social: list[DataCategory] = []
    if actor is not None:
        own_statuses = Status.objects.filter(account=actor)
        social = [
            DataCategory("profile", "Profile (name, bio, fields, avatar, header)", 1, UNTIL_DELETION),
            DataCategory("statuses", "Posts and boosts", own_statuses.count(), UNTIL_DELETION),
            DataCategory(
                "media", "Uploaded media", MediaAttachment.objects.filter(account=actor).count(), UNTIL_DELETION
            ),
            DataCategory("polls", "Poll votes", PollVote.objects.filter(account=actor).count(), UNTIL_DELETION),
            DataCategory(
                "following", "Accounts you follow", Follow.objects.filter(follower=actor).count(), UNTIL_DELETION
            ),
            DataCategory(
                "followers", "Accounts following you", Follow.objects.filter(target=actor).count(), UNTIL_DELETION
            ),
            DataCategory("blocks", "Blocked accounts", Block.objects.filter(account=actor).count(), UNTIL_DELETION),
            DataCategory(
                "domain_blocks",
                "Blocked domains",
                AccountDomainBlock.objects.filter(account=actor).count(),
                UNTIL_DELETION,
            ),
            DataCategory("mutes", "Muted accounts", Mute.objects.filter(account=actor).count(), UNTIL_DELETION),
            DataCategory(
                "lists",
                "Lists and their accounts",
                List.objects.filter(account=actor).count() + ListAccount.objects.filter(list__account=actor).count(),
                UNTIL_DELETION,
            ),
            DataCategory("filters", "Filters", Filter.objects.filter(account=actor).count(), UNTIL_DELETION),
            DataCategory("bookmarks", "Bookmarks", Bookmark.objects.filter(account=actor).count(), UNTIL_DELETION),
            DataCategory(
                "followed_tags", "Hashtags you follow", TagFollow.objects.filter(account=actor).count(), UNTIL_DELETION
            ),
            DataCategory(
                "featured_tags",
                "Hashtags featured on your profile",
                FeaturedTag.objects.filter(account=actor).count(),
                UNTIL_DELETION,
            ),
            DataCategory(
                "endorsements",
                "Accounts featured on your profile",
                Endorsement.objects.filter(account=actor).count(),
                UNTIL_DELETION,
            ),
            DataCategory(
                "dismissed_suggestions",
                "Follow suggestions you dismissed",
                SuggestionDismissal.objects.filter(account=actor).count(),
                UNTIL_DELETION,
            ),
            DataCategory("favourites", "Favourites", Favourite.objects.filter(account=actor).count(), UNTIL_DELETION),
            DataCategory(
                "notifications", "Notifications", Notification.objects.filter(recipient=actor).count(), UNTIL_DELETION
            ),
            DataCategory(
                "push_subscriptions",
                "Push subscriptions of your apps",
                PushSubscription.objects.filter(account=actor).count(),
                "Until the app unsubscribes or you revoke it.",
            ),
            DataCategory(
                "deliveries",
                "Delivery log of your posts and activities to other servers",
                Delivery.objects.filter(activity__actor=actor).count(),
                "Until the delivery is finished and your account is deleted; kept during deletion to "
                "prove which servers were told.",
            ),
        ]
        social += [category for provider in _account_categories for category in provider(actor)]
    tokens = AccessToken.objects.filter(user=user)
    return [
        *social,
        DataCategory("login", "Login (username, email, password hash, last sign-in)", 1, UNTIL_DELETION),
        DataCategory(
            "apps", "Authorised apps and sessions", tokens.values("application").distinct().count(), UNTIL_DELETION
        ),
        DataCategory(
            "membership",
            "Membership history and roles",
            MembershipEvent.objects.filter(user=user).count(),
            _days(bylaws.retention_register_days),
            kept_after_deletion=True,
            legal_basis="Co-operative law requires a register of members; kept pseudonymised.",
        ),
        DataCategory(
            "register",
            "Share register entries naming you",
            RegisterEntry.objects.filter(Q(from_user=user) | Q(to_user=user)).count(),
            _days(bylaws.retention_register_days),
            kept_after_deletion=True,
            legal_basis="The register of shares is a legal record; its hash chain forbids erasure, so "
            "entries are kept with your name replaced by a pseudonym.",
        ),
        DataCategory(
            "dues",
            "Dues payments",
            DuesPayment.objects.filter(user=user).count(),
            _days(bylaws.retention_dues_days),
            kept_after_deletion=True,
            legal_basis="Accounting law requires payment records to be kept.",
        ),
        DataCategory(
            "dues_tiers",
            "Dues tiers you chose, with when",
            DuesTierChoice.objects.filter(user=user).count(),
            _days(bylaws.retention_dues_days),
            kept_after_deletion=True,
            legal_basis="Your good standing at each past vote rests on them (a hardship tier waives dues), "
            "so they are kept as long as the payments.",
        ),
        *(category for provider in _member_categories for category in provider(user)),
        DataCategory(
            "exports",
            "Archives of your data",
            DataExport.objects.filter(user=user).count(),
            "7 days after each is ready.",
        ),
        DataCategory("imports", "Imports you made", DataImport.objects.filter(user=user).count(), UNTIL_DELETION),
    ]

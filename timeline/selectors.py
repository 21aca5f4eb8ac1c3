"""List queries over statuses and timelines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TypeVar

from django.core.cache import cache
from django.db.models import Count, Exists, F, Max, Model, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from federation.access import visible_accounts
from federation.models import Actor
from federation.selectors import domain_policies_in_force
from timeline.access import can_view_status, hidden_account_ids_for
from timeline.models import (
    AccountDomainBlock,
    Block,
    Bookmark,
    Conversation,
    ConversationMute,
    CustomEmoji,
    Endorsement,
    Favourite,
    FeaturedTag,
    Follow,
    LinkTrend,
    List,
    ListAccount,
    MediaAttachment,
    Mute,
    Notification,
    Review,
    ScheduledStatus,
    Status,
    StatusTrend,
    SuggestionDismissal,
    Tag,
    TagFollow,
    TagTrend,
    TimelineEntry,
    Visibility,
)
from timeline.restrictions import restricted_account_ids, sees_restricted_accounts, unlisted_account_ids

ModelT = TypeVar("ModelT", bound=Model)


def statuses_for_profile(
    account: Actor, viewer: Actor | None, *, limit: int = 20, max_id: int | None = None
) -> list[Status]:
    """Return the newest statuses of an account that the viewer may see on its profile, older than `max_id` if given.

    Others see public and unlisted posts, this server's accounts also
    local-only posts, followers also followers-only posts; direct messages
    appear on their author's own profile only. A suspended account's profile
    shows nothing but to moderators.
    """
    queryset: QuerySet[Status] = Status.objects.filter(account=account).exclude(
        account_id__in=hidden_account_ids_for(viewer)
    )
    if viewer is None or viewer.pk != account.pk:
        shown = [Visibility.PUBLIC, Visibility.UNLISTED]
        if viewer is not None and viewer.is_local and viewer.user_id is not None:
            shown.append(Visibility.LOCAL)
        if (
            viewer is not None
            and Follow.objects.filter(follower=viewer, target=account, state=Follow.State.ACCEPTED).exists()
        ):
            shown.append(Visibility.PRIVATE)
        queryset = queryset.filter(visibility__in=shown)
    if max_id is not None:
        queryset = queryset.filter(pk__lt=max_id)
    return list(queryset.select_related("account").order_by("-id")[:limit])


def conversations_for(owner: Actor) -> QuerySet[Conversation]:
    """Return the owner's direct conversations with their participants and last status, to page by last status."""
    return (
        Conversation.objects.filter(owner=owner).select_related("last_status__account").prefetch_related("participants")
    )


def notifications_for(recipient: Actor) -> QuerySet[Notification]:
    """Return the recipient's notifications, less those of accounts muted with them and of domains hidden."""
    notifications = Notification.objects.filter(recipient=recipient).exclude(
        from_account_id__in=muted_account_ids(recipient, notifications=True)
    )
    domains = hidden_domains_for(recipient)
    if domains:
        notifications = notifications.exclude(domain_query(domains, "from_account__domain"))
    return notifications.select_related("from_account", "status__account")


def scheduled_statuses_for(owner: Actor) -> QuerySet[ScheduledStatus]:
    """Return the owner's statuses still waiting to be published."""
    return ScheduledStatus.objects.filter(account=owner, published_status__isnull=True)


def home_entries_for(owner: Actor) -> QuerySet[TimelineEntry]:
    """Return a local actor's home-timeline entries, less those of suspended accounts, before paging.

    The suspended accounts are read first, and are usually none: then a page
    comes from the (owner, status) index alone, without joining the
    statuses, which on a large table the planner may otherwise scan in id
    order until the page fills.
    """
    entries = TimelineEntry.objects.filter(owner=owner)
    # Whether the owner moderates (several reads) matters only when some account is suspended.
    hidden = [account_id for account_id in restricted_account_ids(limited=False) if account_id is not None]
    if hidden and not sees_restricted_accounts(owner):
        entries = entries.exclude(status__account_id__in=hidden)
    # Mutes, hidden domains and exclusive lists take their statuses out of the home timeline; they are
    # read first so that a member with none of them still pages from the index alone.
    muted = list(muted_account_ids(owner))
    if muted:
        entries = entries.exclude(status__account_id__in=muted).exclude(status__reblog_of__account_id__in=muted)
    domains = hidden_domains_for(owner)
    if domains:
        entries = entries.exclude(domain_query(domains, "status__account__domain")).exclude(
            domain_query(domains, "status__reblog_of__account__domain")
        )
    exclusive = list(exclusive_list_member_ids(owner))
    if exclusive:
        entries = entries.exclude(status__account_id__in=exclusive)
    return entries


def home_timeline_for(owner: Actor, *, limit: int = 20, max_id: int | None = None) -> list[Status]:
    """Return the newest statuses in a local actor's home timeline."""
    entries = home_entries_for(owner)
    if max_id is not None:
        entries = entries.filter(status_id__lt=max_id)
    ids = list(entries.order_by("-status_id").values_list("status_id", flat=True)[:limit])
    statuses = Status.objects.filter(id__in=ids).select_related("account").order_by("-id")
    return list(statuses)


MAX_ANCESTORS = 40
MAX_DESCENDANTS = 60


def thread_for(viewer: Actor | None, status: Status) -> tuple[list[Status], list[Status]]:
    """Return the ancestors (oldest first) and descendants (in id order) of a status that the viewer may see.

    The walk up stops at the first parent the viewer may not see, and the
    walk down does not descend below a reply the viewer may not see.
    """
    ancestors: list[Status] = []
    parent_id = status.in_reply_to_id
    while parent_id is not None and len(ancestors) < MAX_ANCESTORS:
        parent = Status.objects.filter(pk=parent_id).select_related("account").first()
        if parent is None or not can_view_status(viewer, parent):
            break
        ancestors.insert(0, parent)
        parent_id = parent.in_reply_to_id
    descendants: list[Status] = []
    frontier = [status.pk]
    while frontier and len(descendants) < MAX_DESCENDANTS:
        replies = list(
            Status.objects.filter(in_reply_to_id__in=frontier)
            .select_related("account")
            .order_by("id")[: MAX_DESCENDANTS - len(descendants)]
        )
        visible = [reply for reply in replies if can_view_status(viewer, reply)]
        descendants.extend(visible)
        frontier = [reply.pk for reply in visible]
    descendants.sort(key=lambda reply: reply.pk)
    return ancestors, descendants


def active_mutes(account: Actor) -> QuerySet[Mute]:
    """Return the account's mutes that have not expired."""
    return Mute.objects.filter(account=account).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))


def muted_account_ids(account: Actor, *, notifications: bool = False) -> QuerySet[Mute, int]:
    """Return, as a subquery, the accounts the account mutes (with `notifications`, those whose notifications too)."""
    mutes = active_mutes(account)
    if notifications:
        mutes = mutes.filter(hide_notifications=True)
    return mutes.values_list("target_id", flat=True)


def hidden_domains_for(account: Actor) -> list[str]:
    """Return the domains the account hid from itself."""
    return list(AccountDomainBlock.objects.filter(account=account).values_list("domain", flat=True))


def domain_query(domains: list[str], field: str) -> Q:
    """Return a condition matching accounts (through `field`, an Actor's domain) on the domains or their subdomains."""
    condition = Q(pk__in=[])
    for domain in domains:
        condition |= Q(**{field: domain}) | Q(**{f"{field}__endswith": f".{domain}"})
    return condition


def without_muted_statuses(statuses: QuerySet[ModelT], viewer: Actor | None, *, prefix: str = "") -> QuerySet[ModelT]:
    """Leave out statuses (and boosts of statuses) by accounts the viewer mutes or whose domain it hid.

    `prefix` names the path from the queried model to the status, such as
    `status__` for timeline entries.
    """
    if viewer is None:
        return statuses
    muted = muted_account_ids(viewer)
    statuses = statuses.exclude(**{f"{prefix}account_id__in": muted}).exclude(
        **{f"{prefix}reblog_of__account_id__in": muted}
    )
    domains = hidden_domains_for(viewer)
    if domains:
        statuses = statuses.exclude(domain_query(domains, f"{prefix}account__domain")).exclude(
            domain_query(domains, f"{prefix}reblog_of__account__domain")
        )
    return statuses


def exclusive_list_member_ids(owner: Actor) -> QuerySet[ListAccount, int]:
    """Return, as a subquery, the accounts on the owner's exclusive lists, whose statuses leave the home timeline."""
    return ListAccount.objects.filter(list__account=owner, list__exclusive=True).values_list("account_id", flat=True)


def list_timeline_entries(the_list: List) -> QuerySet[TimelineEntry]:
    """Return the owner's home entries by the list's members, following the list's replies policy.

    A list shows what its owner's home timeline received from its members,
    so visibility was settled at fan-out. Replies to oneself always show;
    replies to others show to a list member (`list`), to anyone the owner
    follows (`followed`), or never (`none`).
    """
    owner_id = the_list.account_id
    members = ListAccount.objects.filter(list=the_list).values_list("account_id", flat=True)
    entries = TimelineEntry.objects.filter(owner_id=owner_id, status__account_id__in=members)
    not_a_reply = Q(status__in_reply_to__isnull=True) | Q(status__in_reply_to__account_id=F("status__account_id"))
    if the_list.replies_policy == List.RepliesPolicy.LIST:
        entries = entries.filter(not_a_reply | Q(status__in_reply_to__account_id__in=members))
    elif the_list.replies_policy == List.RepliesPolicy.FOLLOWED:
        followed = Follow.objects.filter(follower_id=owner_id, state=Follow.State.ACCEPTED).values_list(
            "target_id", flat=True
        )
        entries = entries.filter(
            not_a_reply | Q(status__in_reply_to__account_id__in=followed) | Q(status__in_reply_to__account_id=owner_id)
        )
    else:
        entries = entries.filter(not_a_reply)
    return entries


def list_timeline_for(the_list: List, owner: Actor) -> QuerySet[TimelineEntry]:
    """Return the list's entries as its owner reads them, less the accounts hidden or muted for them, before paging.

    `owner` is the list's account, as `access_list_by_id` found it (passed in, so it is not loaded again).
    """
    entries = list_timeline_entries(the_list).exclude(status__account_id__in=hidden_account_ids_for(owner))
    return without_muted_statuses(entries, owner, prefix="status__")


def public_statuses_for(
    viewer: Actor | None, *, local: bool = False, remote: bool = False, only_media: bool = False
) -> QuerySet[Status]:
    """Return the public statuses the viewer's public timelines show, before paging."""
    statuses = Status.objects.filter(visibility=Visibility.PUBLIC, reblog_of__isnull=True)
    # Replies to others stay in their threads, as on Mastodon's public timelines.
    statuses = statuses.filter(Q(in_reply_to__isnull=True) | Q(in_reply_to__account_id=F("account_id")))
    if local:
        statuses = statuses.filter(local=True)
    elif remote:
        statuses = statuses.filter(local=False)
    if only_media:
        statuses = statuses.filter(Exists(MediaAttachment.objects.filter(status_id=OuterRef("pk"))))
    # Limited accounts stay visible to their followers but leave public timelines, as on Mastodon.
    statuses = statuses.exclude(account_id__in=restricted_account_ids())
    suspended = [policy.domain for policy in domain_policies_in_force() if policy.is_suspended]
    for domain in suspended:
        statuses = statuses.exclude(account__domain=domain).exclude(account__domain__endswith=f".{domain}")
    if viewer is not None:
        blocked = Block.objects.filter(account=viewer).values("target_id")
        blockers = Block.objects.filter(target=viewer).values("account_id")
        statuses = statuses.exclude(account_id__in=blocked).exclude(account_id__in=blockers)
    return statuses


INTERACTION_FLAGS = ("favourited", "reblogged", "bookmarked")


def interaction_flag_annotations(viewer: Actor) -> dict[str, Exists]:
    """Return, for each of INTERACTION_FLAGS, whether the viewer did it to the outer status (`OuterRef("pk")`).

    The client API's entities add these to the query that counts a page's
    favourites and reblogs; `interaction_flags_for` runs them on their own.
    """
    return {
        "favourited": Exists(Favourite.objects.filter(account=viewer, status_id=OuterRef("pk"))),
        "reblogged": Exists(Status.objects.filter(account=viewer, reblog_of_id=OuterRef("pk"))),
        "bookmarked": Exists(Bookmark.objects.filter(account=viewer, status_id=OuterRef("pk"))),
    }


@dataclass(frozen=True)
class InteractionFlags:
    """The ids of the statuses the viewer favourited, reblogged and bookmarked."""

    favourited: frozenset[int] = frozenset()
    reblogged: frozenset[int] = frozenset()
    bookmarked: frozenset[int] = frozenset()


def interaction_flags_for(viewer: Actor | None, status_ids: Collection[int]) -> InteractionFlags:
    """Return which of the statuses the viewer favourited, reblogged and bookmarked, in one query."""
    if viewer is None or not status_ids:
        return InteractionFlags()
    annotations = interaction_flag_annotations(viewer)
    rows = list(Status.objects.filter(pk__in=status_ids).annotate(**annotations).values("pk", *annotations))
    return InteractionFlags(
        favourited=frozenset(row["pk"] for row in rows if row["favourited"]),
        reblogged=frozenset(row["pk"] for row in rows if row["reblogged"]),
        bookmarked=frozenset(row["pk"] for row in rows if row["bookmarked"]),
    )


def muted_thread_status_ids(statuses: Sequence[Status], viewer: Actor) -> set[int]:
    """Return the ids of the statuses whose thread the viewer muted, one query per level of the threads."""
    roots = set(ConversationMute.objects.filter(account=viewer).values_list("root_id", flat=True))
    if not roots:
        return set()
    muted: set[int] = set()
    # Each status walks up its thread; `climbing` maps a status to the ancestor reached so far.
    climbing = {status.pk: status.in_reply_to_id for status in statuses}
    muted.update(pk for pk in climbing if pk in roots)
    for _ in range(40):
        pending = {pk: parent for pk, parent in climbing.items() if parent is not None and pk not in muted}
        if not pending:
            break
        muted.update(pk for pk, parent in pending.items() if parent in roots)
        parents = dict(Status.objects.filter(pk__in=set(pending.values())).values_list("pk", "in_reply_to_id"))
        climbing = {pk: parents.get(parent) for pk, parent in pending.items() if pk not in muted}
    return muted


def listed_custom_emojis() -> QuerySet[CustomEmoji]:
    """Return the local emoji apps offer in their pickers: enabled, visible, with an image; by category and name."""
    return (
        CustomEmoji.objects.filter(domain__isnull=True, disabled=False, visible_in_picker=True)
        .exclude(image="")
        .order_by("category", "shortcode")
    )


def local_custom_emojis() -> QuerySet[CustomEmoji]:
    """Return every local emoji, for the administrators' page."""
    return CustomEmoji.objects.filter(domain__isnull=True).order_by("category", "shortcode")


# Discovery: hashtags followed and featured, endorsements, the directory, suggestions and trends.

HISTORY_DAYS = 7
TAG_USE_VISIBILITIES = (Visibility.PUBLIC, Visibility.UNLISTED)


@dataclass(frozen=True)
class TagDay:
    """A hashtag's use on one day (UTC): statuses carrying it and distinct accounts posting them."""

    day: date
    uses: int
    accounts: int


def tag_history(tag_ids: Collection[int], *, days: int = HISTORY_DAYS) -> dict[int, list[TagDay]]:
    """Return, for each hashtag, its use on each of the last `days` days (UTC), today first.

    Public and unlisted statuses count, boosts do not, as in Mastodon's
    history; one query for every hashtag.
    """
    today = timezone.now().astimezone(UTC).date()
    since = datetime.combine(today - timedelta(days=days - 1), time.min, tzinfo=UTC)
    rows = Status.tags.through.objects.filter(
        tag_id__in=tag_ids,
        status__created_at__gte=since,
        status__visibility__in=TAG_USE_VISIBILITIES,
        status__reblog_of__isnull=True,
    ).values_list("tag_id", "status__created_at", "status__account_id")
    uses: defaultdict[tuple[int, date], int] = defaultdict(int)
    accounts: defaultdict[tuple[int, date], set[int]] = defaultdict(set)
    for tag_id, created_at, account_id in rows:
        key = (tag_id, created_at.astimezone(UTC).date())
        uses[key] += 1
        accounts[key].add(account_id)
    history: dict[int, list[TagDay]] = {}
    for tag_id in tag_ids:
        history[tag_id] = [
            TagDay(day=day, uses=uses[(tag_id, day)], accounts=len(accounts[(tag_id, day)]))
            for day in (today - timedelta(days=offset) for offset in range(days))
        ]
    return history


def link_history(card_ids: Collection[int], *, days: int = HISTORY_DAYS) -> dict[int, list[TagDay]]:
    """Return, for each link (preview card), its sharing on each of the last `days` days (UTC), today first.

    Public, original statuses carrying the card count, as Mastodon counts a
    trending link's history; one query for every link.
    """
    today = timezone.now().astimezone(UTC).date()
    since = datetime.combine(today - timedelta(days=days - 1), time.min, tzinfo=UTC)
    rows = Status.objects.filter(
        preview_card_id__in=card_ids,
        created_at__gte=since,
        visibility=Visibility.PUBLIC,
        reblog_of__isnull=True,
    ).values_list("preview_card_id", "created_at", "account_id")
    uses: defaultdict[tuple[int, date], int] = defaultdict(int)
    accounts: defaultdict[tuple[int, date], set[int]] = defaultdict(set)
    for card_id, created_at, account_id in rows:
        key = (card_id, created_at.astimezone(UTC).date())
        uses[key] += 1
        accounts[key].add(account_id)
    return {
        card_id: [
            TagDay(day=day, uses=uses[(card_id, day)], accounts=len(accounts[(card_id, day)]))
            for day in (today - timedelta(days=offset) for offset in range(days))
        ]
        for card_id in card_ids
    }


def followed_tags_of(account: Actor) -> QuerySet[TagFollow]:
    """Return the hashtags an account follows, as follows (paged by follow), before paging."""
    return TagFollow.objects.filter(account=account).select_related("tag")


def followers_of(account: Actor, viewer: Actor | None) -> QuerySet[Follow]:
    """Return the accepted follows of an account as the viewer may list them, before paging by follow."""
    follows = Follow.objects.filter(target=account, state=Follow.State.ACCEPTED).filter(
        Q(follower__domain="", follower__user__is_active=True) | ~Q(follower__domain="")
    )
    return _follows_seen_by(follows, account, viewer, side="follower")


def following_of(account: Actor, viewer: Actor | None) -> QuerySet[Follow]:
    """Return an account's accepted follows as the viewer may list them, before paging by follow."""
    follows = Follow.objects.filter(follower=account, state=Follow.State.ACCEPTED).filter(
        Q(target__domain="", target__user__is_active=True) | ~Q(target__domain="")
    )
    return _follows_seen_by(follows, account, viewer, side="target")


def _follows_seen_by(follows: QuerySet[Follow], account: Actor, viewer: Actor | None, *, side: str) -> QuerySet[Follow]:
    """Return the follows of an account's network a viewer may list, by Mastodon's rules.

    Nothing when the account blocks the viewer; otherwise all but the
    accounts the viewer blocks, is blocked by or mutes. An account's own
    lists are whole.
    """
    if viewer is None or viewer.pk == account.pk:
        return follows
    if Block.objects.filter(account=account, target=viewer).exists():
        return follows.none()
    return (
        follows.exclude(**{f"{side}_id__in": Block.objects.filter(account=viewer).values("target_id")})
        .exclude(**{f"{side}_id__in": Block.objects.filter(target=viewer).values("account_id")})
        .exclude(**{f"{side}_id__in": muted_account_ids(viewer)})
    )


def featured_tags_of(account: Actor) -> QuerySet[FeaturedTag]:
    """Return the hashtags an account features on its profile, oldest first."""
    return FeaturedTag.objects.filter(account=account).select_related("tag").order_by("id")


@dataclass(frozen=True)
class FeaturedTagFigures:
    """How many of an account's public statuses carry a featured hashtag, and when the last was posted."""

    statuses_count: int
    last_status_at: datetime | None


def featured_tag_figures(account: Actor, tag_ids: Collection[int]) -> dict[int, FeaturedTagFigures]:
    """Return, for each hashtag, the figures of the account's public and unlisted statuses carrying it."""
    rows = (
        Status.tags.through.objects.filter(
            tag_id__in=tag_ids,
            status__account=account,
            status__visibility__in=TAG_USE_VISIBILITIES,
            status__reblog_of__isnull=True,
        )
        .values("tag_id")
        .annotate(count=Count("status_id"), last=Max("status__created_at"))
    )
    found = {row["tag_id"]: FeaturedTagFigures(row["count"], row["last"]) for row in rows}
    return {tag_id: found.get(tag_id, FeaturedTagFigures(0, None)) for tag_id in tag_ids}


FEATURED_TAG_SUGGESTIONS = 10


def featured_tag_suggestions(account: Actor) -> list[Tag]:
    """Return the hashtags the account used most in its recent statuses and does not feature yet."""
    recent = Status.objects.filter(account=account, reblog_of__isnull=True).order_by("-id").values("pk")[:1000]
    featured = FeaturedTag.objects.filter(account=account).values("tag_id")
    return list(
        Tag.objects.filter(statuses__in=recent)
        .exclude(pk__in=featured)
        .annotate(used=Count("statuses"))
        .order_by("-used", "name")[:FEATURED_TAG_SUGGESTIONS]
    )


def _listed_accounts() -> QuerySet[Actor]:
    """Return the accounts discovery may show: visible, not erased, not restricted, not on suspended servers.

    Local accounts must also be members in good standing (`unlisted_account_ids`).
    """
    accounts = (
        visible_accounts()
        .filter(deleted_at__isnull=True)
        .exclude(pk__in=restricted_account_ids())
        .exclude(pk__in=unlisted_account_ids())
    )
    for policy in domain_policies_in_force():
        if policy.is_suspended:
            accounts = accounts.exclude(domain=policy.domain).exclude(domain__endswith=f".{policy.domain}")
    return accounts


def endorsements_of(account: Actor) -> QuerySet[Endorsement]:
    """Return the accounts an account endorses, as endorsements (paged by endorsement), before paging."""
    return Endorsement.objects.filter(account=account, target__in=_listed_accounts()).select_related("target")


def directory_accounts(*, order: str = "active", local: bool = False) -> QuerySet[Actor]:
    """Return the profile directory: accounts that chose to be discoverable, most recently active or newest first.

    Suspended and limited accounts and servers the co-op suspended are never
    listed; accounts that never posted come last in the `active` order.
    """
    accounts = _listed_accounts().filter(discoverable=True)
    if local:
        accounts = accounts.filter(domain="")
    if order == "new":
        return accounts.order_by("-created_at", "-pk")
    last_status = Status.objects.filter(account_id=OuterRef("pk")).order_by("-id").values("created_at")[:1]
    return accounts.annotate(last_status_at=Subquery(last_status)).order_by(
        F("last_status_at").desc(nulls_last=True), "-pk"
    )


class SuggestionSource(StrEnum):
    """Why an account is suggested, in the words of Mastodon's v2 suggestions."""

    FEATURED = "featured"
    FRIENDS_OF_FRIENDS = "friends_of_friends"
    MOST_FOLLOWED = "most_followed"


# Mastodon's v2 `source` (deprecated but still read by apps) for each source.
SUGGESTION_LEGACY_SOURCE = {
    SuggestionSource.FEATURED: "staff",
    SuggestionSource.FRIENDS_OF_FRIENDS: "past_interactions",
    SuggestionSource.MOST_FOLLOWED: "global",
}


@dataclass(frozen=True)
class Suggestion:
    """An account suggested to follow and the sources that suggest it."""

    account: Actor
    sources: tuple[SuggestionSource, ...]


def suggestion_candidates(viewer: Actor) -> QuerySet[Actor]:
    """Return the accounts that may be suggested to the viewer.

    Discoverable, unlocked accounts that are not the viewer, not followed or
    asked to follow, not blocked either way, not muted and not dismissed;
    never suspended or limited ones.
    """
    followed = Follow.objects.filter(follower=viewer).values("target_id")
    blocked = Block.objects.filter(account=viewer).values("target_id")
    blockers = Block.objects.filter(target=viewer).values("account_id")
    dismissed = SuggestionDismissal.objects.filter(account=viewer).values("target_id")
    return (
        _listed_accounts()
        .filter(discoverable=True, locked=False)
        .exclude(pk=viewer.pk)
        .exclude(pk__in=followed)
        .exclude(pk__in=blocked)
        .exclude(pk__in=blockers)
        .exclude(pk__in=muted_account_ids(viewer))
        .exclude(pk__in=dismissed)
    )


def follow_suggestions_for(viewer: Actor, *, limit: int = 40) -> list[Suggestion]:
    """Return accounts to suggest to the viewer, the best first.

    Sources: accounts the co-op's moderators endorse (`featured`), accounts
    followed by those the viewer follows (`friends_of_friends`, by how many
    of them), and the local members with most followers (`most_followed`).
    """
    candidates = suggestion_candidates(viewer)
    sources: dict[int, list[SuggestionSource]] = defaultdict(list)
    ranked: list[int] = []

    def add(ids: Sequence[int], source: SuggestionSource) -> None:
        for account_id in ids:
            if account_id not in sources:
                ranked.append(account_id)
            sources[account_id].append(source)

    staff = [actor_id for actor_id in _staff_endorsers() if actor_id != viewer.pk]
    add(
        list(
            candidates.filter(pk__in=Endorsement.objects.filter(account_id__in=staff).values("target_id"))
            .order_by("-pk")
            .values_list("pk", flat=True)[:limit]
        ),
        SuggestionSource.FEATURED,
    )
    friends = Follow.objects.filter(follower=viewer, state=Follow.State.ACCEPTED).values("target_id")
    add(
        list(
            candidates.annotate(
                friends=Count(
                    "follower_set",
                    filter=Q(follower_set__follower_id__in=friends, follower_set__state=Follow.State.ACCEPTED),
                )
            )
            .filter(friends__gt=0)
            .order_by("-friends", "-pk")
            .values_list("pk", flat=True)[:limit]
        ),
        SuggestionSource.FRIENDS_OF_FRIENDS,
    )
    add(
        list(
            candidates.filter(domain="")
            .annotate(
                followers=Count(
                    "follower_set",
                    filter=Q(follower_set__state=Follow.State.ACCEPTED, follower_set__follower__domain=""),
                )
            )
            .filter(followers__gt=0)
            .order_by("-followers", "-pk")
            .values_list("pk", flat=True)[:limit]
        ),
        SuggestionSource.MOST_FOLLOWED,
    )
    chosen = ranked[:limit]
    accounts = Actor.objects.in_bulk(chosen)
    return [Suggestion(accounts[pk], tuple(sources[pk])) for pk in chosen if pk in accounts]


STAFF_ENDORSERS_CACHE_KEY = "timeline:staff-endorsers"
STAFF_ENDORSERS_SECONDS = 300


def _staff_endorsers() -> list[int]:
    """Return the local accounts whose endorsements the co-op features: its moderators'.

    Who moderates is asked one account at a time (`timeline.restrictions`),
    so the answer is kept for a few minutes rather than asked again for
    every endorser on every request.
    """

    def moderators_endorsing() -> list[int]:
        endorsers = Actor.objects.filter(domain="", pk__in=Endorsement.objects.values("account_id")).distinct()
        return [actor.pk for actor in endorsers.select_related("user") if sees_restricted_accounts(actor)]

    found = cache.get_or_set(STAFF_ENDORSERS_CACHE_KEY, moderators_endorsing, STAFF_ENDORSERS_SECONDS)
    return list(found or [])


def trending_tags() -> QuerySet[TagTrend]:
    """Return the hashtags trending now, the highest score first: only those moderators allowed."""
    return TagTrend.objects.filter(review=Review.ALLOWED, score__gt=0).select_related("tag").order_by("-score", "-pk")


def trending_statuses(viewer: Actor | None) -> QuerySet[StatusTrend]:
    """Return the statuses trending now, the highest score first: only those moderators allowed.

    The viewer's blocks (either way), mutes and hidden domains are applied, as
    the public timelines apply them.
    """
    trends = StatusTrend.objects.filter(
        review=Review.ALLOWED,
        score__gt=0,
        status__visibility=Visibility.PUBLIC,
        status__account__in=_listed_accounts(),
    )
    if viewer is not None:
        blocked = Block.objects.filter(account=viewer).values("target_id")
        blockers = Block.objects.filter(target=viewer).values("account_id")
        trends = without_muted_statuses(
            trends.exclude(status__account_id__in=blocked).exclude(status__account_id__in=blockers),
            viewer,
            prefix="status__",
        )
    return trends.select_related("status__account").order_by("-score", "-pk")


def trending_links() -> QuerySet[LinkTrend]:
    """Return the links trending now, the highest score first: only those moderators allowed."""
    return LinkTrend.objects.filter(review=Review.ALLOWED, score__gt=0).select_related("card").order_by("-score", "-pk")


def pending_link_trends() -> QuerySet[LinkTrend]:
    """Return the links that would trend but wait for a moderator's review, highest first."""
    return LinkTrend.objects.filter(review=Review.PENDING, score__gt=0).select_related("card").order_by("-score", "-pk")


def pending_trends() -> tuple[QuerySet[TagTrend], QuerySet[StatusTrend]]:
    """Return the hashtags and statuses that would trend but wait for a moderator's review, highest first."""
    tags = TagTrend.objects.filter(review=Review.PENDING, score__gt=0).select_related("tag")
    statuses = StatusTrend.objects.filter(review=Review.PENDING, score__gt=0).select_related("status__account")
    return tags.order_by("-score", "-pk"), statuses.order_by("-score", "-pk")

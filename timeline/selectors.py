"""List queries over statuses and timelines."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from federation.models import Actor
from federation.selectors import domain_policies_in_force
from timeline.access import can_view_status, hidden_account_ids_for
from timeline.models import (
    AccountDomainBlock,
    Block,
    Bookmark,
    ConversationMute,
    CustomEmoji,
    Favourite,
    Follow,
    List,
    ListAccount,
    MediaAttachment,
    Mute,
    Status,
    TimelineEntry,
    Visibility,
)
from timeline.restrictions import restricted_account_ids

ModelT = TypeVar("ModelT", bound=Model)


def statuses_for_profile(account: Actor, viewer: Actor | None, *, limit: int = 20) -> list[Status]:
    """Return the newest statuses of an account that the viewer may see on its profile.

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
    return list(queryset.select_related("account").order_by("-id")[:limit])


def home_entries_for(owner: Actor) -> QuerySet[TimelineEntry]:
    """Return a local actor's home-timeline entries, less those of suspended accounts, before paging.

    The suspended accounts are read first, and are usually none: then a page
    comes from the (owner, status) index alone, without joining the
    statuses, which on a large table the planner may otherwise scan in id
    order until the page fills.
    """
    entries = TimelineEntry.objects.filter(owner=owner)
    hidden = [account_id for account_id in hidden_account_ids_for(owner) if account_id is not None]
    if hidden:
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

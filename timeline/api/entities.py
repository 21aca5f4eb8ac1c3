"""The client API's Status entity, built for a page of statuses in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from federation.models import Actor
from federation.uris import base_url
from governance.selectors import ProposalPollView, proposal_poll_views
from members.api.entities import account_entities, iso_with_millis
from timeline.models import Favourite, Mention, Poll, PollVote, Status, Visibility

# Key material is never part of an entity; leaving it out keeps each loaded author row small.
UNUSED_AUTHOR_FIELDS = ("account__private_key_pem", "account__public_key_pem")


def with_authors(statuses: QuerySet[Status]) -> QuerySet[Status]:
    """Return the statuses with their authors loaded in the same query, as the entities need them."""
    return statuses.select_related("account").defer(*UNUSED_AUTHOR_FIELDS)


def _media_type(mime: str) -> str:
    if mime == "image/gif":
        return "gifv"
    family = mime.split("/", 1)[0]
    return family if family in ("image", "video", "audio") else "unknown"


def media_attachment_entities(status: Status) -> list[dict[str, Any]]:
    """Return the MediaAttachment entities of a status's attachments."""
    attachments = status.attachments if isinstance(status.attachments, list) else []
    entities = []
    for index, item in enumerate(attachments):
        if not isinstance(item, dict) or not item.get("url"):
            continue
        url = str(item["url"])
        width, height = item.get("width"), item.get("height")
        meta: dict[str, Any] = {}
        if isinstance(width, int) and isinstance(height, int) and height:
            size = {"width": width, "height": height, "size": f"{width}x{height}", "aspect": width / height}
            meta = {"original": size, "small": size}
        entities.append(
            {
                "id": str(item.get("id") or f"{status.pk}{index:02d}"),
                "type": _media_type(str(item.get("media_type") or item.get("mediaType") or "")),
                "url": url,
                "preview_url": str(item.get("preview_url") or url),
                "remote_url": None if status.local else url,
                "preview_remote_url": None,
                "text_url": None,
                "meta": meta,
                "description": item.get("description") or None,
                "blurhash": item.get("blurhash") or None,
            }
        )
    return entities


def poll_entity(poll: Poll, own_votes: list[int] | None, proposal: ProposalPollView | None = None) -> dict[str, Any]:
    """Return the Poll entity; `own_votes` is None for anonymous viewers.

    A proposal's poll shows the proposal's ballots instead of the poll's own
    counts, and no per-option count while the proposal hides its results,
    as Mastodon shows a poll whose totals are hidden.
    """
    titles = [str(option.get("title", "")) if isinstance(option, dict) else str(option) for option in poll.options]
    counts = [int(count) for count in poll.votes] if isinstance(poll.votes, list) else []
    counts += [0] * (len(titles) - len(counts))
    option_counts: list[int | None] = list(counts[: len(titles)])
    votes_count = sum(counts[: len(titles)])
    voters_count = poll.voters_count if poll.multiple else None
    if proposal is not None:
        own_votes = proposal.own_choices
        voters_count = proposal.voters if poll.multiple else None
        if proposal.counts is None:
            option_counts = [None] * len(titles)
            votes_count = proposal.voters
        else:
            option_counts = list(proposal.counts[: len(titles)])
            votes_count = sum(proposal.counts[: len(titles)])
    expired = poll.expires_at is not None and poll.expires_at <= timezone.now()
    return {
        "id": str(poll.pk),
        "expires_at": iso_with_millis(poll.expires_at) if poll.expires_at else None,
        "expired": expired,
        "multiple": poll.multiple,
        "votes_count": votes_count,
        "voters_count": voters_count,
        "options": [{"title": title, "votes_count": option_counts[i]} for i, title in enumerate(titles)],
        "emojis": [],
        "voted": bool(own_votes) if own_votes is not None else False,
        "own_votes": own_votes or [],
    }


def _counts(statuses: Sequence[Status], viewer: Actor | None) -> dict[str, Any]:
    ids = [status.pk for status in statuses]
    favourites = dict(Favourite.objects.filter(status_id__in=ids).values_list("status_id").annotate(n=Count("id")))
    reblogs = dict(Status.objects.filter(reblog_of_id__in=ids).values_list("reblog_of_id").annotate(n=Count("id")))
    replies = dict(Status.objects.filter(in_reply_to_id__in=ids).values_list("in_reply_to_id").annotate(n=Count("id")))
    mentions: dict[int, list[Actor]] = defaultdict(list)
    for mention in Mention.objects.filter(status_id__in=ids).select_related("account"):
        mentions[mention.status_id].append(mention.account)
    tags: dict[int, list[str]] = defaultdict(list)
    for status_id, name in Status.tags.through.objects.filter(status_id__in=ids).values_list("status_id", "tag__name"):
        tags[status_id].append(name)
    polls = {poll.status_id: poll for poll in Poll.objects.filter(status_id__in=ids)}
    proposal_polls = proposal_poll_views([poll.pk for poll in polls.values()], viewer.user if viewer else None)
    parents = {status.in_reply_to_id for status in statuses if status.in_reply_to_id is not None}
    reply_accounts = dict(Status.objects.filter(pk__in=parents).values_list("pk", "account_id"))
    favourited: set[int] = set()
    reblogged: set[int] = set()
    own_votes: dict[int, list[int]] = defaultdict(list)
    if viewer is not None:
        favourited = set(
            Favourite.objects.filter(account=viewer, status_id__in=ids).values_list("status_id", flat=True)
        )
        reblogged = set(
            Status.objects.filter(account=viewer, reblog_of_id__in=ids).values_list("reblog_of_id", flat=True)
        )
        for poll_id, choice in PollVote.objects.filter(account=viewer, poll__in=polls.values()).values_list(
            "poll_id", "choice"
        ):
            own_votes[poll_id].append(choice)
    return {
        "favourites": favourites,
        "reblogs": reblogs,
        "replies": replies,
        "mentions": mentions,
        "tags": tags,
        "polls": polls,
        "favourited": favourited,
        "reblogged": reblogged,
        "own_votes": own_votes,
        "proposal_polls": proposal_polls,
        "reply_accounts": reply_accounts,
    }


def status_entities(statuses: Sequence[Status], viewer: Actor | None) -> list[dict[str, Any]]:
    """Return the Status entity of each status as the viewer sees it, reblogs with their original inside.

    The number of queries does not grow with the number of statuses.
    """
    originals = {status.reblog_of_id for status in statuses if status.reblog_of_id is not None}
    loaded = {status.pk: status for status in with_authors(Status.objects.filter(pk__in=originals))}
    everything = [*statuses, *loaded.values()]
    authors = {status.account_id: status.account for status in everything}
    accounts = dict(zip(authors, account_entities(list(authors.values())), strict=True))
    counts = _counts(everything, viewer)

    def entity(status: Status) -> dict[str, Any]:
        original = loaded.get(status.reblog_of_id) if status.reblog_of_id is not None else None
        poll = counts["polls"].get(status.pk)
        reply_account = counts["reply_accounts"].get(status.in_reply_to_id)
        return {
            "id": str(status.pk),
            "uri": status.uri,
            "url": status.url or status.uri,
            "created_at": iso_with_millis(status.created_at),
            "edited_at": iso_with_millis(status.edited_at) if status.edited_at else None,
            "account": accounts[status.account_id],
            "content": "" if original is not None else status.content,
            # Clients know only Mastodon's four visibilities; local-only posts show as unlisted, flagged.
            "visibility": Visibility.UNLISTED if status.visibility == Visibility.LOCAL else status.visibility,
            "local_only": status.visibility == Visibility.LOCAL,
            "sensitive": status.sensitive,
            "spoiler_text": status.spoiler_text,
            "language": status.language or None,
            "in_reply_to_id": str(status.in_reply_to_id) if status.in_reply_to_id else None,
            "in_reply_to_account_id": str(reply_account) if reply_account is not None else None,
            "reblog": entity(original) if original is not None else None,
            "media_attachments": media_attachment_entities(status),
            "mentions": [
                {"id": str(actor.pk), "username": actor.username, "acct": actor.acct, "url": actor.url or actor.uri}
                for actor in counts["mentions"].get(status.pk, [])
            ],
            "tags": [{"name": name, "url": f"{base_url()}/tags/{name}"} for name in counts["tags"].get(status.pk, [])],
            "emojis": [],
            "card": None,
            "poll": poll_entity(
                poll, counts["own_votes"].get(poll.pk, []) if viewer else None, counts["proposal_polls"].get(poll.pk)
            )
            if poll
            else None,
            "application": None,
            "replies_count": counts["replies"].get(status.pk, 0),
            "reblogs_count": counts["reblogs"].get(status.pk, 0),
            "favourites_count": counts["favourites"].get(status.pk, 0),
            "favourited": status.pk in counts["favourited"],
            "reblogged": status.pk in counts["reblogged"],
            # Bookmarks and conversation mutes have no model on this server yet: no status is in those states.
            "bookmarked": False,
            "muted": False,
            "pinned": status.pinned_at is not None,
            "filtered": [],
        }

    return [entity(status) for status in statuses]


def status_entity(status: Status, viewer: Actor | None) -> dict[str, Any]:
    """Return the Status entity of one status as the viewer sees it."""
    return status_entities([status], viewer)[0]

"""The client API's Status entity, built for a page of statuses in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from config.api.timestamps import iso_with_millis
from federation.models import Actor
from federation.uris import base_url
from timeline.entities.accounts import account_entities
from timeline.entities.emojis import emoji_entities, shortcodes_in
from timeline.entities.prepared import prepared_models, prepared_rows
from timeline.filtering import filter_results_for_statuses
from timeline.models import (
    Favourite,
    Filter,
    MediaAttachment,
    Mention,
    Poll,
    PollVote,
    PreviewCard,
    Status,
    Visibility,
)
from timeline.poll_claims import ClaimedPollView, claimed_poll_views
from timeline.selectors import INTERACTION_FLAGS, interaction_flag_annotations, muted_thread_status_ids

CLIENT_VISIBILITY: dict[str, str] = {Visibility.LOCAL: Visibility.UNLISTED, Visibility.LIMITED: Visibility.PRIVATE}

# Key material is never part of an entity; leaving it out keeps each loaded author row small.
UNUSED_AUTHOR_FIELDS = ("account__private_key_pem", "account__public_key_pem")


def with_authors(statuses: QuerySet[Status]) -> QuerySet[Status]:
    """Return the statuses with their authors loaded in the same query, as the entities need them."""
    return statuses.select_related("account").defer(*UNUSED_AUTHOR_FIELDS)


def _with_authors_query(ids: list[int]) -> QuerySet[Status]:
    return with_authors(Status.objects.filter(pk__in=ids))


def statuses_with_authors(ids: list[int]) -> list[Status]:
    """Return the statuses of these ids (those that exist, in no particular order) with their authors loaded."""
    unique = list(dict.fromkeys(ids))
    return prepared_models("statuses-with-authors", Status, _with_authors_query, unique) if unique else []


def _file_url(field: Any) -> str | None:
    return f"{base_url()}{field.url}" if field else None


def media_proxy_url(media: MediaAttachment, variant: str) -> str:
    """Return this server's URL that serves a remote attachment, fetching it first if it is not copied here."""
    return f"{base_url()}{reverse('timeline:media_proxy', kwargs={'media_id': media.pk, 'variant': variant})}"


def media_entity(media: MediaAttachment) -> dict[str, Any]:
    """Return the MediaAttachment entity; `url` is null while the file is still being processed.

    A remote file not copied here yet (or removed by `media_remove`) is
    served through the media proxy URL, as on Mastodon: its `url` never
    names the remote host, which only `remote_url` records.
    """
    meta = dict(media.meta) if isinstance(media.meta, dict) else {}
    if media.type in (MediaAttachment.Type.IMAGE, MediaAttachment.Type.GIFV):
        meta["focus"] = {"x": media.focus_x, "y": media.focus_y}
    if media.remote_url and not media.file:
        url: str | None = media_proxy_url(media, "original")
        preview: str | None = media_proxy_url(media, "small")
    elif media.state == MediaAttachment.State.READY:
        url = _file_url(media.file)
        preview = _file_url(media.thumbnail) or url
    else:
        url = None
        preview = None
    return {
        "id": str(media.pk),
        "type": media.type,
        "url": url,
        "preview_url": preview,
        "remote_url": media.remote_url or None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": meta,
        "description": media.description or None,
        "blurhash": media.blurhash or None,
    }


def card_entity(card: PreviewCard) -> dict[str, Any]:
    """Return the PreviewCard entity; its image is the copy stored here, never the page's own."""
    authors = [{"name": card.author_name, "url": card.author_url, "account": None}] if card.author_name else []
    return {
        "url": card.url,
        "title": card.title,
        "description": card.description,
        "language": card.language or None,
        "type": card.type,
        "author_name": card.author_name,
        "author_url": card.author_url,
        "provider_name": card.provider_name,
        "provider_url": card.provider_url,
        "html": card.html,
        "width": card.width,
        "height": card.height,
        "image": _file_url(card.image),
        "image_description": "",
        "embed_url": card.embed_url,
        "blurhash": card.blurhash or None,
        "published_at": iso_with_millis(card.published_at) if card.published_at else None,
        "authors": authors,
    }


def poll_titles(poll: Poll) -> list[str]:
    """Return the poll's option titles."""
    return [str(option.get("title", "")) if isinstance(option, dict) else str(option) for option in poll.options]


def poll_entity(
    poll: Poll,
    own_votes: list[int] | None,
    claimed: ClaimedPollView | None = None,
    *,
    emojis: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Return the Poll entity; `own_votes` is None for anonymous viewers.

    A claimed poll (a proposal's) shows its owner's counts instead of the
    poll's own, and no per-option count while the owner hides its results,
    as Mastodon shows a poll whose totals are hidden.
    """
    titles = poll_titles(poll)
    counts = [int(count) for count in poll.votes] if isinstance(poll.votes, list) else []
    counts += [0] * (len(titles) - len(counts))
    option_counts: list[int | None] = list(counts[: len(titles)])
    votes_count = sum(counts[: len(titles)])
    voters_count = poll.voters_count if poll.multiple else None
    if claimed is not None:
        own_votes = claimed.own_choices
        voters_count = claimed.voters if poll.multiple else None
        if claimed.counts is None:
            option_counts = [None] * len(titles)
            votes_count = claimed.voters
        else:
            option_counts = list(claimed.counts[: len(titles)])
            votes_count = sum(claimed.counts[: len(titles)])
    expired = poll.expires_at is not None and poll.expires_at <= timezone.now()
    return {
        "id": str(poll.pk),
        "expires_at": iso_with_millis(poll.expires_at) if poll.expires_at else None,
        "expired": expired,
        "multiple": poll.multiple,
        "votes_count": votes_count,
        "voters_count": voters_count,
        "options": [{"title": title, "votes_count": option_counts[i]} for i, title in enumerate(titles)],
        "emojis": emojis or [],
        "voted": bool(own_votes) if own_votes is not None else False,
        "own_votes": own_votes or [],
    }


def _count_of(related: QuerySet[Any], field: str) -> Coalesce:
    """Return a subquery annotation counting the related rows whose `field` is the outer status."""
    matching = related.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(matching.annotate(n=Count("*")).values("n")[:1]), 0)


_COUNTED = ("favourites", "reblogs", "replies", "reply_accounts")
_PRESENCE = ("with_mentions", "with_tags", "with_poll", "with_media")


def _interactions_query(ids: list[int], viewer_id: int | None) -> QuerySet[Status, dict[str, Any]]:
    """Return the query of `_interactions` for the status ids, with the viewer's flags if there is a viewer."""
    # Annotations are prefixed: `favourites`, `reblogs` and `mentions` are already relations of Status.
    counts = {
        "favourites": _count_of(Favourite.objects.all(), "status_id"),
        "reblogs": _count_of(Status.objects.all(), "reblog_of_id"),
        "replies": _count_of(Status.objects.all(), "in_reply_to_id"),
        "reply_accounts": Subquery(Status.objects.filter(pk=OuterRef("in_reply_to_id")).values("account_id")[:1]),
    }
    flags: dict[str, Exists] = {
        "with_mentions": Exists(Mention.objects.filter(status_id=OuterRef("pk"), silent=False)),
        "with_tags": Exists(Status.tags.through.objects.filter(status_id=OuterRef("pk"))),
        "with_poll": Exists(Poll.objects.filter(status_id=OuterRef("pk"))),
        "with_media": Exists(MediaAttachment.objects.filter(status_id=OuterRef("pk"))),
    }
    if viewer_id is not None:
        # The viewer's flags ride on this query rather than costing one of their own.
        flags |= interaction_flag_annotations(Actor(pk=viewer_id))
    annotations = {f"n_{name}": value for name, value in (counts | flags).items()}
    rows: QuerySet[Status, dict[str, Any]] = (
        Status.objects.filter(pk__in=ids).annotate(**annotations).values("pk", *annotations)
    )
    return rows


def _viewed_interactions_query(arguments: list[int]) -> QuerySet[Status, dict[str, Any]]:
    return _interactions_query(arguments[:-1], arguments[-1])


def _unviewed_interactions_query(arguments: list[int]) -> QuerySet[Status, dict[str, Any]]:
    return _interactions_query(arguments, None)


def _interactions(ids: list[int], viewer: Actor | None) -> dict[str, Any]:
    """Return what a page needs to know of each status's relations, in one query.

    That is its favourites, reblogs and replies counts; which the viewer
    favourited, reblogged and bookmarked; the account it replies to; and
    whether it has mentions, tags, a poll or media at all, so that those are
    read only for the statuses that have them (most have none).
    """
    # Without a viewer the viewer's sets stay empty.
    found: dict[str, Any] = {name: {} for name in _COUNTED} | {name: set() for name in (*_PRESENCE, *INTERACTION_FLAGS)}
    flags = (*_PRESENCE, *(INTERACTION_FLAGS if viewer is not None else ()))
    unique = list(dict.fromkeys(ids))
    if not unique:
        return found
    if viewer is None:
        rows = prepared_rows("status-interactions", Status, _unviewed_interactions_query, unique)
    else:
        rows = prepared_rows("status-interactions-viewed", Status, _viewed_interactions_query, [*unique, viewer.pk])
    for row in rows:
        for name in _COUNTED:
            if row[f"n_{name}"] is not None:
                found[name][row["pk"]] = row[f"n_{name}"]
        for name in flags:
            if row[f"n_{name}"]:
                found[name].add(row["pk"])
    return found


def _mentions_query(ids: list[int]) -> QuerySet[Mention]:
    # Silent mentions give access only; clients list the accounts a status tags, as on Mastodon.
    return Mention.objects.filter(status_id__in=ids, silent=False).select_related("account")


def _polls_query(ids: list[int]) -> QuerySet[Poll]:
    return Poll.objects.filter(status_id__in=ids)


def _media_query(ids: list[int]) -> QuerySet[MediaAttachment]:
    return MediaAttachment.objects.filter(status_id__in=ids).order_by("status_id", "position", "id")


def _loaded(name: str, model: type[Any], build: Callable[[list[int]], QuerySet[Any]], ids: set[int]) -> list[Any]:
    """Return the rows of the statuses' relation, none without a query when no status has any."""
    # Sorted: the same statuses give the same parameters, whatever order the set iterates in.
    return prepared_models(name, model, build, sorted(ids)) if ids else []


def _counts(statuses: Sequence[Status], viewer: Actor | None) -> dict[str, Any]:
    found = _interactions([status.pk for status in statuses], viewer)
    mentions: dict[int, list[Actor]] = defaultdict(list)
    for mention in _loaded("mentions", Mention, _mentions_query, found["with_mentions"]):
        mentions[mention.status_id].append(mention.account)
    tags: dict[int, list[str]] = defaultdict(list)
    for status_id, name in Status.tags.through.objects.filter(status_id__in=found["with_tags"]).values_list(
        "status_id", "tag__name"
    ):
        tags[status_id].append(name)
    polls = {poll.status_id: poll for poll in _loaded("polls", Poll, _polls_query, found["with_poll"])}
    media: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in _loaded("media", MediaAttachment, _media_query, found["with_media"]):
        if item.status_id is not None:
            media[item.status_id].append(media_entity(item))
    claimed_polls = claimed_poll_views([poll.pk for poll in polls.values()], viewer)
    # `in_bulk` of no ids costs no query: a page without links reads no cards.
    cards = PreviewCard.objects.in_bulk({status.preview_card_id for status in statuses if status.preview_card_id})
    # Emoji are those of the author's server named in the text, the content warning and the poll options.
    wanted: dict[tuple[str, int], tuple[str | None, set[str]]] = {}
    for status in statuses:
        titles = poll_titles(polls[status.pk]) if status.pk in polls else []
        wanted[("status", status.pk)] = (
            status.account.domain,
            shortcodes_in([status.content, status.spoiler_text, *titles]),
        )
        if titles:
            wanted[("poll", status.pk)] = (status.account.domain, shortcodes_in(titles))
    emojis = emoji_entities(wanted)
    muted: set[int] = set()
    own_votes: dict[int, list[int]] = defaultdict(list)
    if viewer is not None:
        muted = muted_thread_status_ids(statuses, viewer)
        for poll_id, choice in PollVote.objects.filter(account=viewer, poll__in=polls.values()).values_list(
            "poll_id", "choice"
        ):
            own_votes[poll_id].append(choice)
    return {
        **found,
        "mentions": mentions,
        "tags": tags,
        "polls": polls,
        "muted": muted,
        "own_votes": own_votes,
        "claimed_polls": claimed_polls,
        "media": media,
        "cards": {pk: card_entity(card) for pk, card in cards.items()},
        "emojis": emojis,
    }


def status_entities(
    statuses: Sequence[Status],
    viewer: Actor | None,
    *,
    context: str | None = None,
    filters: Sequence[Filter] | None = None,
) -> list[dict[str, Any]]:
    """Return the Status entity of each status as the viewer sees it, reblogs with their original inside.

    With a filter `context` (home, public, thread, notifications, account),
    `filtered` lists the viewer's filters that match the status there
    (`filters`, when the caller has read them already). The number of
    queries does not grow with the number of statuses.
    """
    if not statuses:
        # A follow's or a sign-up's notification has no status: none of the page's reads are needed.
        return []
    originals = list({status.reblog_of_id: None for status in statuses if status.reblog_of_id is not None})
    loaded = {status.pk: status for status in statuses_with_authors(originals)}
    everything = [*statuses, *loaded.values()]
    authors = {status.account_id: status.account for status in everything}
    accounts = dict(zip(authors, account_entities(list(authors.values())), strict=True))
    counts = _counts(everything, viewer)
    filtered = (
        filter_results_for_statuses(viewer, list(statuses), context, filters=filters) if context is not None else {}
    )

    def entity(status: Status) -> dict[str, Any]:
        original = loaded.get(status.reblog_of_id) if status.reblog_of_id is not None else None
        poll = counts["polls"].get(status.pk)
        reply_account = counts["reply_accounts"].get(status.pk)
        return {
            "id": str(status.pk),
            "uri": status.uri,
            "url": status.url or status.uri,
            "created_at": iso_with_millis(status.created_at),
            "edited_at": iso_with_millis(status.edited_at) if status.edited_at else None,
            "account": accounts[status.account_id],
            "content": "" if original is not None else status.content,
            # Clients know only Mastodon's four visibilities; local-only posts show as unlisted, flagged,
            # and limited ones as private, as Mastodon shows them.
            "visibility": CLIENT_VISIBILITY.get(status.visibility, status.visibility),
            "local_only": status.visibility == Visibility.LOCAL,
            "sensitive": status.sensitive,
            "spoiler_text": status.spoiler_text,
            "language": status.language or None,
            "in_reply_to_id": str(status.in_reply_to_id) if status.in_reply_to_id else None,
            "in_reply_to_account_id": str(reply_account) if reply_account is not None else None,
            "reblog": entity(original) if original is not None else None,
            "media_attachments": counts["media"].get(status.pk, []),
            "mentions": [
                {"id": str(actor.pk), "username": actor.username, "acct": actor.acct, "url": actor.url or actor.uri}
                for actor in counts["mentions"].get(status.pk, [])
            ],
            "tags": [{"name": name, "url": f"{base_url()}/tags/{name}"} for name in counts["tags"].get(status.pk, [])],
            "emojis": counts["emojis"].get(("status", status.pk), []),
            "card": counts["cards"].get(status.preview_card_id) if status.preview_card_id else None,
            "poll": poll_entity(
                poll,
                counts["own_votes"].get(poll.pk, []) if viewer else None,
                counts["claimed_polls"].get(poll.pk),
                emojis=counts["emojis"].get(("poll", status.pk), []),
            )
            if poll
            else None,
            "application": None,
            "replies_count": counts["replies"].get(status.pk, 0),
            "reblogs_count": counts["reblogs"].get(status.pk, 0),
            "favourites_count": counts["favourites"].get(status.pk, 0),
            "favourited": status.pk in counts["favourited"],
            "reblogged": status.pk in counts["reblogged"],
            "bookmarked": (original or status).pk in counts["bookmarked"],
            "muted": (original or status).pk in counts["muted"],
            "pinned": status.pinned_at is not None,
            "filtered": filtered.get(status.pk, filtered.get(status.reblog_of_id or 0, [])),
        }

    return [entity(status) for status in statuses]


def status_entity(status: Status, viewer: Actor | None) -> dict[str, Any]:
    """Return the Status entity of one status as the viewer sees it."""
    return status_entities([status], viewer)[0]

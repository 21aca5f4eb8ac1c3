"""What the web app's post template shows of each status, built from the client API's Status entity.

The pages read the same entity the Mastodon API serves (`status_entities`:
counts, the viewer's favourites, boosts and bookmarks, media, the poll with
a proposal's claim), so a post reads the same in the web app and in any
app. This module only adds what a page needs beyond the entity: dates as
datetimes, links pointing at this server's pages, and a poll's percentages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from federation.models import Actor
from governance.models import Proposal
from governance.selectors import PollProposal, proposals_for_polls
from timeline.entities.statuses import status_entities
from timeline.filtering import is_hidden
from timeline.models import Filter, Status

_ANCHOR = re.compile(r"<a\s([^>]*)>(.*?)</a>", re.DOTALL)
_HREF = re.compile(r'href="([^"]*)"')
_TAG_TEXT = re.compile(r"^#(?:<span>)?([^<]+)(?:</span>)?$")
_MARKUP = re.compile(r"(<[^>]+>)")
_BARE_MENTION = re.compile(r"(?<![\w@/])@([\w.-]+(?:@[\w.-]+\w)?)")
_BARE_TAG = re.compile(r"(?<![\w&/#])#(\w+)")


@dataclass(frozen=True)
class PollOption:
    """One option of a poll as a page shows it."""

    index: int
    title: str
    votes: int | None
    percent: int
    mine: bool


@dataclass(frozen=True)
class PollView:
    """A poll as a page shows it: a ballot form while the viewer may vote, results after."""

    id: int
    multiple: bool
    expired: bool
    expires_at: datetime | None
    voted: bool
    can_vote: bool
    show_results: bool
    hidden_counts: bool
    voters: int
    options: list[PollOption]
    proposal: Proposal | None = None
    # A proposal's ballot the viewer may not cast: they were not in its electorate when it opened.
    outside_electorate: bool = False


@dataclass(frozen=True)
class PostLinks:
    """The addresses a post's template links to and posts to."""

    account: str
    thread: str
    history: str
    reply: str
    boost: str
    favourite: str
    bookmark: str
    edit: str
    delete: str
    report: str
    mute: str
    block: str
    mute_conversation: str
    # The address to share: the post's own page on its author's server, as Mastodon's "Copy link to post" copies.
    public: str


# An id no row reaches (ids are 63-bit snowflakes at most), reversed once and then replaced.
_SENTINEL = 7_777_777_777_777_777_777
_SENTINEL_TEXT = str(_SENTINEL)


class LinkPatterns:
    """Reverse each URL a post links to once per page, then fill in each post's ids as text.

    A timeline of 40 posts links to about 400 addresses; reversing each one
    took a tenth of the page's render. Reversing with a sentinel id and
    replacing it gives the same address as `reverse()` for every id.
    """

    def __init__(self) -> None:
        """Reverse every pattern once, with the sentinel for its ids."""
        by_status = {"status_id": _SENTINEL}
        self.account = reverse("frontend:account", kwargs={"account_id": _SENTINEL})
        self.thread = reverse("frontend:thread", kwargs=by_status)
        self.history = reverse("frontend:history", kwargs=by_status)
        self.home = reverse("frontend:home")
        self.interact = {
            verb: reverse("frontend:interact", kwargs={"status_id": _SENTINEL, "verb": verb})
            for verb in ("boost", "unboost", "favourite", "unfavourite")
        }
        self.bookmark = reverse("frontend:bookmark", kwargs=by_status)
        self.edit = reverse("frontend:edit_status", kwargs=by_status)
        self.delete = reverse("frontend:delete_status", kwargs=by_status)
        self.report = reverse("governance:report_account", kwargs={"account_id": _SENTINEL})
        self.mute = reverse("frontend:mutes")
        self.block = reverse("frontend:block", kwargs={"account_id": _SENTINEL})
        self.mute_conversation = reverse("frontend:mute_conversation", kwargs=by_status)

    def for_post(self, shown: Status, entity: dict[str, Any]) -> PostLinks:
        """Return the links of one post, the status it shows and that status's entity."""
        status_id = str(shown.pk)
        account_id = str(shown.account_id)
        boost = "unboost" if entity["reblogged"] else "boost"
        favourite = "unfavourite" if entity["favourited"] else "favourite"
        return PostLinks(
            account=self.account.replace(_SENTINEL_TEXT, account_id),
            thread=self.thread.replace(_SENTINEL_TEXT, status_id),
            history=self.history.replace(_SENTINEL_TEXT, status_id),
            reply=f"{self.home}?in_reply_to={status_id}#compose-title",
            boost=self.interact[boost].replace(_SENTINEL_TEXT, status_id),
            favourite=self.interact[favourite].replace(_SENTINEL_TEXT, status_id),
            bookmark=self.bookmark.replace(_SENTINEL_TEXT, status_id),
            edit=self.edit.replace(_SENTINEL_TEXT, status_id),
            delete=self.delete.replace(_SENTINEL_TEXT, status_id),
            report=f"{self.report.replace(_SENTINEL_TEXT, account_id)}?status={status_id}",
            mute=self.mute,
            block=self.block.replace(_SENTINEL_TEXT, account_id),
            mute_conversation=self.mute_conversation.replace(_SENTINEL_TEXT, status_id),
            public=entity.get("url") or entity["uri"],
        )


@dataclass(frozen=True)
class PostView:
    """A status as the post template shows it."""

    status: Status
    shown: Status
    entity: dict[str, Any]
    boosted_by: dict[str, Any] | None
    content: str
    relative_time: str
    own: bool
    links: PostLinks
    poll: PollView | None = None
    avatar: str = ""
    # The titles of the viewer's `warn` filters that match: the post is shown folded behind them.
    filtered_titles: tuple[str, ...] = ()
    # Whether the viewer wrote the post or is mentioned in it, so may mute its conversation as Mastodon offers.
    in_conversation: bool = False

    @property
    def pk(self) -> int:
        """Return the listed status's id (a boost's own id), as paging and anchors use it."""
        return self.status.pk


def local_links(content: str, entity: dict[str, Any]) -> str:
    """Point a post's mention and hashtag links at this server's account and tag pages.

    The sanitised HTML keeps the links its author's server made (a remote
    profile, a remote tag page); a member reading here should stay here, as
    Mastodon's web app opens them in its own columns. The HTML is already
    sanitised, so only the `href` of anchors that name a mentioned account or
    read as a hashtag is rewritten.
    """
    mentions: dict[str, str] = {str(escape(mention["url"])): mention["id"] for mention in entity.get("mentions", [])}

    def rewrite(match: re.Match[str]) -> str:
        attributes, text = match.group(1), match.group(2)
        href = _HREF.search(attributes)
        if href is None:
            return match.group(0)
        target = None
        if href.group(1) in mentions:
            target = reverse("frontend:account", kwargs={"account_id": int(mentions[href.group(1)])})
        else:
            tag = _TAG_TEXT.match(text.strip())
            if tag is not None and ("hashtag" in attributes or 'rel="tag"' in attributes):
                target = reverse("frontend:hashtag", kwargs={"name": tag.group(1).lower()})
        if target is None:
            return match.group(0)
        local_href = 'href="' + escape(target) + '"'
        return f"<a {attributes.replace(href.group(0), local_href)}>{text}</a>"

    return _link_bare_names(_ANCHOR.sub(rewrite, content), entity)


def _link_bare_names(content: str, entity: dict[str, Any]) -> str:
    """Link the #tags and @mentions a post's text names but its HTML leaves as plain text.

    Posts written here are stored as paragraphs of text; only names the
    status really tags or mentions (the entity's lists) become links, and
    text already inside a link is left alone.
    """
    accounts: dict[str, str] = {}
    for mention in entity.get("mentions", []):
        accounts[mention["acct"].lower()] = mention["id"]
        accounts.setdefault(mention["username"].lower(), mention["id"])
    tags = {tag["name"].lower() for tag in entity.get("tags", [])}
    if not accounts and not tags:
        return content

    def mention_link(match: re.Match[str]) -> str:
        account_id = accounts.get(match.group(1).lower())
        if account_id is None:
            return match.group(0)
        href = reverse("frontend:account", kwargs={"account_id": int(account_id)})
        return f'<a href="{href}" class="mention">{match.group(0)}</a>'

    def tag_link(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        if name not in tags:
            return match.group(0)
        href = escape(reverse("frontend:hashtag", kwargs={"name": name}))
        return f'<a href="{href}" class="hashtag" rel="tag">{match.group(0)}</a>'

    parts = _MARKUP.split(content)
    inside_link = 0
    for index, part in enumerate(parts):
        if index % 2:
            lowered = part.lower()
            inside_link += 1 if lowered.startswith("<a ") or lowered == "<a>" else -1 if lowered == "</a>" else 0
        elif part and not inside_link:
            parts[index] = _BARE_TAG.sub(tag_link, _BARE_MENTION.sub(mention_link, part))
    return "".join(parts)


def relative_time(moment: datetime, now: datetime) -> str:
    """Return how long ago a moment was, in the reader's language, as a timeline shows it ("3 hours ago")."""
    if (now - moment).total_seconds() < 60:
        return str(_("just now"))
    return str(_("%(time)s ago") % {"time": timesince(moment, now, depth=1)})


def _poll_view(entity: dict[str, Any], viewer: Actor | None, author_id: int, claim: PollProposal | None) -> PollView:
    poll = entity["poll"]
    own = set(poll["own_votes"])
    counts = [option["votes_count"] for option in poll["options"]]
    hidden = any(count is None for count in counts)
    # Mastodon divides by voters in a multiple-choice poll (options add to more than 100%) and by votes otherwise.
    total = (poll["voters_count"] if poll["multiple"] else poll["votes_count"]) or 0
    options = [
        PollOption(
            index=index,
            title=option["title"],
            votes=option["votes_count"],
            percent=round(100 * option["votes_count"] / total) if total and option["votes_count"] is not None else 0,
            mine=index in own,
        )
        for index, option in enumerate(poll["options"])
    ]
    expires = datetime.fromisoformat(poll["expires_at"]) if poll["expires_at"] else None
    # The author of an ordinary poll sees its results; a proposal's poll is a ballot its electorate casts, author too.
    outside_electorate = viewer is not None and claim is not None and not claim.viewer_votes
    may_vote = viewer is not None and (viewer.pk != author_id or claim is not None) and not outside_electorate
    can_vote = may_vote and not poll["expired"] and not poll["voted"]
    return PollView(
        id=int(poll["id"]),
        multiple=poll["multiple"],
        expired=poll["expired"],
        expires_at=expires,
        voted=poll["voted"],
        can_vote=can_vote,
        show_results=not can_vote,
        hidden_counts=hidden,
        voters=(poll["voters_count"] if poll["multiple"] else poll["votes_count"]) or 0,
        options=options,
        proposal=claim.proposal if claim is not None else None,
        outside_electorate=outside_electorate and not poll["expired"],
    )


def post_views(
    statuses: Sequence[Status],
    viewer: Actor | None,
    *,
    context: str | None = None,
    hide: bool = True,
    filters: Sequence[Filter] | None = None,
) -> list[PostView]:
    """Return each status as the viewer sees it, in order, in a fixed number of queries.

    With a filter `context` (home, public, thread, notifications, account),
    the viewer's filters apply as in Mastodon's apps: a post a `hide` filter
    matches is left out (unless `hide` is false, for the post a thread is
    about), one a `warn` filter matches carries the filters' titles. A page
    that read the viewer's filters for `context` already passes them as
    `filters`.
    """
    entities = status_entities(statuses, viewer, context=context, filters=filters)
    # A boost shows its original: load every original in one query rather than one per boost.
    originals = Status.objects.select_related("account").in_bulk(
        [status.reblog_of_id for status in statuses if status.reblog_of_id is not None]
    )
    shown_rows = {
        status.pk: originals.get(status.reblog_of_id, status) if status.reblog_of_id is not None else status
        for status in statuses
    }
    poll_ids = [
        int((entity["reblog"] or entity)["poll"]["id"]) for entity in entities if (entity["reblog"] or entity)["poll"]
    ]
    proposals = proposals_for_polls(poll_ids, viewer.user_id if viewer is not None else None) if poll_ids else {}
    now = timezone.now()
    patterns = LinkPatterns()
    views = []
    for status, entity in zip(statuses, entities, strict=True):
        shown_entity = entity["reblog"] or entity
        shown = shown_rows[status.pk]
        results = entity.get("filtered") or []
        if hide and is_hidden(results):
            continue
        poll = None
        if shown_entity["poll"]:
            poll_id = int(shown_entity["poll"]["id"])
            poll = _poll_view(shown_entity, viewer, shown.account_id, proposals.get(poll_id))
        views.append(
            PostView(
                status=status,
                shown=shown,
                entity=shown_entity,
                boosted_by=entity["account"] if entity["reblog"] else None,
                content=local_links(shown_entity["content"], shown_entity),
                relative_time=relative_time(shown.created_at, now),
                own=viewer is not None and shown.account_id == viewer.pk,
                links=patterns.for_post(shown, shown_entity),
                poll=poll,
                avatar=shown_entity["account"]["avatar_static"],
                filtered_titles=tuple(dict.fromkeys(result["filter"]["title"] for result in results)),
                in_conversation=viewer is not None
                and (
                    shown.account_id == viewer.pk
                    or any(mention["id"] == str(viewer.pk) for mention in shown_entity["mentions"])
                ),
            )
        )
    return views

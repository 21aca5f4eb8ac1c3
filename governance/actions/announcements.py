"""Publish and withdraw the co-op's announcements; members mark them read and react to them.

Officers (moderators and administrators) publish from their page; a
proposal that passes is announced for a week by its closing
(`do_announce_proposal_outcome`). Every change is streamed to
members' user streams after commit, as Mastodon streams `announcement`,
`announcement.reaction` and `announcement.delete`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import emoji as unicode_emoji
from django.db import IntegrityError, transaction
from django.utils import timezone

from federation.models import Actor
from federation.uris import base_url
from governance.access import is_moderator
from governance.announcement_entities import announcement_entity
from governance.errors import GovernanceRefused
from governance.models import Announcement, AnnouncementDismissal, AnnouncementReaction, Proposal
from governance.selectors import announcements_shown
from members.models import User
from timeline.models import CustomEmoji
from timeline.rendering import render_plain_text
from timeline.streaming.events import stream_to_local_accounts_on_commit

MAX_TEXT_LENGTH = 5000
# Mastodon's limit of distinct reactions on one announcement.
MAX_DISTINCT_REACTIONS = 8


class AnnouncementRefused(GovernanceRefused):
    """The announcement cannot be published, read or reacted to as asked; the message says why."""


class AnnouncementNotFound(AnnouncementRefused):
    """The announcement does not exist or is not shown (unpublished, ended)."""

    status = 404

    @property
    def message(self) -> str:
        """Return Mastodon's answer for a record that is not there."""
        return "Record not found"


@dataclass(frozen=True)
class AnnouncementDraft:
    """An announcement that passed its checks."""

    text: str
    content: str
    starts_at: datetime | None
    ends_at: datetime | None
    all_day: bool


@dataclass(frozen=True)
class ReactionDraft:
    """A reaction that passed its checks: a Unicode emoji, or a local custom emoji."""

    name: str
    custom_emoji: CustomEmoji | None


def access_announcement_by_id(announcement_id: str | int) -> Announcement:
    """Return an announcement members see now, else raise AnnouncementNotFound (404)."""
    text = str(announcement_id)
    announcement = announcements_shown().filter(pk=int(text)).first() if text.isdigit() else None
    if announcement is None:
        raise AnnouncementNotFound("Record not found")
    return announcement


def check_publish_announcement(
    user: User | None,
    *,
    text: str,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    all_day: bool = False,
) -> AnnouncementDraft:
    """Refuse anyone but a moderator or administrator, an empty or long text, or an end before the start."""
    if user is None or not is_moderator(user):
        raise AnnouncementRefused("Only moderators and administrators can publish announcements.")
    return check_announcement_text(text=text, starts_at=starts_at, ends_at=ends_at, all_day=all_day)


def check_announcement_text(
    *, text: str, starts_at: datetime | None = None, ends_at: datetime | None = None, all_day: bool = False
) -> AnnouncementDraft:
    """Refuse an empty or long text, or an end before the start (officers and the assembly alike)."""
    text = text.strip()
    if not text:
        raise AnnouncementRefused("An announcement needs a text.")
    if len(text) > MAX_TEXT_LENGTH:
        raise AnnouncementRefused(f"An announcement is at most {MAX_TEXT_LENGTH} characters.")
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        raise AnnouncementRefused("An announcement cannot end before it starts.")
    if all_day and (starts_at is None or ends_at is None):
        raise AnnouncementRefused("An all-day announcement needs its first and last day.")
    return AnnouncementDraft(
        text=text, content=render_plain_text(text), starts_at=starts_at, ends_at=ends_at, all_day=all_day
    )


def do_publish_announcement(
    draft: AnnouncementDraft, *, user: User | None = None, proposal: Proposal | None = None
) -> Announcement:
    """Publish a checked announcement now and stream it to every member."""
    with transaction.atomic():
        announcement = Announcement.objects.create(
            text=draft.text,
            content=draft.content,
            starts_at=draft.starts_at,
            ends_at=draft.ends_at,
            all_day=draft.all_day,
            published_at=timezone.now(),
            created_by=user,
            proposal=proposal,
        )
        # Fresh: nobody has read or reacted to it, so one rendering serves every member.
        stream_to_local_accounts_on_commit("announcement", announcement_entity(announcement, None))
    return announcement


def check_withdraw_announcement(user: User | None, announcement_id: int) -> Announcement:
    """Return the announcement for a moderator or administrator to withdraw, else refuse."""
    if user is None or not is_moderator(user):
        raise AnnouncementRefused("Only moderators and administrators can withdraw announcements.")
    announcement = Announcement.objects.filter(pk=announcement_id).first()
    if announcement is None:
        raise AnnouncementNotFound("Record not found")
    return announcement


def do_withdraw_announcement(announcement: Announcement) -> None:
    """Delete an announcement (its reads and reactions go with it) and tell members' streams."""
    with transaction.atomic():
        announcement_id = announcement.pk
        announcement.delete()
        stream_to_local_accounts_on_commit("announcement.delete", str(announcement_id))


def do_dismiss_announcement(account: Actor, announcement: Announcement) -> None:
    """Mark an announcement read for the account; marking it again changes nothing."""
    AnnouncementDismissal.objects.get_or_create(announcement=announcement, account=account)


def check_add_reaction(account: Actor, announcement: Announcement, name: str) -> ReactionDraft:
    """Refuse a name that is neither one Unicode emoji nor an enabled local custom emoji, or a ninth kind."""
    name = name.strip()
    custom = None
    if not unicode_emoji.is_emoji(name):
        custom = (
            CustomEmoji.objects.filter(shortcode=name.strip(":"), domain__isnull=True, disabled=False)
            .exclude(image="")
            .first()
        )
        if custom is None:
            raise AnnouncementRefused("Validation failed: Name is not a recognized emoji")
        name = custom.shortcode
    names = set(AnnouncementReaction.objects.filter(announcement=announcement).values_list("name", flat=True))
    if name not in names and len(names) >= MAX_DISTINCT_REACTIONS:
        raise AnnouncementRefused("Validation failed: Maximum number of reactions reached")
    return ReactionDraft(name=name, custom_emoji=custom)


def _stream_reaction_count(announcement: Announcement, name: str) -> None:
    count = AnnouncementReaction.objects.filter(announcement=announcement, name=name).count()
    stream_to_local_accounts_on_commit(
        "announcement.reaction", {"name": name, "count": count, "announcement_id": str(announcement.pk)}
    )


def do_add_reaction(account: Actor, announcement: Announcement, draft: ReactionDraft) -> None:
    """Add the account's reaction (once per name) and stream the new count."""
    try:
        with transaction.atomic():
            _, created = AnnouncementReaction.objects.get_or_create(
                announcement=announcement,
                account=account,
                name=draft.name,
                defaults={"custom_emoji": draft.custom_emoji},
            )
            if created:
                _stream_reaction_count(announcement, draft.name)
    except IntegrityError:
        # The same reaction sent twice at once: the other request stored it.
        return


def do_remove_reaction(account: Actor, announcement: Announcement, name: str) -> None:
    """Remove the account's own reaction of this name and stream the new count; refuse one it never made."""
    name = name.strip()
    with transaction.atomic():
        reaction = AnnouncementReaction.objects.filter(
            announcement=announcement, account=account, name__in={name, name.strip(":")}
        ).first()
        if reaction is None:
            raise AnnouncementNotFound("Record not found")
        reaction.delete()
        _stream_reaction_count(announcement, reaction.name)


# How long the assembly's decisions stay announced.
OUTCOME_SHOWN_FOR = timedelta(days=7)


def do_announce_proposal_outcome(proposal: Proposal) -> Announcement:
    """Announce a proposal that passed, for a week: the assembly's decision reaches every member's app."""
    link = f"{base_url()}/governance/proposals/{proposal.pk}"
    draft = check_announcement_text(
        text=f"The assembly decided: {proposal.title}\n\nProposal #{proposal.pk} passed. {link}"
    )
    draft = AnnouncementDraft(
        text=draft.text,
        content=draft.content,
        starts_at=None,
        ends_at=timezone.now() + OUTCOME_SHOWN_FOR,
        all_day=False,
    )
    return do_publish_announcement(draft, proposal=proposal)

"""Render the timeline's rows as ActivityStreams: statuses as Notes (and Questions), media, boosts.

Also the envelopes of the timeline's other activities: follows and their
answers, likes, blocks, pins, moves, poll votes, and the Undo of each.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from federation import activitypub as ap
from federation.activitypub import Announce, Create, Delete, Emoji, Note, Tombstone, Update, serialise
from federation.activitypub.context import PUBLIC
from federation.models import Actor
from federation.renderers import iso8601, new_activity_id
from federation.uris import base_url, featured_tags_uri
from timeline.activitypub.emojis import emoji_tags
from timeline.models import Block, Favourite, Follow, MediaAttachment, Poll, PollVote, Status, Tag, Visibility


@dataclass(frozen=True)
class StatusRelations:
    """A status's mentioned accounts, hashtags, poll and media, loaded beforehand for many statuses at once.

    `media` None means "not loaded": the renderer then reads it itself.
    """

    mentioned: list[Actor]
    tags: list[str]
    poll: Poll | None
    media: list[MediaAttachment] | None = None


def relations_of(status: Status) -> StatusRelations:
    """Load one status's mentioned accounts, hashtags and poll (fresh: poll counts change)."""
    return StatusRelations(
        mentioned=[mention.account for mention in status.mentions.select_related("account")],
        tags=[tag.name for tag in status.tags.all()],
        poll=Poll.objects.filter(status=status).first(),
    )


def addressing_for_status(status: Status, mentioned_actors: list[Actor] | None = None) -> tuple[list[str], list[str]]:
    """Return (to, cc) for a status's visibility, as Mastodon addresses it."""
    followers = status.account.followers_uri
    if mentioned_actors is None:
        mentioned_actors = [mention.account for mention in status.mentions.select_related("account")]
    mentioned = [actor.uri for actor in mentioned_actors]
    if status.visibility == Visibility.PUBLIC:
        return [PUBLIC], [followers, *mentioned]
    if status.visibility == Visibility.UNLISTED:
        return [followers], [PUBLIC, *mentioned]
    if status.visibility == Visibility.PRIVATE:
        return [followers], mentioned
    return mentioned, []


def document_for_media(media: MediaAttachment) -> dict[str, Any]:
    """Return the Document that describes an attachment in a Note, as Mastodon writes it."""
    url = media.remote_url or (f"{base_url()}{media.file.url}" if media.file else "")
    document: dict[str, Any] = {"type": "Document", "mediaType": media.content_type, "url": url}
    document["name"] = media.description or None
    if media.blurhash:
        document["blurhash"] = media.blurhash
    original = media.meta.get("original") if isinstance(media.meta, dict) else None
    if media.type == MediaAttachment.Type.IMAGE:
        document["focalPoint"] = [media.focus_x, media.focus_y]
    if isinstance(original, dict) and isinstance(original.get("width"), int):
        document["width"] = original["width"]
        document["height"] = original.get("height")
    return document


def note_for_status(status: Status, related: StatusRelations | None = None) -> Note:
    """Return the Note (or Question, with a poll) for a status.

    `related` spares the queries when many statuses are rendered at once (an archive).
    """
    related = related or relations_of(status)
    to, cc = addressing_for_status(status, related.mentioned)
    tags: list[dict[str, Any] | Emoji] = [
        {"type": "Mention", "href": actor.uri, "name": f"@{actor.acct}"} for actor in related.mentioned
    ]
    tags += [{"type": "Hashtag", "name": f"#{name}"} for name in related.tags]
    poll = related.poll
    if status.local:
        titles = [str(o.get("title", "")) if isinstance(o, dict) else str(o) for o in poll.options] if poll else []
        tags += emoji_tags([status.content, status.spoiler_text, *titles])
    return Note(
        type="Question" if poll else "Note",
        tag=tags,
        attachment=[
            document_for_media(media)
            for media in (
                related.media
                if related.media is not None
                else MediaAttachment.objects.filter(status=status).order_by("position", "id")
            )
        ],
        poll_options=list(zip(poll.options, poll.votes, strict=False)) if poll else [],
        poll_multiple=poll.multiple if poll else False,
        end_time=iso8601(poll.expires_at) if poll and poll.expires_at else None,
        voters_count=poll.voters_count if poll else None,
        id=status.uri,
        attributed_to=status.account.uri,
        content=status.content,
        published=iso8601(status.created_at),
        updated=iso8601(status.edited_at) if status.edited_at else None,
        to=to,
        cc=cc,
        url=status.url,
        summary=status.spoiler_text or None,
        sensitive=status.sensitive,
        in_reply_to=status.in_reply_to.uri if status.in_reply_to else None,
        language=status.language or None,
    )


def create_for_status(status: Status, related: StatusRelations | None = None) -> dict[str, Any]:
    """Return the Create activity that publishes a status."""
    note = note_for_status(status, related)
    return serialise(
        Create(
            id=f"{status.uri}/activity",
            actor=status.account.uri,
            object=note,
            to=note.to,
            cc=note.cc,
            published=note.published,
        )
    )


def update_for_status(status: Status) -> dict[str, Any]:
    """Return the Update activity that carries an edited status."""
    note = note_for_status(status)
    return serialise(
        Update(
            id=f"{status.uri}#updates/{secrets.token_hex(8)}",
            actor=status.account.uri,
            object=note,
            to=note.to,
            cc=note.cc,
        )
    )


def delete_for_status(status: Status) -> dict[str, Any]:
    """Return the Delete activity for a status, its object a Tombstone."""
    to, cc = addressing_for_status(status)
    return serialise(
        Delete(
            id=f"{status.uri}#delete",
            actor=status.account.uri,
            object=Tombstone(id=status.uri, atom_uri=status.uri),
            to=to or [PUBLIC],
            cc=cc,
        )
    )


def _announce(reblog: Status, mentioned_actors: list[Actor] | None = None) -> Announce:
    original = reblog.reblog_of
    if original is None:
        raise ValueError("Only a boost has an Announce.")
    to, cc = addressing_for_status(reblog, mentioned_actors)
    return Announce(
        id=reblog.uri,
        actor=reblog.account.uri,
        object=original.uri,
        to=to,
        cc=[*cc, original.account.uri],
        published=iso8601(reblog.created_at),
    )


def announce_for_reblog(reblog: Status, mentioned_actors: list[Actor] | None = None) -> dict[str, Any]:
    """Return the Announce activity of a boost."""
    return serialise(_announce(reblog, mentioned_actors))


def _undo(activity: ap.Activity) -> dict[str, Any]:
    # Mastodon names an Undo after what it undoes and addresses it to the same audience.
    return serialise(
        ap.Undo(id=f"{activity.id}/undo", actor=activity.actor, object=activity, to=activity.to, cc=activity.cc)
    )


def undo_for_reblog(reblog: Status) -> dict[str, Any]:
    """Return the Undo of a boost's Announce, which it embeds."""
    return _undo(_announce(reblog))


def _follow(follow: Follow) -> ap.Follow:
    return ap.Follow(id=follow.uri, actor=follow.follower.uri, object=follow.target.uri, to=[follow.target.uri])


def follow_for_follow(follow: Follow) -> dict[str, Any]:
    """Return the Follow activity of a follow row."""
    return serialise(_follow(follow))


def _answer(follow: Follow, answer: type[ap.Accept] | type[ap.Reject], path: str) -> dict[str, Any]:
    return serialise(
        answer(
            id=f"{follow.target.uri}#{path}/follows/{follow.pk}",
            actor=follow.target.uri,
            object=_follow(follow),
            to=[follow.follower.uri],
        )
    )


def accept_for_follow(follow: Follow) -> dict[str, Any]:
    """Return the Accept of a follow, embedding the Follow as Mastodon expects."""
    return _answer(follow, ap.Accept, "accepts")


def reject_for_follow(follow: Follow) -> dict[str, Any]:
    """Return the Reject of a follow, embedding the Follow."""
    return _answer(follow, ap.Reject, "rejects")


def undo_for_follow(follow: Follow) -> dict[str, Any]:
    """Return the Undo of a follow (an unfollow, or a withdrawn request)."""
    return _undo(_follow(follow))


def _like(favourite: Favourite) -> ap.Like:
    return ap.Like(
        id=favourite.uri,
        actor=favourite.account.uri,
        object=favourite.status.uri,
        to=[favourite.status.account.uri],
    )


def like_for_favourite(favourite: Favourite) -> dict[str, Any]:
    """Return the Like activity of a favourite, sent to the status's author."""
    return serialise(_like(favourite))


def undo_for_favourite(favourite: Favourite) -> dict[str, Any]:
    """Return the Undo of a favourite's Like."""
    return _undo(_like(favourite))


def _block(block: Block) -> ap.Block:
    return ap.Block(id=block.uri, actor=block.account.uri, object=block.target.uri, to=[block.target.uri])


def block_for_block(block: Block) -> dict[str, Any]:
    """Return the Block activity of a block row, sent to the blocked account."""
    return serialise(_block(block))


def undo_for_block(block: Block) -> dict[str, Any]:
    """Return the Undo of a block."""
    return _undo(_block(block))


def add_for_pin(status: Status) -> dict[str, Any]:
    """Return the Add of a pinned status to its author's featured collection."""
    actor = status.account
    return serialise(
        ap.Add(
            id=new_activity_id(actor, "add"),
            actor=actor.uri,
            object=status.uri,
            target=actor.featured_uri,
            to=[PUBLIC],
        )
    )


def remove_for_pin(status: Status) -> dict[str, Any]:
    """Return the Remove of an unpinned status from its author's featured collection."""
    actor = status.account
    return serialise(
        ap.Remove(
            id=new_activity_id(actor, "remove"),
            actor=actor.uri,
            object=status.uri,
            target=actor.featured_uri,
            to=[PUBLIC],
        )
    )


def move_for_account(origin: Actor, target: Actor) -> dict[str, Any]:
    """Return the Move an account sends its followers: the object is the account itself, the target the new one."""
    return serialise(
        ap.Move(
            id=new_activity_id(origin, "moves"),
            actor=origin.uri,
            object=origin.uri,
            target=target.uri,
            to=[origin.followers_uri],
        )
    )


def create_for_vote(vote: PollVote) -> dict[str, Any]:
    """Return the Create of a vote's Note, sent to the poll's author only."""
    status = vote.poll.status
    author = status.account
    note = ap.VoteNote(
        id=vote.uri,
        name=vote.poll.options[vote.choice],
        attributed_to=vote.account.uri,
        to=[author.uri],
        in_reply_to=status.uri,
    )
    return serialise(Create(id=f"{vote.uri}/activity", actor=vote.account.uri, object=note, to=[author.uri]))


def _featured_tag(kind: type[ap.Add] | type[ap.Remove], actor: Actor, tag: Tag) -> dict[str, Any]:
    href = f"{base_url()}/tags/{tag.name}"
    return serialise(
        kind(
            id=new_activity_id(actor, kind.type.lower()),
            actor=actor.uri,
            object=href,
            embedded=ap.Hashtag(name=f"#{tag.name}", href=href),
            target=featured_tags_uri(actor.username),
            to=[PUBLIC],
        )
    )


def add_for_featured_tag(actor: Actor, tag: Tag) -> dict[str, Any]:
    """Return the Add of a hashtag to the actor's `featuredTags` collection, as Mastodon sends it."""
    return _featured_tag(ap.Add, actor, tag)


def remove_for_featured_tag(actor: Actor, tag: Tag) -> dict[str, Any]:
    """Return the Remove of a hashtag from the actor's `featuredTags` collection."""
    return _featured_tag(ap.Remove, actor, tag)

"""Votes in local polls, which remote servers send as Creates of Notes."""

from __future__ import annotations

from federation.activitypub import Article, Note, Page
from federation.inbox.registry import IgnoredActivity
from federation.models import Actor
from timeline.actions.polls import choice_index, do_record_remote_vote
from timeline.models import Poll


def may_be_vote(note: Note) -> bool:
    """Return whether a note has the shape of a vote in a poll: a name, no content, a reply.

    The name of an Article or a Page is its title, shown above its text: never a vote.
    """
    return bool(note.name and not note.content and note.in_reply_to) and not isinstance(note, Article | Page)


def record_vote(actor: Actor, note: Note) -> bool:
    """Count a remote vote in a local poll; return False if the note is not a vote."""
    if not may_be_vote(note):
        return False
    poll = Poll.objects.filter(status__uri=note.in_reply_to, status__local=True).select_related("status").first()
    if poll is None:
        return False
    choice = choice_index(poll, note.name)
    if choice is None:
        raise IgnoredActivity(f"{note.name!r} is not an option of the poll.")
    do_record_remote_vote(actor, poll, choice, uri=note.id)
    return True

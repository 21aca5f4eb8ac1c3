"""Private notes about other accounts."""

from __future__ import annotations

from federation.models import Actor
from timeline.errors import RequestRefused
from timeline.models import AccountNote

# Mastodon's limit on a note's length.
MAX_NOTE_CHARACTERS = 2000


def check_set_account_note(actor: Actor, target: Actor, comment: str) -> str:
    """Return the note's text, refusing one that is too long."""
    if len(comment) > MAX_NOTE_CHARACTERS:
        raise RequestRefused(f"Comment is too long (the limit is {MAX_NOTE_CHARACTERS} characters).")
    return comment


def do_set_account_note(actor: Actor, target: Actor, comment: str) -> None:
    """Write, replace or (with an empty comment) remove the actor's note about the target."""
    comment = check_set_account_note(actor, target, comment)
    if not comment.strip():
        AccountNote.objects.filter(account=actor, target=target).delete()
        return
    AccountNote.objects.update_or_create(account=actor, target=target, defaults={"comment": comment})

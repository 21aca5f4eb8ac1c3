"""How the public transparency log names whom a moderation action is about.

The co-op answers for every action in public. Unless the bylaws say
otherwise (`log_pseudonymises_members`), a member of this server is not named
there: the log calls them "member #<pseudonym>", the same for every action on
them, so readers can see that several actions concern one person without
learning who. Remote accounts and domains act in public on other servers, so
they are named as the fediverse knows them. An entry keeps the name it was
written with: a later amendment changes how new entries name members.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.crypto import salted_hmac

from federation.models import Actor
from governance.models import ModerationAction
from members.selectors import bylaws_in_force

PSEUDONYM_SALT = "governance.log_subjects.pseudonym"
PSEUDONYM_LENGTH = 8


def member_pseudonym(actor: Actor) -> str:
    """Return a local account's stable name in the public log, such as "member #1a2b3c4d".

    A keyed hash of the account's id: stable for as long as the server's
    secret key is (entries already written keep theirs), and not reversible
    by counting through account ids as a plain hash would be.
    """
    digest = salted_hmac(PSEUDONYM_SALT, str(actor.pk), algorithm="sha256").hexdigest()
    return f"member #{digest[:PSEUDONYM_LENGTH]}"


def pseudonymised(actor: Actor) -> bool:
    """Return whether the public log hides this account behind a pseudonym: a local one, if the bylaws say so."""
    return actor.is_local and bylaws_in_force().log_pseudonymises_members


def account_subject(actor: Actor) -> str:
    """Return how the public log names an account: a pseudonym where the bylaws ask for one, else the handle."""
    return member_pseudonym(actor) if pseudonymised(actor) else f"@{actor.acct}"


def action_subject(action: ModerationAction) -> str:
    """Return how the public log names what an action is about: a domain, or an account as above."""
    if action.target_domain:
        return action.target_domain
    if action.target_account is not None:
        return account_subject(action.target_account)
    return "an account no longer here"


def action_headline(action: ModerationAction) -> str:
    """Return an action as the public log states it: its kind and its subject, e.g. "Warning to member #1a2b3c4d"."""
    subject = action_subject(action)
    kind = action.kind
    if kind == ModerationAction.Kind.WARN:
        return f"Warning to {subject}"
    # The headline is stored in the log, so the kind's label keeps the source language.
    with translation.override(None):
        label = str(action.get_kind_display())
    if kind in {ModerationAction.Kind.REMOVE_STATUS, ModerationAction.Kind.MARK_SENSITIVE}:
        return f"{label} (a post by {subject})"
    return f"{label} of {subject}"


def names_account_publicly(action: ModerationAction) -> bool:
    """Return whether the public log may give the account's and post's ids (those of an account it names)."""
    return action.target_account is not None and not pseudonymised(action.target_account)

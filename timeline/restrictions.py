"""Who is restricted, who may see what moderation hides, who may post and who is listed: answers from above.

Moderation belongs to governance and membership to members, both above
timeline. Each registers its answer here when it loads (in its
`AppConfig.ready()`), so timeline imports neither. With nothing registered
no account is restricted, nobody sees past a restriction and every local
account may post, as on a server without moderation or a membership.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.db.models import QuerySet

from federation.models import Actor


class RestrictedAccountIds(Protocol):
    """Return, as a subquery, the ids of accounts suspended (and, with `limited`, limited) now."""

    def __call__(self, *, limited: bool = True) -> QuerySet[Any, int | None]: ...


class AccountRestricted(Protocol):
    """Return whether a restriction in force (a suspension, or with `limited` also a limit) names the account."""

    def __call__(self, account_id: int, *, limited: bool = True) -> bool: ...


_restricted_ids: list[RestrictedAccountIds] = []
_restricted: list[AccountRestricted] = []
_moderator_checks: list[Callable[[Actor], bool]] = []
_posting_refusals: list[Callable[[Actor], str | None]] = []
_unlisted_ids: list[Callable[[], QuerySet[Any, int]]] = []


def register_restriction_readers(*, account_ids: RestrictedAccountIds, is_restricted: AccountRestricted) -> None:
    """Name how restrictions are read: as a subquery for lists, and for one account.

    Both are read on every timeline page and streamed status, so each must
    be one query.
    """
    _restricted_ids[:] = [account_ids]
    _restricted[:] = [is_restricted]


def register_moderator_check(check: Callable[[Actor], bool]) -> None:
    """Name the function that says whether an account may see what restrictions hide from others."""
    _moderator_checks[:] = [check]


def register_posting_refusal(refusal: Callable[[Actor], str | None]) -> None:
    """Add a function that returns why a local account may not post now, or None if it may."""
    if refusal not in _posting_refusals:
        _posting_refusals.append(refusal)


def restricted_account_ids(*, limited: bool = True) -> QuerySet[Any, int | None]:
    """Return, as a subquery, the ids of accounts suspended (and, with `limited`, limited) now."""
    if not _restricted_ids:
        return Actor.objects.none().values_list("pk", flat=True)
    return _restricted_ids[0](limited=limited)


def is_account_restricted(account_id: int, *, limited: bool = True) -> bool:
    """Return whether the account is suspended (or, with `limited`, limited) now."""
    return bool(_restricted) and _restricted[0](account_id, limited=limited)


def sees_restricted_accounts(viewer: Actor | None) -> bool:
    """Return whether the viewer may see the statuses of suspended accounts (moderators, who review them)."""
    return viewer is not None and bool(_moderator_checks) and _moderator_checks[0](viewer)


def posting_refusal(author: Actor) -> str | None:
    """Return why the local account may not post now, or None if it may."""
    for refusal in _posting_refusals:
        if (reason := refusal(author)) is not None:
            return reason
    return None


def register_unlisted_account_reader(account_ids: Callable[[], QuerySet[Any, int]]) -> None:
    """Name the function that returns, as a subquery, the local accounts discovery must not list.

    Membership decides it: applicants and former or suspended members are
    neither suggested nor shown in the directory, as Mastodon lists only
    approved accounts.
    """
    _unlisted_ids[:] = [account_ids]


def unlisted_account_ids() -> QuerySet[Any, int]:
    """Return, as a subquery, the local accounts discovery must not list (none when nothing is registered)."""
    if not _unlisted_ids:
        return Actor.objects.none().values_list("pk", flat=True)
    return _unlisted_ids[0]()

"""Lists: named sets of followed accounts, each with its own timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from federation.models import Actor
from timeline.errors import RecordNotFound, ValidationFailed
from timeline.models import Follow, List, ListAccount

MAX_TITLE_CHARACTERS = 200


@dataclass(frozen=True)
class ListDraft:
    """A list's checked settings."""

    title: str
    replies_policy: str
    exclusive: bool


def check_list(*, title: str, replies_policy: str = List.RepliesPolicy.LIST, exclusive: bool = False) -> ListDraft:
    """Validate a list's title and replies policy."""
    title = title.strip()
    if not title:
        raise ValidationFailed("Title can't be blank.")
    if len(title) > MAX_TITLE_CHARACTERS:
        raise ValidationFailed(f"Title is too long (the limit is {MAX_TITLE_CHARACTERS} characters).")
    if replies_policy not in List.RepliesPolicy.values:
        raise ValidationFailed(f"Replies policy must be one of {', '.join(List.RepliesPolicy.values)}.")
    return ListDraft(title=title, replies_policy=replies_policy, exclusive=exclusive)


def do_create_list(owner: Actor, draft: ListDraft) -> List:
    """Create a list."""
    return List.objects.create(
        account=owner, title=draft.title, replies_policy=draft.replies_policy, exclusive=draft.exclusive
    )


def do_update_list(the_list: List, draft: ListDraft) -> List:
    """Change a list's title, replies policy and exclusivity."""
    the_list.title = draft.title
    the_list.replies_policy = draft.replies_policy
    the_list.exclusive = draft.exclusive
    the_list.save(update_fields=["title", "replies_policy", "exclusive"])
    return the_list


def do_delete_list(the_list: List) -> None:
    """Delete a list and its memberships."""
    the_list.delete()


def check_add_list_accounts(the_list: List, accounts: Sequence[Actor]) -> None:
    """Refuse accounts the list's owner does not follow, as Mastodon lists hold followed accounts only."""
    followed = set(
        Follow.objects.filter(
            follower_id=the_list.account_id, target__in=accounts, state=Follow.State.ACCEPTED
        ).values_list("target_id", flat=True)
    )
    if any(account.pk not in followed for account in accounts):
        raise RecordNotFound("You can only add accounts you follow to a list.")


def do_add_list_accounts(the_list: List, accounts: Sequence[Actor]) -> None:
    """Add followed accounts to a list; an account already on it stays once."""
    check_add_list_accounts(the_list, accounts)
    with transaction.atomic():
        ListAccount.objects.bulk_create(
            [ListAccount(list=the_list, account=account) for account in accounts], ignore_conflicts=True
        )


def do_remove_list_accounts(the_list: List, account_ids: Sequence[int]) -> None:
    """Take accounts off a list."""
    ListAccount.objects.filter(list=the_list, account_id__in=account_ids).delete()

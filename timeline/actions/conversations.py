"""Direct-message conversations: direct statuses grouped by the set of people they are between."""

from __future__ import annotations

from django.db import transaction

from federation.models import Actor
from timeline.models import Conversation, Mention, Status, Visibility


def do_record_direct_status(status: Status) -> int:
    """File a direct status into the conversation of each local participant; return how many.

    Each participant's conversation is the one with the same other people.
    It is unread for everyone but the author. Filing the same status twice
    changes nothing, so a repeated fan-out is harmless.
    """
    if status.visibility != Visibility.DIRECT or status.reblog_of_id is not None:
        return 0
    mentioned = list(Mention.objects.filter(status=status).values_list("account_id", flat=True))
    everyone = sorted({status.account_id, *mentioned})
    local_owners = list(Actor.objects.filter(pk__in=everyone, domain="").values_list("pk", flat=True))
    with transaction.atomic():
        for owner_id in local_owners:
            others = [pk for pk in everyone if pk != owner_id]
            key = ",".join(str(pk) for pk in others)
            conversation, created = Conversation.objects.select_for_update().get_or_create(
                owner_id=owner_id,
                participant_key=key,
                defaults={"last_status": status, "unread": owner_id != status.account_id},
            )
            if created:
                conversation.participants.set(others)
            elif conversation.last_status_id < status.pk:
                conversation.last_status = status
                conversation.unread = owner_id != status.account_id
                conversation.save(update_fields=["last_status", "unread"])
    return len(local_owners)


def do_mark_conversation_read(conversation: Conversation) -> Conversation:
    """Mark a conversation as read."""
    conversation.unread = False
    conversation.save(update_fields=["unread"])
    return conversation


def do_remove_conversation(conversation: Conversation) -> None:
    """Remove a conversation from its owner's list; its statuses stay."""
    conversation.delete()

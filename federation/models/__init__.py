"""Federation's models, one module per subject."""

from federation.models.actor import Actor
from federation.models.delivery import Delivery, OutboundActivity, RemoteHost
from federation.models.domain_policy import DomainPolicy
from federation.models.inbox import InboxItem, InboxRecipient
from federation.models.tombstone import Tombstone

__all__ = [
    "Actor",
    "Delivery",
    "DomainPolicy",
    "InboxItem",
    "InboxRecipient",
    "OutboundActivity",
    "RemoteHost",
    "Tombstone",
]

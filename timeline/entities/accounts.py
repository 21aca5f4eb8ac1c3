"""The client API's Account and Relationship entities, built for many accounts in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from config.api.timestamps import iso_with_millis
from federation.models import Actor
from federation.renderers import profile_fields
from federation.uris import base_url
from timeline.entities.emojis import emoji_entities, shortcodes_in
from timeline.entities.prepared import prepared_rows
from timeline.models import AccountNote, Block, Endorsement, Follow, Status
from timeline.rendering import plain_text_of
from timeline.selectors import active_mutes, hidden_domains_for


def default_avatar_url() -> str:
    """Return the picture shown for accounts without an avatar (clients expect a URL)."""
    return f"{base_url()}{settings.STATIC_URL}api/missing.png"


def default_header_url() -> str:
    """Return the picture shown for accounts without a header, as Mastodon gives one."""
    return f"{base_url()}{settings.STATIC_URL}api/missing-header.png"


def avatar_url(actor: Actor) -> str:
    """Return the actor's avatar: the uploaded file or the copy of the remote one here, else the default.

    A remote avatar not copied yet shows the default, as on Mastodon: a
    member's client never loads an image from the actor's server.
    """
    if actor.avatar:
        return f"{base_url()}{actor.avatar.url}"
    return default_avatar_url()


def header_url(actor: Actor) -> str:
    """Return the actor's header image: the uploaded file or the copy of the remote one here, else the default."""
    if actor.header:
        return f"{base_url()}{actor.header.url}"
    return default_header_url()


def _fields(actor: Actor) -> list[dict[str, Any]]:
    return [{**field, "verified_at": None} for field in profile_fields(actor)]


def _count(grouped: QuerySet[Any]) -> Coalesce:
    """Return the row count of a correlated queryset grouped by its outer key, as a subquery (0 for none)."""
    return Coalesce(Subquery(grouped.annotate(n=Count("*")).values("n")[:1]), 0)


def _figures_query(ids: list[int]) -> QuerySet[Actor, dict[str, Any]]:
    """Return the accounts' follower, following and status counts and their newest status's time."""
    accepted = Follow.objects.filter(state=Follow.State.ACCEPTED).order_by()
    authored = Status.objects.filter(account_id=OuterRef("pk"))
    # One query for the whole page: a correlated count per account and figure, each read from its index.
    # Status ids follow their creation time, so the newest status is the first in the (account, -id) index.
    return (
        Actor.objects.filter(pk__in=ids)
        .annotate(
            n_followers=_count(accepted.filter(target_id=OuterRef("pk")).values("target_id")),
            n_following=_count(accepted.filter(follower_id=OuterRef("pk")).values("follower_id")),
            n_statuses=_count(authored.order_by().values("account_id")),
            n_latest=Subquery(authored.order_by("-id").values("created_at")[:1]),
        )
        .values("pk", "n_followers", "n_following", "n_statuses", "n_latest")
    )


def account_entities(actors: Sequence[Actor]) -> list[dict[str, Any]]:
    """Return the Account entity of each actor, in order, with one query for their counts."""
    ids = list(dict.fromkeys(actor.pk for actor in actors))
    counted = prepared_rows("account-figures", Actor, _figures_query, ids) if ids else []
    figures = {
        row["pk"]: (row["n_followers"], row["n_following"], row["n_statuses"], row["n_latest"]) for row in counted
    }
    emojis = emoji_entities({actor.pk: (actor.domain, shortcodes_in(_profile_texts(actor))) for actor in actors})
    entities = [
        _account_entity(actor, *figures.get(actor.pk, (0, 0, 0, None)), emojis=emojis.get(actor.pk, []))
        for actor in actors
    ]
    # A moved account carries its new account, as Mastodon's `moved` (one level deep).
    moved = [(entity, actor.moved_to) for entity, actor in zip(entities, actors, strict=True) if actor.moved_to_id]
    if moved:
        targets = account_entities([target for _, target in moved if target is not None])
        for (entity, _), target_entity in zip(moved, targets, strict=True):
            target_entity.pop("moved", None)
            entity["moved"] = target_entity
    return entities


def account_entity(actor: Actor) -> dict[str, Any]:
    """Return the Account entity of one actor."""
    return account_entities([actor])[0]


def _profile_texts(actor: Actor) -> list[str]:
    # Emoji may appear in the display name, the bio and the fields' names and values.
    fields = actor.fields if isinstance(actor.fields, list) else []
    named = [
        str(part) for field in fields if isinstance(field, dict) for part in (field.get("name"), field.get("value"))
    ]
    return [actor.display_name, actor.summary, *named]


def _account_entity(
    actor: Actor,
    followers: int,
    following: int,
    status_count: int,
    last_status: datetime | None,
    *,
    emojis: list[dict[str, Any]],
) -> dict[str, Any]:
    avatar = avatar_url(actor)
    header = header_url(actor)
    return {
        "id": str(actor.pk),
        "username": actor.username,
        "acct": actor.acct,
        "display_name": actor.display_name,
        "locked": actor.locked,
        "bot": actor.bot or actor.kind in (Actor.Kind.APPLICATION, Actor.Kind.SERVICE),
        "discoverable": actor.discoverable,
        "indexable": actor.discoverable,
        "group": actor.kind == Actor.Kind.GROUP,
        # Mastodon shows only the day an account was created.
        "created_at": iso_with_millis(actor.created_at.replace(hour=0, minute=0, second=0, microsecond=0)),
        "note": actor.summary,
        "url": actor.url or actor.uri,
        "uri": actor.uri,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": followers,
        "following_count": following,
        "statuses_count": status_count,
        "last_status_at": last_status.date().isoformat() if last_status else None,
        "hide_collections": False,
        "noindex": not actor.discoverable,
        "emojis": emojis,
        "roles": [],
        "fields": _fields(actor),
    }


def credential_account_entity(actor: Actor) -> dict[str, Any]:
    """Return the owner's own Account with its `source` (what the profile editor shows)."""
    body = account_entity(actor)
    owner = actor.user
    body["source"] = {
        "privacy": owner.default_visibility if owner is not None else "public",
        "sensitive": owner.default_sensitive if owner is not None else False,
        "language": owner.default_language if owner is not None else "",
        "note": plain_text_of(actor.summary),
        "fields": [
            {"name": str(f.get("name", "")), "value": str(f.get("value", "")), "verified_at": None}
            for f in (actor.fields if isinstance(actor.fields, list) else [])
            if isinstance(f, dict)
        ],
        "follow_requests_count": Follow.objects.filter(target=actor, state=Follow.State.PENDING).count(),
    }
    user = actor.user
    body["role"] = {
        "id": "-99" if user is None or not user.is_staff else "3",
        "name": "" if user is None or not user.is_staff else "Admin",
        "permissions": "0" if user is None or not user.is_staff else "1",
        "color": "",
        "highlighted": False,
    }
    return body


def relationship_entities(viewer: Actor, targets: Sequence[Actor]) -> list[dict[str, Any]]:
    """Return the viewer's Relationship with each target, in a fixed number of queries."""
    ids = [target.pk for target in targets]
    outgoing: dict[int, Follow] = {}
    incoming: dict[int, Follow] = {}
    # Each pair of directions is one query: the viewer's side tells which way a row points.
    both_ways = Q(follower=viewer, target_id__in=ids) | Q(target=viewer, follower_id__in=ids)
    for follow in Follow.objects.filter(both_ways):
        if follow.follower_id == viewer.pk:
            outgoing[follow.target_id] = follow
        if follow.target_id == viewer.pk:
            incoming[follow.follower_id] = follow
    blocking: set[int] = set()
    blocked_by: set[int] = set()
    blocks = Block.objects.filter(Q(account=viewer, target_id__in=ids) | Q(target=viewer, account_id__in=ids))
    for account_id, target_id in blocks.values_list("account_id", "target_id"):
        if account_id == viewer.pk:
            blocking.add(target_id)
        if target_id == viewer.pk:
            blocked_by.add(account_id)
    mutes = {mute.target_id: mute for mute in active_mutes(viewer).filter(target_id__in=ids)}
    # Only a remote target can be on a hidden domain.
    hidden_domains = set(hidden_domains_for(viewer)) if any(target.domain for target in targets) else set()
    notes = dict(AccountNote.objects.filter(account=viewer, target_id__in=ids).values_list("target_id", "comment"))
    endorsed = set(Endorsement.objects.filter(account=viewer, target_id__in=ids).values_list("target_id", flat=True))
    relationships = []
    for target in targets:
        mine = outgoing.get(target.pk)
        theirs = incoming.get(target.pk)
        following = mine is not None and mine.state == Follow.State.ACCEPTED
        relationships.append(
            {
                "id": str(target.pk),
                "following": following,
                "showing_reblogs": following and mine is not None and mine.show_reblogs,
                "notifying": following and mine is not None and mine.notify,
                "languages": None,
                "followed_by": theirs is not None and theirs.state == Follow.State.ACCEPTED,
                "blocking": target.pk in blocking,
                "blocked_by": target.pk in blocked_by,
                "muting": target.pk in mutes,
                "muting_notifications": target.pk in mutes and mutes[target.pk].hide_notifications,
                "requested": mine is not None and mine.state == Follow.State.PENDING,
                "requested_by": theirs is not None and theirs.state == Follow.State.PENDING,
                "domain_blocking": bool(target.domain) and target.domain.lower() in hidden_domains,
                "endorsed": target.pk in endorsed,
                "note": notes.get(target.pk, ""),
            }
        )
    return relationships

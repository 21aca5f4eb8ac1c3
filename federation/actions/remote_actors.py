"""Fetch, cache and refresh remote actors and objects, checking where each document came from."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.json_input import JsonInputError, parse_json
from federation.actions.instance_actor import instance_actor
from federation.activitypub import TYPES, MalformedDocument, Person, PropertyValue, host_of, parse_as
from federation.errors import RemoteActorUnavailable
from federation.models import Actor, Tombstone
from federation.sanitising import sanitise_html
from federation.selectors import is_domain_suspended
from federation.transport import (
    MAX_DOCUMENT_BYTES,
    TransportError,
    UnsafeDestination,
    check_fetchable_url,
    signed_get,
)

REFRESH_AFTER = timedelta(days=1)
_ACCT = re.compile(r"^@?([^@\s]+)@([^@\s/]+)$")
# What a derived username keeps of its id's last path segment, and its length (Mastodon's limit).
_NOT_IN_USERNAME = re.compile(r"[^A-Za-z0-9_]+")
DERIVED_USERNAME_LENGTH = 30


def _forget_replaced_images(actor: Actor, fields: dict[str, Any]) -> list[str]:
    """Drop the copies of an actor's images whose remote URL changed; return the fields cleared."""
    cleared = []
    for name in ("avatar", "header"):
        stored = getattr(actor, name)
        if stored and getattr(actor, f"{name}_remote_url") != fields[f"{name}_remote_url"]:
            # The copy is deleted after commit: a rolled-back update keeps the image it names.
            transaction.on_commit(functools.partial(stored.storage.delete, stored.name))
            stored.name = ""
            cleared.append(name)
    return cleared


def fetch_document(uri: str) -> dict[str, Any]:
    """Fetch an ActivityPub document with a signed GET and check its origin.

    The document's id must be on the host it was finally served from, after
    redirects; otherwise a server could pass off another's objects as its own.
    A URL this server must never request (`check_fetchable_url`) is refused
    before anything is looked up or sent.
    """
    try:
        check_fetchable_url(uri)
    except UnsafeDestination as exc:
        raise RemoteActorUnavailable(str(exc)) from exc
    if Tombstone.objects.filter(uri=uri).exists():
        raise RemoteActorUnavailable(f"{uri} was deleted.")
    if is_domain_suspended(host_of(uri)):
        raise RemoteActorUnavailable(f"{host_of(uri)} is suspended here.")
    signer = instance_actor()
    try:
        response = signed_get(uri, key_id=signer.key_id, private_key_pem=signer.private_key_pem)
    except (TransportError, UnsafeDestination) as exc:
        raise RemoteActorUnavailable(str(exc)) from exc
    if response.status != 200:
        raise RemoteActorUnavailable(f"{uri} answered {response.status}.")
    try:
        document = parse_json(response.body, max_bytes=MAX_DOCUMENT_BYTES)
    except JsonInputError as exc:
        raise RemoteActorUnavailable(f"{uri} did not answer with a readable JSON document: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("id"), str):
        raise RemoteActorUnavailable(f"{uri} answered with a document without id.")
    if host_of(document["id"]) != host_of(response.url):
        raise RemoteActorUnavailable(f"{response.url} served a document whose id is on another host.")
    return document


def _field(item: PropertyValue | Mapping[str, str]) -> dict[str, str]:
    name, value = (item.name, item.value) if isinstance(item, PropertyValue) else (item["name"], item["value"])
    return {"name": name, "value": sanitise_html(value)}


def _actor_fields(doc: Person) -> dict[str, Any]:
    return {
        "kind": doc.type,
        "display_name": doc.name[:100],
        "summary": sanitise_html(doc.summary),
        "url": doc.url or doc.id,
        "inbox_uri": doc.inbox,
        "outbox_uri": doc.outbox,
        "shared_inbox_uri": doc.shared_inbox,
        "followers_uri": doc.followers,
        "following_uri": doc.following,
        "featured_uri": doc.featured,
        "public_key_pem": doc.public_key.public_key_pem,
        "public_key_uri": doc.public_key.id,
        "locked": doc.manually_approves_followers,
        "bot": doc.bot,
        "discoverable": doc.discoverable,
        "also_known_as": list(doc.also_known_as),
        "fields": [_field(item) for item in doc.fields],
        "avatar_remote_url": doc.icon_url,
        "header_remote_url": doc.image_url,
        "fetched_at": timezone.now(),
    }


# What else an app keeps from a stored actor document (the timeline: its custom emoji).
_document_readers: list[Callable[[Actor, Person], None]] = []


def register_actor_document_reader(reader: Callable[[Actor, Person], None]) -> None:
    """Name a function to call with each remote actor stored and the document it was stored from."""
    if reader not in _document_readers:
        _document_readers.append(reader)


def do_store_actor_document(document: dict[str, Any]) -> Actor:
    """Create or update the cached copy of a remote actor from its (origin-checked) JSON document."""
    try:
        person = parse_as(Person, document)
    except MalformedDocument as exc:
        raise RemoteActorUnavailable(f"The actor document cannot be read: {exc}") from exc
    return do_store_remote_actor(person)


def derived_username(actor_id: str) -> str:
    """Return a username for an actor that publishes none, from the last segment of its id.

    Relays (`https://relay.example/actor`), bridges and some servers leave
    `preferredUsername` out; like the servers that accept them, the name is
    read from the id: `https://bridge.example/ap/users/Zoë-K.` is `Zo_K`.
    Characters outside letters, digits and underscores become one
    underscore, and an id whose path gives nothing is named after its host.
    """
    parts = urlsplit(actor_id)
    segments = [unquote(segment) for segment in parts.path.split("/") if segment]
    segment = segments[-1] if segments else (parts.hostname or "")
    name = _NOT_IN_USERNAME.sub("_", segment).strip("_")[:DERIVED_USERNAME_LENGTH].strip("_")
    return name or "actor"


def _username_for(doc: Person, domain: str, existing: Actor | None) -> str:
    """Return the actor's published username, or else its derived one, unique on its domain.

    An actor stored before keeps its name, so a derived name never changes;
    a derived name another actor of the domain holds takes a suffix from a
    hash of the id, which is the same at every fetch.
    """
    if doc.preferred_username:
        return doc.preferred_username
    if existing is not None:
        return existing.username
    name = derived_username(doc.id)
    taken = Actor.objects.filter(username__iexact=name, domain=domain).exclude(uri=doc.id).exists()
    if taken:
        name = f"{name[: DERIVED_USERNAME_LENGTH - 9]}_{hashlib.sha256(doc.id.encode()).hexdigest()[:8]}"
    return name


def do_store_remote_actor(doc: Person) -> Actor:
    """Create or update the cached copy of a remote actor from its (origin-checked) document.

    Service, Application, Group and Organization actors are Persons of another type.
    """
    domain = host_of(doc.id)
    if host_of(doc.inbox) != domain or host_of(doc.public_key.id) != domain:
        raise RemoteActorUnavailable("The actor's inbox or key is on another host.")
    existing = Actor.objects.filter(uri=doc.id).first()
    if existing is not None and existing.is_local:
        raise RemoteActorUnavailable("A remote document cannot replace a local actor.")
    fields = _actor_fields(doc)
    username = _username_for(doc, domain, existing)
    try:
        with transaction.atomic():
            if existing is None:
                actor = Actor.objects.create(uri=doc.id, username=username, domain=domain, **fields)
            else:
                _forget_replaced_images(existing, fields)
                for name, value in fields.items():
                    setattr(actor := existing, name, value)
                actor.username = username
                actor.save()
    except IntegrityError as exc:
        # The same handle already names another actor of that domain (an account re-created there).
        raise RemoteActorUnavailable(f"{username}@{domain} already names another actor.") from exc
    if doc.moved_to and doc.moved_to != doc.id:
        target = Actor.objects.filter(uri=doc.moved_to).first()
        if target is not None and actor.moved_to_id != target.pk:
            actor.moved_to = target
            actor.save(update_fields=["moved_to"])
    for reader in _document_readers:
        reader(actor, doc)
    return actor


def do_delete_remote_actor(actor: Actor) -> None:
    """Delete a remote account that its server deleted, keeping a tombstone so it is never fetched again.

    Its rows in every app (statuses, follows, favourites...) go with it.
    """
    if actor.is_local:
        raise ValueError("Only a remote account is deleted when its server says so.")
    with transaction.atomic():
        Tombstone.objects.get_or_create(uri=actor.uri)
        for copy in (actor.avatar, actor.header):
            # Copies of the actor's images made here go too, once the deletion is committed.
            if copy:
                transaction.on_commit(functools.partial(copy.storage.delete, copy.name))
        actor.delete()


def fetch_actor(uri: str, *, refresh: bool = False) -> Actor:
    """Return the actor with this id: from the cache unless asked to refresh, else fetched."""
    actor = Actor.objects.filter(uri=uri).first()
    if actor is not None and (actor.is_local or not refresh):
        return actor
    return do_store_actor_document(fetch_document(uri))


def refresh_stale_actor(actor: Actor) -> Actor:
    """Fetch a remote actor again if its cached copy is older than a day; keep the copy on failure."""
    if actor.is_local or (actor.fetched_at is not None and timezone.now() - actor.fetched_at < REFRESH_AFTER):
        return actor
    try:
        return fetch_actor(actor.uri, refresh=True)
    except RemoteActorUnavailable:
        return actor


def actor_by_key_id(key_id: str) -> Actor | None:
    """Return the known actor whose key has this id, without fetching anything."""
    actor = Actor.objects.filter(public_key_uri=key_id).first()
    return actor or Actor.objects.filter(uri=key_id.split("#", 1)[0]).first()


def actor_for_key_id(key_id: str, *, refresh: bool = False) -> Actor:
    """Return the actor owning a signature's keyId, fetching it if unknown or asked to refresh.

    Mastodon's key ids are fragments of the actor document; GoToSocial's are
    documents of their own (a key, or an actor stub without inbox) naming
    the owner, whose full document is then fetched.
    """
    actor = actor_by_key_id(key_id)
    if actor is not None and not refresh:
        return actor
    document = fetch_document(key_id.split("#", 1)[0])
    if not _names_actor_type(document.get("type")) or "inbox" not in document:
        key = document.get("publicKey")
        owner = document.get("owner") or (key.get("owner") if isinstance(key, dict) else None)
        if not isinstance(owner, str) or host_of(owner) != host_of(key_id):
            raise RemoteActorUnavailable(f"{key_id} does not name an actor.")
        document = fetch_document(owner)
    actor = do_store_actor_document(document)
    if actor.public_key_uri != key_id:
        raise RemoteActorUnavailable(f"{key_id} is not the key of {actor.uri}.")
    return actor


def _names_actor_type(kind: Any) -> bool:
    registered = TYPES.get(kind) if isinstance(kind, str) else None
    return registered is not None and issubclass(registered, Person)


def resolve_account(handle: str) -> Actor:
    """Return the actor for user@domain, asking the domain's WebFinger when unknown."""
    match = _ACCT.match(handle.strip())
    if not match:
        raise RemoteActorUnavailable(f"{handle!r} is not an address of the form user@domain.")
    username, domain = match.group(1), match.group(2).lower()
    known = Actor.objects.filter(username__iexact=username, domain=domain).first()
    if known is not None:
        return known
    scheme = "https"
    if settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION and domain.split(":")[0] in ("localhost", "127.0.0.1"):
        scheme = "http"
    signer = instance_actor()
    url = f"{scheme}://{domain}/.well-known/webfinger?resource=acct:{username}@{domain}"
    try:
        check_fetchable_url(url)
        response = signed_get(
            url, key_id=signer.key_id, private_key_pem=signer.private_key_pem, accept="application/jrd+json"
        )
        document = parse_json(response.body, max_bytes=MAX_DOCUMENT_BYTES) if response.status == 200 else {}
    except (TransportError, UnsafeDestination, JsonInputError) as exc:
        raise RemoteActorUnavailable(f"WebFinger lookup of {handle} failed: {exc}") from exc
    links = document.get("links") if isinstance(document, dict) else None
    for link in links if isinstance(links, list) else []:
        if (
            isinstance(link, dict)
            and link.get("rel") == "self"
            and str(link.get("type", "")).startswith(("application/activity+json", "application/ld+json"))
            and isinstance(link.get("href"), str)
        ):
            return fetch_actor(link["href"])
    raise RemoteActorUnavailable(f"WebFinger for {handle} names no ActivityPub actor.")

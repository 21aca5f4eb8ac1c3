"""List queries over federation's rows: domain policies, deliveries, inboxes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from django.db import connection
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery

from federation.models import Actor, Delivery, DomainPolicy

POLICY_CACHE_SECONDS = 5.0
_policy_cache: list[tuple[float, dict[str, DomainPolicy]]] = []
_suspension_cache: list[tuple[float, frozenset[str]]] = []
_suspension_readers: list[Callable[[], Iterable[str]]] = []


def domain_candidates(domain: str) -> list[str]:
    """Return a domain (port dropped, lower-cased) and each parent domain, most specific first."""
    host = domain.lower().strip().rstrip(".")
    if not host.startswith("["):
        host = host.rsplit(":", 1)[0]
    labels = host.split(".")
    return [".".join(labels[index:]) for index in range(len(labels))]


def domain_policies_in_force() -> list[DomainPolicy]:
    """Return every domain policy, ordered by domain."""
    return list(DomainPolicy.objects.order_by("domain"))


def _policies_by_domain() -> dict[str, DomainPolicy]:
    # Every inbox request asks; outside transactions the whole (small) table
    # is cached for a few seconds per process, and dropped at once when this
    # process changes it. Inside a transaction the database is read, so
    # actions see the policies as they commit.
    if connection.in_atomic_block:
        return {policy.domain: policy for policy in DomainPolicy.objects.all()}
    now = time.monotonic()
    if _policy_cache and now - _policy_cache[0][0] < POLICY_CACHE_SECONDS:
        return _policy_cache[0][1]
    policies = {policy.domain: policy for policy in DomainPolicy.objects.all()}
    _policy_cache[:] = [(now, policies)]
    return policies


def forget_cached_policies() -> None:
    """Drop this process's cached policies, after a change."""
    _policy_cache.clear()


def policy_for_domain(domain: str) -> DomainPolicy | None:
    """Return the policy that governs a domain: its own, or the nearest parent domain's."""
    policies = _policies_by_domain()
    for candidate in domain_candidates(domain):
        if candidate in policies:
            return policies[candidate]
    return None


def is_domain_suspended(domain: str) -> bool:
    """Return whether all traffic with the domain is refused."""
    policy = policy_for_domain(domain)
    return policy is not None and policy.is_suspended


def register_suspension_reader(reader: Callable[[], Iterable[str]]) -> None:
    """Name the function that lists the ids of suspended remote accounts.

    Suspensions are moderation actions, which the governance app owns; it
    registers its reader when it loads, so this floor imports no app.
    """
    _suspension_readers[:] = [reader]


def suspended_actor_uris() -> frozenset[str]:
    """Return the ids of the remote accounts a moderation action in force suspends."""

    # Read on every inbox POST and signed fetch: cached like the domain
    # policies (a few seconds per process, fresh inside a transaction), so a
    # suspension reaches every process within POLICY_CACHE_SECONDS.
    def read() -> frozenset[str]:
        return frozenset(uri for reader in _suspension_readers for uri in reader() if uri)

    if connection.in_atomic_block:
        return read()
    now = time.monotonic()
    if _suspension_cache and now - _suspension_cache[0][0] < POLICY_CACHE_SECONDS:
        return _suspension_cache[0][1]
    uris = read()
    _suspension_cache[:] = [(now, uris)]
    return uris


def is_actor_suspended(actor_uri: str) -> bool:
    """Return whether a moderation action in force suspends the actor with this id."""
    return actor_uri in suspended_actor_uris()


def forget_cached_suspensions() -> None:
    """Drop this process's cached account suspensions, after a change."""
    _suspension_cache.clear()


def inboxes_for_actors(actors: list[Actor]) -> list[str]:
    """Return the distinct inboxes that reach these remote actors: the shared inbox when advertised.

    Accounts a moderation action suspended are left out: nothing more is
    delivered to them (their neighbours on a shared inbox still are reached).
    """
    remote = [actor for actor in actors if not actor.is_local]
    if not remote:
        return []
    suspended = suspended_actor_uris()
    inboxes = {actor.shared_inbox_uri or actor.inbox_uri for actor in remote if actor.uri not in suspended}
    return sorted(inbox for inbox in inboxes if inbox)


def follower_inboxes(actor: Actor) -> list[str]:
    """Return the distinct inboxes of an actor's accepted remote followers."""
    followers = Actor.objects.filter(following_set__target=actor, following_set__state="accepted", domain__gt="").only(
        "inbox_uri", "shared_inbox_uri", "domain"
    )
    return inboxes_for_actors(list(followers))


def delivery_queue_by_host() -> list[dict[str, object]]:
    """Return per-host counts of deliveries by state, busiest hosts first.

    For the rows waiting, each host also has `next_attempt_at` (the soonest
    pending row's; a claimed row's is the end of its claim), and
    `last_error` with `last_error_at` (the latest failed attempt's).
    """
    waiting = Delivery.objects.filter(
        host=OuterRef("host"), state=Delivery.State.PENDING, last_attempt_at__isnull=False
    )
    latest_failure = waiting.exclude(last_error="").order_by("-last_attempt_at")
    pending = Q(state=Delivery.State.PENDING)
    rows = (
        Delivery.objects.values("host")
        .annotate(
            pending=Count("id", filter=pending),
            delivered=Count("id", filter=Q(state=Delivery.State.DELIVERED)),
            failed=Count("id", filter=Q(state=Delivery.State.FAILED)),
            abandoned=Count("id", filter=Q(state=Delivery.State.ABANDONED)),
            next_attempt_at=Min("next_attempt_at", filter=pending),
            last_error_at=Max("last_attempt_at", filter=pending & ~Q(last_error="")),
            last_error=Subquery(latest_failure.values("last_error")[:1]),
        )
        .order_by("-pending", "host")
    )
    return list(rows)


def erased_local_actor(username: str) -> Actor | None:
    """Return the erased local account that held this username, if any (its URLs answer 410 Gone)."""
    return Actor.objects.filter(domain="", username__iexact=username, deleted_at__isnull=False).first()

"""Another co-op's assembly decisions on domains, read from its public log over ActivityPub, with their provenance."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from federation.errors import RemoteActorUnavailable
from federation.models import DomainPolicy
from federation.uris import instance_actor_uri
from governance.actions.blocklists import do_import_blocklist
from governance.actions.log import do_append_log_entry
from governance.coop_blocklists import read_coop_decisions
from governance.errors import ProposalRefused
from governance.models import BlocklistMandate, LogEntry, ModerationAction
from governance.payloads import check_payload
from tests.factories.governance import adopt_blocklist_mandate

pytestmark = pytest.mark.django_db

Fetch = Callable[[str], dict[str, Any]]


def peer_log_fetch(tamper: Callable[[dict[str, Any]], None] | None = None) -> Fetch:
    """Return a fetch that reads this server's own log collection as a peer would (ActivityPub JSON)."""
    client = Client()

    def fetch(url: str) -> dict[str, Any]:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        document: dict[str, Any] = client.get(path, headers={"Accept": "application/activity+json"}).json()
        if tamper is not None and document.get("type") == "OrderedCollectionPage":
            tamper(document)
        return document

    return fetch


def peer_decides(domain: str, proposal: int, details: dict[str, Any]) -> LogEntry:
    """Write the entries a peer's assembly writes when a domain policy passes: the closing, then the policy."""
    closing = do_append_log_entry(
        LogEntry.Kind.PROPOSAL_CLOSED,
        summary=f"Proposal #{proposal} passed: Suspend {domain}",
        data={"proposal": proposal, "outcome": "passed", "reason": "12 of 20 members voted, 10 in favour."},
    )
    return do_append_log_entry(
        LogEntry.Kind.DOMAIN_POLICY,
        summary=f"Suspend {domain}, by Proposal #{proposal}",
        data={"proposal": proposal, "result_entry": closing.sequence, "domain": domain, "details": details},
    )


def coop_mandate(**payload: Any) -> BlocklistMandate:
    return adopt_blocklist_mandate(sources=[{"coop": instance_actor_uri()}], **payload)


def test_a_peers_decisions_are_read_with_their_provenance_and_its_lifts_honoured() -> None:
    decided = peer_decides("spam.example", 7, {"severity": "suspend", "reject_media": True, "public_comment": "Spam"})
    peer_decides("loud.example", 8, {"severity": "silence"})
    do_append_log_entry(
        LogEntry.Kind.DOMAIN_POLICY_LIFTED,
        summary="Policy on loud.example lifted by Proposal #9",
        data={"proposal": 9, "result_entry": decided.sequence, "domain": "loud.example"},
    )
    # A moderator's own action on the peer is not its assembly's decision.
    do_append_log_entry(LogEntry.Kind.MODERATION_ACTION, summary="Domain policy of x.example", data={"domain": "x"})
    log = read_coop_decisions(instance_actor_uri(), peer_log_fetch())
    assert log.problems == []
    assert [decision.entry.domain for decision in log.decisions] == ["spam.example"]
    (decision,) = log.decisions
    assert (decision.entry.severity, decision.entry.reject_media, decision.entry.public_comment) == (
        "suspend",
        True,
        "Spam",
    )
    host = urlsplit(instance_actor_uri()).netloc
    assert decision.provenance.startswith(f"Proposal #7 of {host}, passed on ")
    assert "(12 of 20 members voted, 10 in favour)" in decision.provenance
    assert decision.provenance.endswith(f"their log entry #{decided.sequence}")


def test_an_entry_whose_hash_does_not_match_is_ignored() -> None:
    peer_decides("spam.example", 7, {"severity": "suspend"})

    def tamper(page: dict[str, Any]) -> None:
        for item in page["orderedItems"]:
            entry = item["object"]["mutualsLogEntry"]
            if entry["kind"] == LogEntry.Kind.DOMAIN_POLICY:
                entry["data"]["details"] = {"severity": "suspend", "public_comment": "Forged"}

    log = read_coop_decisions(instance_actor_uri(), peer_log_fetch(tamper))
    assert log.decisions == []
    assert "does not match its hash" in log.problems[0]


def test_an_import_applies_a_peers_decisions_citing_the_mandate_and_the_vote_and_lifts_what_it_lifts() -> None:
    mandate = coop_mandate()
    peer_decides("spam.example", 7, {"severity": "suspend"})
    first = do_import_blocklist(mandate, fetch_document=peer_log_fetch())
    assert first.created == ["spam.example"]
    assert DomainPolicy.objects.get(domain="spam.example").severity == "suspend"
    entry = LogEntry.objects.filter(kind=LogEntry.Kind.MODERATION_ACTION).get()
    assert entry.visibility == "public"
    assert mandate.authority in entry.summary
    assert ", from Proposal #7 of " in entry.summary
    assert entry.data["source"].startswith("Proposal #7 of ")
    rows, log = ModerationAction.objects.count(), LogEntry.objects.count()
    assert do_import_blocklist(mandate, fetch_document=peer_log_fetch()).unchanged == 1
    assert (ModerationAction.objects.count(), LogEntry.objects.count()) == (rows, log)

    do_append_log_entry(
        LogEntry.Kind.DOMAIN_POLICY_LIFTED,
        summary="Policy on spam.example lifted by Proposal #9",
        data={"proposal": 9, "result_entry": 1, "domain": "spam.example"},
    )
    assert do_import_blocklist(mandate, fetch_document=peer_log_fetch()).lifted == ["spam.example"]
    assert not DomainPolicy.objects.filter(domain="spam.example").exists()


def test_an_unreachable_coop_is_a_problem_and_lifts_nothing() -> None:
    mandate = coop_mandate()
    peer_decides("spam.example", 7, {"severity": "suspend"})
    do_import_blocklist(mandate, fetch_document=peer_log_fetch())

    def unreachable(url: str) -> dict[str, Any]:
        raise RemoteActorUnavailable(f"{url} answered 503.")

    rows, log = ModerationAction.objects.filter(state="active").count(), LogEntry.objects.count()
    result = do_import_blocklist(mandate, fetch_document=unreachable)
    assert result.problems == [f"{instance_actor_uri()}: {instance_actor_uri()} answered 503."]
    assert result.lifted == []
    assert (ModerationAction.objects.filter(state="active").count(), LogEntry.objects.count()) == (rows, log)


def test_a_log_served_from_another_host_is_refused() -> None:
    peer_decides("spam.example", 7, {"severity": "suspend"})
    fetch = peer_log_fetch()

    def elsewhere(url: str) -> dict[str, Any]:
        document = copy.deepcopy(fetch(url))
        if document.get("type") == "Application":
            document["outbox"] = "https://lists.example/outbox"
        return document

    mandate = coop_mandate()
    result = do_import_blocklist(mandate, fetch_document=elsewhere)
    assert result.created == []
    assert "is not on" in result.problems[0]
    assert not DomainPolicy.objects.exists()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"coop": "http://10.0.0.5/actor"}, "only https"),
        ({"coop": "https://peer.example/actor", "url": "https://peer.example/list.csv"}, "one of a url"),
        ({"coop": 5}, "only https"),
    ],
)
def test_a_coop_source_is_checked(source: dict[str, Any], message: str) -> None:
    with pytest.raises(ProposalRefused, match=message):
        check_payload("blocklist_mandate", {"sources": [source], "max_severity": "suspend", "review_months": 6})
    assert not BlocklistMandate.objects.exists()

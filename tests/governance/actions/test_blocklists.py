"""Blocklist mandates: adopted by proposal and logged; their sources imported idempotently, citing them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from federation.models import DomainPolicy
from governance.actions.blocklists import add_months, do_import_blocklist, do_import_blocklists
from governance.actions.moderation import check_take_moderation_action, do_take_moderation_action
from governance.errors import ProposalRefused
from governance.models import LogEntry, ModerationAction
from governance.payloads import check_payload
from tests.factories.governance import adopt_blocklist_mandate, adopt_rules, make_moderator

pytestmark = pytest.mark.django_db

LIST = (
    "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n"
    "spam.example,suspend,true,false,Spam,false\n"
    "loud.example,silence,false,false,Harassment,false\n"
    "media.example,noop,true,false,,false\n"
)


class _ListHandler(BaseHTTPRequestHandler):
    body = LIST.encode()

    def do_GET(self) -> None:
        """Serve the list as a CSV file."""
        self.send_response(200 if self.path == "/blocklist.csv" else 404)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def list_server(settings: SettingsWrapper) -> Iterator[str]:
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = True
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _ListHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_passed_proposal_adopts_the_mandate_and_logs_it() -> None:
    mandate = adopt_blocklist_mandate(max_severity="silence", review_months=3)
    assert mandate.max_severity == "silence"
    assert mandate.role == "moderator"
    assert mandate.review_due_at == add_months(mandate.adopted_at, 3)
    entry = LogEntry.objects.get(kind=LogEntry.Kind.BLOCKLIST_MANDATE)
    assert entry.visibility == "public"
    assert entry.data["mandate"] == mandate.pk
    assert entry.data["proposal"] == mandate.proposal_id
    assert f"Blocklist mandate #{mandate.pk}" in entry.summary
    assert mandate.proposal.enactment["blocklist_mandate"] == mandate.pk


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"sources": [], "max_severity": "suspend", "review_months": 6}, "sources must list"),
        ({"sources": [{"url": "http://lists.example/b.csv"}], "max_severity": "suspend", "review_months": 6}, "https"),
        ({"sources": [{"csv": "a.example\nex*mple.com\n"}], "max_severity": "suspend", "review_months": 6}, "line 2"),
        ({"sources": [{"csv": "a.example"}], "max_severity": "noop", "review_months": 6}, "max_severity"),
        ({"sources": [{"csv": "a.example"}], "max_severity": "suspend", "review_months": 0}, "review_months"),
        (
            {"sources": [{"csv": "a.example"}], "max_severity": "suspend", "review_months": 6, "role": "treasurer"},
            "role",
        ),
    ],
)
def test_a_mandate_payload_is_checked(payload: dict[str, object], message: str) -> None:
    with pytest.raises(ProposalRefused, match=message):
        check_payload("blocklist_mandate", payload)


def test_import_applies_each_block_citing_the_mandate_and_a_second_import_changes_nothing() -> None:
    mandate = adopt_blocklist_mandate(sources=[{"csv": LIST}], max_severity="silence")
    first = do_import_blocklist(mandate)
    assert first.created == ["loud.example", "media.example", "spam.example"]
    # Above the mandate's severity, a listed suspension is applied as a limit.
    assert DomainPolicy.objects.get(domain="spam.example").severity == "silence"
    assert DomainPolicy.objects.get(domain="spam.example").reject_media is True
    assert DomainPolicy.objects.get(domain="media.example").severity == "noop"
    actions = ModerationAction.objects.filter(kind="domain")
    assert {action.mandate_id for action in actions} == {mandate.pk}
    assert {action.authority for action in actions} == {mandate.authority}
    assert not any(action.emergency for action in actions)
    entries = LogEntry.objects.filter(kind=LogEntry.Kind.MODERATION_ACTION)
    assert entries.count() == 3
    assert all(entry.data["mandate"] == mandate.pk and entry.visibility == "public" for entry in entries)
    assert all(mandate.authority in entry.summary for entry in entries)

    rows, log = ModerationAction.objects.count(), LogEntry.objects.count()
    second = do_import_blocklist(mandate)
    assert (second.created, second.changed, second.unchanged) == ([], [], 3)
    assert (ModerationAction.objects.count(), LogEntry.objects.count()) == (rows, log)


def test_import_changes_its_own_blocks_when_the_list_changes_and_leaves_others_alone() -> None:
    (rule,) = adopt_rules("No spam.")
    moderator = make_moderator()
    draft = check_take_moderation_action(
        moderator,
        kind="domain",
        rule_version_ids=[rule.pk],
        target_domain="loud.example",
        details={"severity": "suspend"},
    )
    emergency = do_take_moderation_action(moderator, draft)
    mandate = adopt_blocklist_mandate(sources=[{"csv": LIST}])
    do_import_blocklist(mandate)
    assert do_import_blocklist(mandate).skipped == ["loud.example"]
    assert ModerationAction.objects.get(pk=emergency.pk).state == "active"
    assert DomainPolicy.objects.get(domain="loud.example").severity == "suspend"

    mandate.sources = [{"csv": "spam.example,silence\n"}]
    mandate.save(update_fields=["sources"])
    changed = do_import_blocklist(mandate)
    assert changed.changed == ["spam.example"]
    assert DomainPolicy.objects.get(domain="spam.example").severity == "silence"
    assert ModerationAction.objects.filter(target_domain="spam.example").count() == 1
    # media.example is listed no more: its block is lifted, and the lifting logged citing the mandate.
    assert changed.lifted == ["media.example"]
    assert ModerationAction.objects.get(target_domain="media.example").state == "reversed"
    assert not DomainPolicy.objects.filter(domain="media.example").exists()
    reversal = LogEntry.objects.get(kind=LogEntry.Kind.MODERATION_REVERSED)
    assert reversal.visibility == "public"
    assert f"No longer listed by the sources of {mandate.authority}" in reversal.summary
    # The rule-based block on loud.example is not the import's to lift.
    assert ModerationAction.objects.get(pk=emergency.pk).state == "active"
    assert do_import_blocklist(mandate).lifted == []


def test_an_unreadable_source_lifts_nothing(list_server: str) -> None:
    mandate = adopt_blocklist_mandate(sources=[{"url": f"{list_server}/blocklist.csv"}])
    assert len(do_import_blocklist(mandate).created) == 3
    mandate.sources = [{"url": f"{list_server}/gone"}]
    mandate.save(update_fields=["sources"])
    rows, log = ModerationAction.objects.filter(state="active").count(), LogEntry.objects.count()
    result = do_import_blocklist(mandate)
    assert result.lifted == []
    assert result.problems == [f"{list_server}/gone: {list_server}/gone answered 404."]
    assert (ModerationAction.objects.filter(state="active").count(), LogEntry.objects.count()) == (rows, log)


def test_import_fetches_a_url_source_through_the_guarded_transport(list_server: str) -> None:
    mandate = adopt_blocklist_mandate(sources=[{"url": f"{list_server}/blocklist.csv"}, {"url": f"{list_server}/gone"}])
    result = do_import_blocklist(mandate)
    assert result.created == ["loud.example", "media.example", "spam.example"]
    assert result.problems == [f"{list_server}/gone: {list_server}/gone answered 404."]
    assert DomainPolicy.objects.get(domain="spam.example").severity == "suspend"
    assert do_import_blocklist(mandate).unchanged == 3
    mandate.refresh_from_db()
    assert mandate.last_import["unchanged"] == 3


def test_a_url_source_on_a_private_address_is_not_fetched(list_server: str, settings: SettingsWrapper) -> None:
    mandate = adopt_blocklist_mandate(sources=[{"url": f"{list_server}/blocklist.csv"}])
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = False
    result = do_import_blocklist(mandate)
    assert result.created == []
    assert "Refusing to contact" in result.problems[0]
    assert not DomainPolicy.objects.exists()


def test_a_mandate_whose_review_is_due_imports_nothing() -> None:
    mandate = adopt_blocklist_mandate()
    later = mandate.review_due_at + timedelta(days=1)
    assert do_import_blocklists(now=later) == []
    assert "not in force" in do_import_blocklist(mandate, now=later).problems[0]
    assert not DomainPolicy.objects.exists()
    assert timezone.now() < mandate.review_due_at


def test_the_command_imports_on_demand(capsys: pytest.CaptureFixture[str]) -> None:
    mandate = adopt_blocklist_mandate(sources=[{"csv": LIST}])
    call_command("import_blocklists")
    assert f"Blocklist mandate #{mandate.pk}: 3 applied, 0 changed, 0 unchanged" in capsys.readouterr().out
    call_command("import_blocklists", mandate=mandate.pk)
    assert "0 applied, 0 changed, 3 unchanged" in capsys.readouterr().out

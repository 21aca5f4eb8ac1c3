"""The log is served as a page, as JSON and as an ActivityPub collection, by visibility."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from federation.uris import base_url
from governance.actions.log import do_append_log_entry
from governance.actions.moderation import check_take_moderation_action, do_take_moderation_action
from governance.models import LogEntry, LogVisibility
from tests.factories.federation import LocalActorFactory
from tests.factories.governance import adopt_rules, close, make_moderator, open_proposal, vote
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

ACTIVITY_JSON = {"Accept": "application/activity+json"}


@pytest.fixture
def entries() -> None:
    do_append_log_entry(LogEntry.Kind.BUDGET, summary="Public budget", data={})
    do_append_log_entry(
        LogEntry.Kind.MODERATION_ACTION, summary="Private action", data={}, visibility=LogVisibility.MODERATORS
    )


@pytest.mark.usefixtures("entries")
def test_anonymous_readers_see_public_entries_only() -> None:
    page = Client().get("/governance/log")
    assert page.status_code == 200
    assert b"Public budget" in page.content
    assert b"Private action" not in page.content
    assert [entry["summary"] for entry in Client().get("/governance/log?format=json").json()] == ["Public budget"]


@pytest.mark.usefixtures("entries")
def test_moderators_see_moderator_entries() -> None:
    client = Client()
    client.force_login(make_moderator())
    summaries = [entry["summary"] for entry in client.get("/governance/log?format=json").json()]
    assert summaries == ["Public budget", "Private action"]


@pytest.mark.usefixtures("entries")
def test_peers_get_an_ordered_collection_of_public_entries() -> None:
    collection = Client().get("/governance/log", headers=ACTIVITY_JSON)
    assert collection["Content-Type"].startswith("application/activity+json")
    document = collection.json()
    assert document["type"] == "OrderedCollection"
    assert document["totalItems"] == 1
    page = Client().get(document["first"].split("localhost:8000", 1)[-1], headers=ACTIVITY_JSON).json()
    assert page["type"] == "OrderedCollectionPage"
    # The collection is the instance actor's outbox: each item is the Create that published an entry.
    [item] = page["orderedItems"]
    assert item["type"] == "Create"
    assert item["actor"] == f"{base_url()}/actor"
    assert item["object"]["content"].startswith("<p>Public budget</p>")
    assert item["object"]["mutualsLogEntry"]["sequence"] == 1
    assert "mutualsLogEntry" in page["@context"][2]


@pytest.mark.usefixtures("entries")
def test_a_public_entry_is_a_note_at_its_id() -> None:
    response = Client().get("/governance/log/1", headers=ACTIVITY_JSON)
    assert response.status_code == 200
    note = response.json()
    assert note["id"] == f"{base_url()}/governance/log/1"
    assert note["type"] == "Note"
    assert note["attributedTo"] == f"{base_url()}/actor"
    assert note["mutualsLogEntry"]["summary"] == "Public budget"


@pytest.mark.usefixtures("entries")
def test_a_moderators_entry_is_hidden_from_peers_and_anonymous_readers() -> None:
    assert Client().get("/governance/log/2", headers=ACTIVITY_JSON).status_code == 404
    assert Client().get("/governance/log/2?format=json").status_code == 404
    assert Client().get("/governance/log/2").status_code == 404
    moderator = Client()
    moderator.force_login(make_moderator())
    assert moderator.get("/governance/log/2?format=json").json()["summary"] == "Private action"
    # Even a moderator's signed-in session does not make the entry an ActivityPub document.
    assert moderator.get("/governance/log/2", headers=ACTIVITY_JSON).status_code == 404


@pytest.mark.usefixtures("entries")
def test_each_entry_has_its_own_page_linked_from_the_log() -> None:
    assert 'href="/governance/log/1"' in Client().get("/governance/log").content.decode()
    response = Client().get("/governance/log/1")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Public budget" in page
    assert "/governance/log?after=0#entry-1" in page
    assert LogEntry.objects.get(sequence=1).entry_hash in page


def test_a_ratified_warning_and_action_pages_link_vote_rule_and_action_for_anyone() -> None:
    (rule,) = adopt_rules("No harassment.")
    moderator = make_moderator()
    member = LocalActorFactory.create(user=make_member(username="frank_real"))
    action = do_take_moderation_action(
        moderator,
        check_take_moderation_action(
            moderator, kind="limit", rule_version_ids=[rule.pk], target_account_id=member.pk, emergency=True
        ),
    )
    proposal = open_proposal(moderator, title="Ratify the limit", ratifies=[action.pk])
    vote(moderator, proposal, 0)
    close(proposal)
    taken = LogEntry.objects.get(kind=LogEntry.Kind.MODERATION_ACTION)
    ratified = LogEntry.objects.get(kind=LogEntry.Kind.EMERGENCY_RATIFIED)
    anonymous = Client()
    assert f'href="/governance/log/{taken.sequence}"' in anonymous.get("/governance/log").content.decode()
    for entry in (taken, ratified):
        page = anonymous.get(f"/governance/log/{entry.sequence}").content.decode()
        assert f"/governance/proposals/{proposal.pk}" in page
        assert f"/governance/rules#rule-{rule.rule.pk}" in page
        assert "No harassment." in page
        assert f"#{action.pk} Limit account" in page
        assert "frank_real" not in page
    page = anonymous.get(f"/governance/log/{taken.sequence}").content.decode()
    assert f'href="/governance/log/{ratified.sequence}"' in page


@pytest.mark.usefixtures("entries")
def test_secure_mode_refuses_unsigned_fetches_of_the_collection_and_entries(settings: SettingsWrapper) -> None:
    settings.MUTUALS_AUTHORIZED_FETCH = True
    for path in ("/governance/log", "/governance/log?page=true", "/governance/log/1"):
        response = Client().get(path, headers=ACTIVITY_JSON)
        assert response.status_code == 401
        assert "signed fetches" in response.json()["error"]
    # People still read the public log.
    assert b"Public budget" in Client().get("/governance/log").content


@pytest.mark.usefixtures("entries")
def test_readers_filter_the_log_by_kind_and_visibility() -> None:
    do_append_log_entry(LogEntry.Kind.RULE_VERSION, summary="Rule 3 adopted", data={})
    anonymous = Client()
    by_kind = anonymous.get("/governance/log", {"kind": "rule.version", "format": "json"}).json()
    assert [entry["summary"] for entry in by_kind] == ["Rule 3 adopted"]
    assert "Rule 3 adopted" in anonymous.get("/governance/log", {"kind": "rule.version"}).content.decode()
    # Asking for a level one may not see shows nothing more than one may see.
    hidden = anonymous.get("/governance/log", {"visibility": "moderators", "format": "json"}).json()
    assert [entry["summary"] for entry in hidden] == ["Public budget", "Rule 3 adopted"]
    moderator = Client()
    moderator.force_login(make_moderator())
    only_private = moderator.get("/governance/log", {"visibility": "moderators", "format": "json"}).json()
    assert [entry["summary"] for entry in only_private] == ["Private action"]


@pytest.mark.usefixtures("entries")
def test_an_unknown_filter_value_is_ignored_on_the_page_and_in_json_alike() -> None:
    anonymous = Client()
    for query in ({"kind": "no.such.kind"}, {"kind": ""}, {"visibility": "nobody"}):
        listed = anonymous.get("/governance/log", {**query, "format": "json"}).json()
        assert [entry["summary"] for entry in listed] == ["Public budget"]
        response = anonymous.get("/governance/log", query)
        assert response.status_code == 200
        assert "Public budget" in response.content.decode()
    # The kind list offers every kind in one select, the unknown one chosen nowhere.
    page = anonymous.get("/governance/log", {"kind": "no.such.kind"}).content.decode()
    assert '<select id="log-kind" name="kind">' in page
    kinds = page.split('id="log-kind"')[1].split("</select>")[0]
    assert "multiple" not in kinds
    assert " selected" not in kinds


@pytest.mark.usefixtures("entries")
def test_a_filter_matching_nothing_says_so_and_members_filter_by_visibility_with_checkboxes() -> None:
    anonymous = Client()
    page = anonymous.get("/governance/log", {"kind": "rule.version"}).content.decode()
    assert "No entry matches these filters." in page
    assert 'type="checkbox"' not in page  # One level to see: nothing to choose.
    moderator = Client()
    moderator.force_login(make_moderator())
    page = moderator.get("/governance/log", {"visibility": "moderators"}).content.decode()
    assert 'id="log-visibility-moderators" name="visibility" value="moderators" checked' in page
    assert "Private action" in page
    assert "Public budget" not in page


def test_the_log_page_tells_members_how_to_check_the_chain() -> None:
    page = Client().get("/governance/log").content.decode()
    assert "hash chain" in page
    assert f"<code>{base_url()}/governance/log</code>" in page
    assert 'href="?format=json"' in page
    assert "manage.py verify_log" in page
    assert "Nothing has been recorded yet." in page

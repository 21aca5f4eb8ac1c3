"""A blocklist tool syncs through Mastodon's admin API: blocks under a mandate cite it, and a second sync is a no-op.

The tool is Mastodon.py, its requests answered by the Django test client, so
the requests are exactly the ones a blocklist tool sends to Mastodon.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from io import BytesIO
from typing import Any

import pytest
import requests
from django.test import Client
from mastodon import Mastodon, MastodonAPIError
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from federation.models import DomainPolicy
from governance.models import BlocklistMandate, LogEntry, ModerationAction
from tests.factories.governance import adopt_blocklist_mandate, make_moderator
from tests.factories.oauth import AccessTokenFactory

pytestmark = pytest.mark.django_db

BLOCKLIST: list[dict[str, Any]] = [
    {"domain": "spam.example", "severity": "suspend", "reject_media": True, "public_comment": "Spam"},
    {"domain": "loud.example", "severity": "silence", "public_comment": "Harassment"},
]


class DjangoTestClientAdapter(BaseAdapter):
    """Answer a requests session's requests with the Django test client."""

    def __init__(self) -> None:
        super().__init__()
        self.client = Client()

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        """Send the prepared request to the test client and return its answer as a requests response."""
        url = str(request.url).removeprefix("http://testserver")
        headers: Mapping[str, str] = request.headers
        body = request.body or b""
        answer = self.client.generic(
            str(request.method),
            url,
            data=body.encode() if isinstance(body, str) else body,
            content_type=headers.get("Content-Type", ""),
            headers={name: value for name, value in headers.items() if name.lower() != "content-type"},
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(dict(answer.headers.items()))
        response.raw = BytesIO(answer.content)
        response.url = str(request.url)
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        """Hold nothing open."""


def blocklist_tool(scope: str = "admin:read admin:write") -> Mastodon:
    """Return Mastodon.py signed in as a moderator whose token has the admin scopes."""
    token = AccessTokenFactory.create(user=make_moderator(), scope=scope).token
    session = requests.Session()
    session.mount("http://testserver", DjangoTestClientAdapter())
    return Mastodon(
        access_token=token,
        api_base_url="http://testserver",
        session=session,
        version_check_mode="none",
        mastodon_version="4.2.0",
    )


def sync(api: Mastodon, blocklist: list[dict[str, Any]]) -> None:
    """Push a blocklist as blocklist tools do: create what is missing, update what differs on severity."""
    current = {block["domain"]: block for block in api.admin_domain_blocks()}
    for block in blocklist:
        existing = current.get(block["domain"])
        if existing is None:
            api.admin_create_domain_block(**block)
        elif existing["severity"] != block["severity"]:
            api.admin_update_domain_block(existing["id"], severity=block["severity"])


def test_first_sync_applies_citing_the_mandate_and_a_second_sync_is_a_no_op() -> None:
    mandate = adopt_blocklist_mandate()
    api = blocklist_tool()
    log_before = LogEntry.objects.count()
    sync(api, BLOCKLIST)

    assert DomainPolicy.objects.get(domain="spam.example").severity == "suspend"
    assert DomainPolicy.objects.get(domain="spam.example").reject_media is True
    assert DomainPolicy.objects.get(domain="loud.example").severity == "silence"
    actions = ModerationAction.objects.filter(kind="domain")
    assert {(action.mandate_id, action.authority, action.emergency) for action in actions} == {
        (mandate.pk, mandate.authority, False)
    }
    entries = LogEntry.objects.filter(sequence__gt=log_before).order_by("sequence")
    assert [entry.data["target_domain"] for entry in entries] == ["spam.example", "loud.example"]
    assert all(entry.visibility == "public" and entry.data["mandate"] == mandate.pk for entry in entries)
    assert all(f"citing {mandate.authority}" in entry.summary for entry in entries)

    listed = api.admin_domain_blocks()
    assert {(block["domain"], block["severity"]) for block in listed} == {
        ("spam.example", "suspend"),
        ("loud.example", "silence"),
    }
    first = next(block for block in listed if block["domain"] == "spam.example")
    assert first["digest"] == hashlib.sha256(b"spam.example").hexdigest()
    assert first["reject_media"] is True
    assert first["public_comment"] == "Spam"
    assert first["obfuscate"] is False

    rows, log = ModerationAction.objects.count(), LogEntry.objects.count()
    sync(api, BLOCKLIST)
    # A tool that posts every block again, without diffing, changes nothing either.
    for block in BLOCKLIST:
        again = api.admin_create_domain_block(**block)
        assert again["domain"] == block["domain"]
    assert (ModerationAction.objects.count(), LogEntry.objects.count()) == (rows, log)


def test_a_changed_severity_is_updated_and_logged_once() -> None:
    adopt_blocklist_mandate()
    api = blocklist_tool()
    sync(api, BLOCKLIST)
    log = LogEntry.objects.count()
    changed = [dict(BLOCKLIST[0], severity="silence"), BLOCKLIST[1]]
    sync(api, changed)
    assert DomainPolicy.objects.get(domain="spam.example").severity == "silence"
    assert LogEntry.objects.count() == log + 1
    sync(api, changed)
    assert LogEntry.objects.count() == log + 1


def test_without_a_mandate_the_sync_is_refused_saying_what_is_missing_and_nothing_changes() -> None:
    api = blocklist_tool()
    rows, log = ModerationAction.objects.count(), LogEntry.objects.count()
    with pytest.raises(MastodonAPIError, match="No blocklist mandate in force covers severity suspend"):
        sync(api, BLOCKLIST)
    assert not DomainPolicy.objects.exists()
    assert (ModerationAction.objects.count(), LogEntry.objects.count()) == (rows, log)


def test_a_block_above_the_mandates_severity_is_refused_and_nothing_changes() -> None:
    adopt_blocklist_mandate(max_severity="silence")
    api = blocklist_tool()
    rows, log = ModerationAction.objects.count(), LogEntry.objects.count()
    with pytest.raises(MastodonAPIError, match="covers severity suspend: they allow at most silence"):
        api.admin_create_domain_block(**BLOCKLIST[0])
    assert not DomainPolicy.objects.exists()
    assert (ModerationAction.objects.count(), LogEntry.objects.count()) == (rows, log)
    created = api.admin_create_domain_block(**BLOCKLIST[1])
    with pytest.raises(MastodonAPIError, match="they allow at most silence"):
        api.admin_update_domain_block(created["id"], severity="suspend")
    assert DomainPolicy.objects.get(domain="loud.example").severity == "silence"


def test_a_mandate_for_admins_refuses_a_moderator() -> None:
    adopt_blocklist_mandate(role="admin")
    with pytest.raises(MastodonAPIError, match="holders of the role admin"):
        blocklist_tool().admin_create_domain_block(**BLOCKLIST[1])
    assert not BlocklistMandate.objects.filter(actions__isnull=False).exists()

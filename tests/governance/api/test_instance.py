"""The instance resource: v1 and v2 descriptions, rules, peers, activity, charter and domain policies."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from config.vapid import vapid_public_key
from federation.models import Actor, DomainPolicy
from governance.actions.founding import RuleText, do_adopt_founding_documents
from governance.models import RuleVersion
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.timeline import StatusFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def founded() -> None:
    """Adopt a charter and two rules."""
    do_adopt_founding_documents(
        "Our charter", "We own this.\n\nTogether.", [RuleText("Be kind", "Really."), RuleText("No ads")]
    )


@pytest.mark.parametrize("path", ["/api/v2/instance", "/api/v2/instance/"])
def test_v2_instance_describes_the_server(path: str, founded: None, settings: Any) -> None:
    admin = LocalActorFactory.create(user__username="founder", username="founder", user__is_superuser=True)
    response = Client().get(path)
    assert response.status_code == 200
    body = response.json()
    assert body["domain"] == settings.MUTUALS_DOMAIN
    assert body["version"] == f"4.3.0 (compatible; Mutuals {settings.SOFTWARE_VERSION})"
    major, minor, patch = (int(part) for part in body["version"].split(" ")[0].split("."))
    assert (major, minor, patch) == (4, 3, 0)
    assert body["api_versions"] == {"mastodon": 2}
    configuration = body["configuration"]
    assert configuration["statuses"]["max_characters"] == 500
    assert configuration["polls"]["max_options"] == 4
    media = configuration["media_attachments"]
    # The limits the upload checks enforce.
    assert media["image_size_limit"] == 16 * 1024 * 1024
    assert media["image_matrix_limit"] == 33_177_600
    assert media["description_limit"] == 1500
    assert "image/webp" in media["supported_mime_types"] and "video/mp4" in media["supported_mime_types"]
    assert configuration["statuses"]["max_media_attachments"] == 4
    assert configuration["urls"]["streaming"].startswith(("ws://", "wss://"))
    assert configuration["timelines_access"]["live_feeds"]["local"] == "public"
    assert configuration["vapid"] == {"public_key": vapid_public_key()}
    versions = RuleVersion.objects.order_by("rule__position")
    assert body["rules"] == [
        {"id": str(versions[0].rule_id), "text": "Be kind", "hint": "Really."},
        {"id": str(versions[1].rule_id), "text": "No ads", "hint": ""},
    ]
    assert body["contact"]["account"]["id"] == str(admin.pk)


@pytest.mark.parametrize("path", ["/api/v1/instance", "/api/v1/instance/"])
def test_v1_instance_uses_the_bare_domain(path: str, alice: Actor, settings: Any) -> None:
    StatusFactory.create(account=alice)
    RemoteActorFactory.create()
    body = Client().get(path).json()
    assert body["uri"] == settings.MUTUALS_DOMAIN
    assert body["version"].startswith("4.3.0 (compatible; Mutuals ")
    assert body["stats"] == {"user_count": 1, "status_count": 1, "domain_count": 1}
    assert body["urls"]["streaming_api"].startswith(("ws://", "wss://"))
    assert body["contact_account"] is None


def test_rules_follow_amendments_and_retirement(founded: None) -> None:
    first, second = RuleVersion.objects.order_by("rule__position")
    RuleVersion.objects.create(
        rule=first.rule, version=2, text="Be very kind", effective_at=first.effective_at, adopted_by="Decision 3"
    )
    RuleVersion.objects.create(
        rule=second.rule, version=2, text="No ads", retired=True, effective_at=first.effective_at, adopted_by="D4"
    )
    body = Client().get("/api/v1/instance/rules").json()
    assert body == [{"id": str(first.rule_id), "text": "Be very kind", "hint": ""}]


def test_peers_lists_known_domains_except_suspended_ones() -> None:
    RemoteActorFactory.create(domain="a.example")
    RemoteActorFactory.create(domain="a.example")
    RemoteActorFactory.create(domain="sub.bad.example")
    DomainPolicy.objects.create(domain="bad.example", severity="suspend", authorised_by="Decision 1")
    assert Client().get("/api/v1/instance/peers").json() == ["a.example"]


def test_activity_covers_twelve_weeks(alice: Actor) -> None:
    StatusFactory.create(account=alice)
    weeks = Client().get("/api/v1/instance/activity").json()
    assert len(weeks) == 12
    assert weeks[0]["statuses"] == "1"
    assert weeks[0]["registrations"] == "1"
    assert all(isinstance(week[key], str) for week in weeks for key in ("week", "logins"))
    assert int(weeks[0]["week"]) > int(weeks[1]["week"])


def test_extended_description_is_the_charter(founded: None) -> None:
    body = Client().get("/api/v1/instance/extended_description").json()
    assert "<h2>Our charter</h2>" in body["content"]
    assert "We own this." in body["content"]
    assert body["updated_at"].endswith("Z")


def test_extended_description_before_founding() -> None:
    assert Client().get("/api/v1/instance/extended_description").json() == {"updated_at": None, "content": ""}


def test_domain_blocks_are_public_with_digest_and_obfuscation() -> None:
    DomainPolicy.objects.create(
        domain="spam.example", severity="suspend", public_comment="Spam", authorised_by="Decision 2"
    )
    DomainPolicy.objects.create(domain="hidden.example", severity="silence", obfuscate=True, authorised_by="D5")
    DomainPolicy.objects.create(domain="note.example", severity="noop", authorised_by="D6")
    body = Client().get("/api/v1/instance/domain_blocks").json()
    assert body == [
        {
            "domain": "h****n.e*****e",
            "digest": hashlib.sha256(b"hidden.example").hexdigest(),
            "severity": "silence",
            "comment": None,
        },
        {
            "domain": "spam.example",
            "digest": hashlib.sha256(b"spam.example").hexdigest(),
            "severity": "suspend",
            "comment": "Spam",
        },
    ]


def test_custom_emojis_and_cors_for_browser_clients() -> None:
    response = Client().get("/api/v1/custom_emojis", headers={"Origin": "https://elk.example"})
    assert response.json() == []
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Link" in response["Access-Control-Expose-Headers"]


def test_instance_refuses_writes() -> None:
    response = Client().post("/api/v2/instance")
    assert response.status_code == 405
    assert response.json() == {"error": "Method not allowed"}

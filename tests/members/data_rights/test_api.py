"""The co-op API for data rights: inventory, exports with resumable downloads, imports; only ever one's own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from members.actions.exports import export_path
from members.models import DataExport, DataImport, User
from tests.clients import minted_bearer_for
from tests.factories.federation import LocalActorFactory
from tests.members.data_rights.conftest import Member


def other_member() -> User:
    user = LocalActorFactory.create(user__username="eve").user
    assert user is not None
    return user


@pytest.fixture
def ready_export(client: Client, django_capture_on_commit_callbacks: Any) -> Any:
    """Return a function that asks for a member's export and returns it once built."""

    def ask(member: Member) -> dict[str, Any]:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/v1/coop/exports", headers=minted_bearer_for(member.user, "write:coop"))
        return check_ready(client, member, response)

    return ask


def check_ready(client: Client, member: Member, response: Any) -> dict[str, Any]:
    assert response.status_code == 202
    entity: dict[str, Any] = client.get(
        f"/api/v1/coop/exports/{response.json()['id']}", headers=minted_bearer_for(member.user)
    ).json()
    assert entity["state"] == "ready"
    return entity


@pytest.mark.django_db
def test_inventory_lists_every_category_with_counts_retention_and_basis(client: Client, rich_member: Member) -> None:
    response = client.get("/api/v1/coop/data", headers=minted_bearer_for(rich_member.user, "read:coop"))
    assert response.status_code == 200
    categories = {c["key"]: c for c in response.json()["categories"]}
    expected = {
        "profile", "statuses", "media", "following", "followers", "blocks", "mutes", "lists", "filters",
        "bookmarks", "favourites", "notifications", "push_subscriptions", "apps", "named_ballots", "secret_ballots",
        "register", "dues", "dues_tiers", "moderation", "reports_filed", "deliveries", "membership",
    }  # fmt: skip
    assert expected <= set(categories)
    assert categories["statuses"]["count"] == 5
    assert categories["following"]["count"] == 2 and categories["followers"]["count"] == 1
    assert categories["named_ballots"]["count"] == 1 and categories["secret_ballots"]["count"] == 1
    assert categories["register"]["kept_after_deletion"] is True
    assert categories["register"]["retention"] == "10 years"
    assert "register" in categories["register"]["legal_basis"]
    assert categories["statuses"]["kept_after_deletion"] is False
    assert categories["push_subscriptions"]["count"] == 0


@pytest.mark.django_db
def test_inventory_needs_a_token_with_the_coop_scope(client: Client, rich_member: Member) -> None:
    assert client.get("/api/v1/coop/data").status_code == 401
    assert (
        client.get("/api/v1/coop/data", headers=minted_bearer_for(rich_member.user, "read:statuses")).status_code == 403
    )


@pytest.mark.django_db
def test_export_is_built_and_downloaded_whole_or_in_ranges(
    client: Client, rich_member: Member, ready_export: Any
) -> None:
    entity = ready_export(rich_member)
    assert entity["progress"] == 100 and entity["download_url"].endswith(
        f"/api/v1/coop/exports/{entity['id']}/download"
    )
    export = DataExport.objects.get(pk=entity["id"])
    path = export_path(export)
    assert path is not None
    whole = path.read_bytes()
    url = f"/api/v1/coop/exports/{entity['id']}/download"
    headers = minted_bearer_for(rich_member.user, "read:coop")

    full = client.get(url, headers=headers)
    assert full.status_code == 200 and full["Accept-Ranges"] == "bytes"
    assert b"".join(full.streaming_content) == whole  # type: ignore[attr-defined]
    assert full["Content-Length"] == str(len(whole))

    part = client.get(url, headers={**headers, "Range": "bytes=10-99"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 10-99/{len(whole)}"
    assert b"".join(part.streaming_content) == whole[10:100]  # type: ignore[attr-defined]

    rest = client.get(url, headers={**headers, "Range": "bytes=100-"})
    assert b"".join(rest.streaming_content) == whole[100:]  # type: ignore[attr-defined]
    tail = client.get(url, headers={**headers, "Range": "bytes=-20"})
    assert b"".join(tail.streaming_content) == whole[-20:]  # type: ignore[attr-defined]

    beyond = client.get(url, headers={**headers, "Range": f"bytes={len(whole)}-"})
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(whole)}"
    backwards = client.get(url, headers={**headers, "Range": "bytes=50-10"})
    assert backwards.status_code == 416

    changed = client.get(url, headers={**headers, "Range": "bytes=10-99", "If-Range": '"stale"'})
    assert changed.status_code == 200


@pytest.mark.django_db
def test_another_member_can_neither_read_download_nor_see_an_export(
    client: Client, rich_member: Member, ready_export: Any
) -> None:
    entity = ready_export(rich_member)
    eve = minted_bearer_for(other_member())
    assert client.get(f"/api/v1/coop/exports/{entity['id']}", headers=eve).status_code == 404
    assert client.get(f"/api/v1/coop/exports/{entity['id']}/download", headers=eve).status_code == 404
    assert client.get("/api/v1/coop/exports", headers=eve).json() == []
    assert client.get(f"/api/v1/coop/exports/{entity['id']}/download").status_code == 401


@pytest.mark.django_db
def test_an_export_cannot_be_requested_for_someone_else_or_without_the_write_scope(
    client: Client, rich_member: Member
) -> None:
    eve = other_member()
    response = client.post(
        "/api/v1/coop/exports", {"user_id": rich_member.user.pk}, headers=minted_bearer_for(eve, "write:coop")
    )
    assert response.status_code == 202
    assert not DataExport.objects.filter(user=rich_member.user).exists()
    assert DataExport.objects.get().user == eve
    refused = client.post("/api/v1/coop/exports", headers=minted_bearer_for(rich_member.user, "read:coop"))
    assert refused.status_code == 403
    assert not DataExport.objects.filter(user=rich_member.user).exists()


@pytest.mark.django_db
def test_an_expired_export_answers_gone(client: Client, rich_member: Member, ready_export: Any) -> None:
    entity = ready_export(rich_member)
    DataExport.objects.filter(pk=entity["id"]).update(expires_at=timezone.now() - timedelta(minutes=1))
    from members.tasks import expire_data_exports

    assert expire_data_exports() == 1
    response = client.get(f"/api/v1/coop/exports/{entity['id']}/download", headers=minted_bearer_for(rich_member.user))
    assert response.status_code == 410
    assert (
        client.get(f"/api/v1/coop/exports/{entity['id']}", headers=minted_bearer_for(rich_member.user)).json()["state"]
        == "expired"
    )


@pytest.mark.django_db
def test_an_unfinished_export_cannot_be_downloaded(client: Client, rich_member: Member) -> None:
    export = DataExport.objects.create(user=rich_member.user, requested_at=timezone.now())
    response = client.get(f"/api/v1/coop/exports/{export.pk}/download", headers=minted_bearer_for(rich_member.user))
    assert response.status_code == 409


@pytest.mark.django_db
def test_csv_import_through_the_api_reports_each_line(
    client: Client, rich_member: Member, django_capture_on_commit_callbacks: Any
) -> None:
    upload = SimpleUploadedFile("blocked_domains.csv", b"bad.example\nnot a domain\n", content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/coop/imports",
            {"type": "domain_blocks", "mode": "merge", "data": upload},
            headers=minted_bearer_for(rich_member.user, "write:coop"),
        )
    assert response.status_code == 202, response.content
    report = client.get(
        f"/api/v1/coop/imports/{response.json()['id']}", headers=minted_bearer_for(rich_member.user)
    ).json()
    assert report["state"] == "finished" and report["progress"] == 100
    assert report["succeeded"] == 1 and report["failed"] == 1
    assert report["lines"] == [
        {"line": 1, "value": "bad.example", "outcome": "imported", "reason": ""},
        {
            "line": 2,
            "value": "not a domain",
            "outcome": "failed",
            "reason": "'not a domain' is not a domain name such as example.social.",
        },
    ]
    eve = minted_bearer_for(other_member())
    assert client.get(f"/api/v1/coop/imports/{response.json()['id']}", headers=eve).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"type": "following", "mode": "replace"}, "mode must be merge or overwrite"),
        ({"type": "statuses", "mode": "merge"}, "type must be one of"),
        ({"type": "lists", "mode": "merge"}, "Line 1 has 1 column(s)"),
        ({"type": "posts", "mode": "merge"}, "not a ZIP archive"),
        ({"type": "posts", "mode": "overwrite"}, "can only be merged"),
    ],
)
def test_rejected_imports_change_nothing(
    client: Client, rich_member: Member, fields: dict[str, str], message: str, settings: Any
) -> None:
    upload = SimpleUploadedFile("x.csv", b"someone@elsewhere.example\n", content_type="text/csv")
    response = client.post(
        "/api/v1/coop/imports", {**fields, "data": upload}, headers=minted_bearer_for(rich_member.user, "write:coop")
    )
    assert response.status_code == 422
    assert message in response.json()["error"]
    assert not DataImport.objects.exists()
    imports = settings.MUTUALS_PRIVATE_ROOT / "imports"
    assert not imports.exists() or list(imports.iterdir()) == []


@pytest.mark.django_db
def test_an_import_without_a_file_or_with_binary_is_refused(client: Client, rich_member: Member) -> None:
    headers = minted_bearer_for(rich_member.user, "write:coop")
    missing = client.post("/api/v1/coop/imports", {"type": "following"}, headers=headers)
    assert missing.status_code == 422 and "data must be a file" in missing.json()["error"]
    binary = SimpleUploadedFile("x.csv", b"\xff\xfe\x00\x01", content_type="text/csv")
    refused = client.post("/api/v1/coop/imports", {"type": "following", "data": binary}, headers=headers)
    assert refused.status_code == 422 and "UTF-8" in refused.json()["error"]
    assert not DataImport.objects.exists()

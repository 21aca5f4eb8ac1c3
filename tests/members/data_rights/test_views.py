"""The "My data" pages: what is held, archives to download (one's own only) and imports with their report."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from members.models import DataExport, DataImport
from tests.factories.federation import LocalActorFactory
from tests.members.data_rights.conftest import Member


@pytest.mark.django_db
def test_the_page_lists_what_is_held_with_retention_and_legal_basis(client: Client, rich_member: Member) -> None:
    client.force_login(rich_member.user)
    page = client.get("/coop/data")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Posts and boosts" in text and "Share register entries naming you" in text
    assert "10 years" in text and "Co-operative law requires a register of members" in text
    assert "Prepare an archive" in text


@pytest.mark.django_db
def test_the_page_needs_a_sign_in(client: Client) -> None:
    response = client.get("/coop/data")
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.django_db
def test_a_member_asks_for_an_archive_and_downloads_it_resumably(
    client: Client, rich_member: Member, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(rich_member.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/coop/data/exports")
    assert response.status_code == 302
    export = DataExport.objects.get(user=rich_member.user)
    assert export.state == DataExport.State.READY
    page = client.get("/coop/data").content.decode()
    url = f"/coop/data/exports/{export.pk}/download"
    assert url in page and 'value="100"' in page
    part = client.get(url, headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and b"".join(part.streaming_content) == b"PK\x03\x04"  # type: ignore[attr-defined]
    assert part["Content-Disposition"].startswith("attachment;")

    eve = LocalActorFactory.create(user__username="eve").user
    assert eve is not None
    client.force_login(eve)
    assert client.get(url).status_code == 404
    assert url not in client.get("/coop/data").content.decode()


@pytest.mark.django_db
def test_a_second_request_is_refused_with_the_reason(client: Client, rich_member: Member) -> None:
    client.force_login(rich_member.user)
    client.post("/coop/data/exports")
    response = client.post("/coop/data/exports", follow=True)
    assert "already being prepared" in response.content.decode()
    assert DataExport.objects.count() == 1


@pytest.mark.django_db
def test_an_import_is_uploaded_and_its_report_shown_to_its_owner_only(
    client: Client, rich_member: Member, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(rich_member.user)
    upload = SimpleUploadedFile("blocked_domains.csv", b"new.example\n-bad-\n")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/coop/data/imports", {"kind": "domain_blocks", "mode": "merge", "file": upload})
    data_import = DataImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/coop/data/imports/{data_import.pk}"
    report = client.get(response["Location"]).content.decode()
    assert "new.example" in report and "is not a domain name such as example.social." in report
    eve = LocalActorFactory.create(user__username="eve").user
    assert eve is not None
    client.force_login(eve)
    assert client.get(response["Location"]).status_code == 404


@pytest.mark.django_db
def test_a_refused_upload_is_explained_and_changes_nothing(client: Client, rich_member: Member) -> None:
    client.force_login(rich_member.user)
    upload = SimpleUploadedFile("lists.csv", b"only-one-column\n")
    response = client.post("/coop/data/imports", {"kind": "lists", "mode": "merge", "file": upload})
    assert response.status_code == 400
    assert "this import needs 2" in response.content.decode()
    assert not DataImport.objects.exists()
    wrong_mode = client.post(
        "/coop/data/imports", {"kind": "lists", "mode": "sideways", "file": SimpleUploadedFile("l.csv", b"a,b\n")}
    )
    assert wrong_mode.status_code == 400
    assert not DataImport.objects.exists()

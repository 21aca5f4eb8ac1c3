"""Building a member's archive: every file is there with the right contents, progress is shown, and it expires."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from members.actions.exports import (
    check_request_export,
    do_build_export,
    do_expire_exports,
    do_request_export,
    export_path,
)
from members.data_archive import write_archive
from members.errors import MemberRefused
from members.models import DataExport
from tests.factories.members import UserFactory
from tests.members.data_rights.conftest import PNG, Member


def build(member: Member) -> tuple[DataExport, zipfile.ZipFile]:
    export = do_request_export(member.user)
    built = do_build_export(export.pk)
    assert built is not None
    path = export_path(built)
    assert path is not None
    return built, zipfile.ZipFile(path)


def rows(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive.read(name).decode())))


def document(archive: zipfile.ZipFile, name: str) -> Any:
    return json.loads(archive.read(name))


@pytest.mark.django_db
def test_archive_holds_every_file_with_the_right_contents(rich_member: Member, settings: Any) -> None:
    export, archive = build(rich_member)
    names = set(archive.namelist())
    media_name = f"media_attachments/files/{rich_member.media.pk}.png"
    assert {
        "actor.json",
        "avatar.png",
        "outbox.json",
        "likes.json",
        "bookmarks.json",
        media_name,
        "following_accounts.csv",
        "muted_accounts.csv",
        "blocked_accounts.csv",
        "blocked_domains.csv",
        "bookmarks.csv",
        "lists.csv",
        "coop/membership_history.csv",
        "coop/register_entries.csv",
        "coop/certificate.json",
        "coop/dues.csv",
        "coop/dues_tiers.csv",
        "coop/ballots.json",
        "coop/moderation.json",
        "README.txt",
    } <= names
    assert archive.testzip() is None
    assert export.size == Path(str(export_path(export))).stat().st_size
    assert export.progress == 100 and export.phase == "done"

    actor = document(archive, "actor.json")
    assert actor["id"] == rich_member.actor.uri and actor["preferredUsername"] == "nadia"
    assert actor["icon"] == {"type": "Image", "mediaType": "image/png", "url": "avatar.png"}
    assert archive.read("avatar.png") == PNG

    outbox = document(archive, "outbox.json")
    assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 5
    items = {
        item["object"] if item["type"] == "Announce" else item["object"]["id"]: item for item in outbox["orderedItems"]
    }
    assert len(outbox["orderedItems"]) == 5
    picture = items[rich_member.post.uri]
    assert picture["type"] == "Create" and picture["object"]["content"] == "<p>With a picture</p>"
    assert picture["object"]["attachment"] == [
        {"type": "Document", "mediaType": "image/png", "url": media_name, "name": "A cat", "focalPoint": [0.0, 0.0]}
    ]
    assert archive.read(media_name) == PNG
    assert items[rich_member.liked.uri]["type"] == "Announce"
    assert items[rich_member.poll_post.uri]["object"]["type"] == "Question"
    assert [o["name"] for o in items[rich_member.poll_post.uri]["object"]["oneOf"]] == ["Tea", "Coffee"]
    assert items[rich_member.private_post.uri]["object"]["to"] == [rich_member.actor.followers_uri]
    assert items[rich_member.old_post.uri]["published"] == rich_member.old_post.created_at.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )

    assert document(archive, "likes.json")["orderedItems"] == [rich_member.liked.uri]
    assert document(archive, "bookmarks.json")["orderedItems"] == [rich_member.liked.uri]

    domain = settings.MUTUALS_DOMAIN
    following = rows(archive, "following_accounts.csv")
    assert following[0] == ["Account address", "Show boosts", "Notify on new posts", "Languages"]
    assert sorted(following[1:]) == [
        [f"omar@{domain}", "true", "false", ""],
        ["rosa@elsewhere.example", "false", "true", ""],
    ]
    assert rows(archive, "muted_accounts.csv") == [
        ["Account address", "Hide notifications"],
        [f"loud@{domain}", "false"],
    ]
    assert rows(archive, "blocked_accounts.csv") == [["troll@elsewhere.example"]]
    assert rows(archive, "blocked_domains.csv") == [["spam.example"]]
    assert rows(archive, "bookmarks.csv") == [[rich_member.liked.uri]]
    assert sorted(rows(archive, "lists.csv")) == [["Reading", f"omar@{domain}"], ["Reading", "rosa@elsewhere.example"]]

    ballots = document(archive, "coop/ballots.json")
    named = next(b for b in ballots if b["proposal"] == rich_member.named.pk)
    assert named["secret"] is False and named["choice"] is not None
    secret = next(b for b in ballots if b["proposal"] == rich_member.secret.pk)
    assert secret == {
        "proposal": rich_member.secret.pk,
        "title": "Elect the board",
        "secret": True,
        "last_voted_at": secret["last_voted_at"],
        "tracker": rich_member.secret_tracker,
    }
    register = rows(archive, "coop/register_entries.csv")
    assert register[0][0] == "sequence" and len(register) >= 2
    assert all("nadia" in row for row in register[1:])
    certificate = document(archive, "coop/certificate.json")
    assert certificate["holder"] == "nadia" and certificate["holdings"][0]["quantity"] >= 1
    assert len(rows(archive, "coop/dues.csv")) == 2
    readme = archive.read("README.txt").decode()
    assert "following_accounts.csv" in readme and "coop/ballots.json" in readme


@pytest.mark.django_db
def test_members_are_emailed_when_the_archive_is_ready(
    rich_member: Member, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        export = do_request_export(rich_member.user)
    export.refresh_from_db()
    assert export.state == DataExport.State.READY
    assert export.expires_at is not None
    assert export.expires_at - export.finished_at == timedelta(days=7)  # type: ignore[operator]
    assert [message.to for message in mail.outbox] == [[rich_member.user.email]]
    assert "/coop/data" in mail.outbox[0].body


@pytest.mark.django_db
def test_progress_is_reported_phase_by_phase(rich_member: Member, tmp_path: Path) -> None:
    seen: list[tuple[str, int]] = []
    write_archive(
        rich_member.user, rich_member.actor, tmp_path / "a.zip", lambda phase, percent: seen.append((phase, percent))
    )
    assert [phase for phase, _ in seen] == ["profile", "statuses", "media", "lists", "coop"]
    percents = [percent for _, percent in seen]
    assert percents == sorted(percents) and percents[-1] < 100


@pytest.mark.django_db
def test_a_second_request_while_one_is_built_is_refused(rich_member: Member) -> None:
    do_request_export(rich_member.user)
    with pytest.raises(MemberRefused, match="already being prepared"):
        check_request_export(rich_member.user)
    assert DataExport.objects.count() == 1


@pytest.mark.django_db
def test_a_person_without_an_account_cannot_export() -> None:
    user = UserFactory.create()
    with pytest.raises(MemberRefused, match="account on this server"):
        check_request_export(user)
    assert not DataExport.objects.exists()


@pytest.mark.django_db
def test_a_built_export_is_not_built_again(rich_member: Member) -> None:
    export, _ = build(rich_member)
    assert do_build_export(export.pk) is None
    assert DataExport.objects.get(pk=export.pk).file_name == export.file_name


@pytest.mark.django_db
def test_archives_expire_after_a_week_and_their_file_is_deleted(rich_member: Member) -> None:
    export, _ = build(rich_member)
    path = export_path(export)
    assert path is not None
    assert do_expire_exports() == 0
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert do_expire_exports() == 1
    export.refresh_from_db()
    assert export.state == DataExport.State.EXPIRED and export.file_name == ""
    assert not path.exists()
    assert export_path(export) is None


@pytest.mark.django_db
def test_archive_is_written_outside_public_media(rich_member: Member, settings: Any) -> None:
    export, _ = build(rich_member)
    path = export_path(export)
    assert path is not None
    assert Path(settings.MUTUALS_PRIVATE_ROOT) in path.parents
    assert Path(settings.MEDIA_ROOT) not in path.parents


@pytest.mark.django_db
def test_failed_build_leaves_no_file_and_says_so(
    rich_member: Member, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> int:
        raise OSError("disk full")

    monkeypatch.setattr("members.actions.exports.write_archive", broken)
    export = do_request_export(rich_member.user)
    with pytest.raises(OSError, match="disk full"):
        do_build_export(export.pk)
    export.refresh_from_db()
    assert export.state == DataExport.State.FAILED and export.error == "disk full"
    assert list((Path(settings.MUTUALS_PRIVATE_ROOT) / "exports").iterdir()) == []


def test_the_outbox_is_rendered_without_a_query_per_status(rich_member: Member) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from members.data_archive import outbox_items
    from tests.factories.timeline import StatusFactory

    actor = rich_member.actor
    with CaptureQueriesContext(connection) as few:
        first = list(outbox_items(actor))
    StatusFactory.create_batch(15, account=actor)
    with CaptureQueriesContext(connection) as many:
        second = list(outbox_items(actor))
    assert len(second) == len(first) + 15
    assert len(many.captured_queries) == len(few.captured_queries)

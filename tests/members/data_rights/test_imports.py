"""Imports: an archive made here restores follows, blocks, mutes, lists, bookmarks and back-dated posts elsewhere."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from federation.models import Actor, OutboundActivity
from members.actions.exports import do_build_export, do_request_export, export_path
from members.actions.imports import check_start_import, do_process_import, do_start_import
from members.errors import MemberRefused
from members.models import DataImport, DataImportLine
from tests.factories.federation import LocalActorFactory
from tests.factories.timeline import FollowFactory
from tests.federation.network import FakeNetwork
from tests.fixtures import load_activitypub
from tests.members.data_rights.conftest import PNG, Member
from timeline.models import AccountDomainBlock, Block, Bookmark, Follow, List, MediaAttachment, Mute, Status, Visibility

CSV_KINDS = {
    "following_accounts.csv": "following",
    "blocked_accounts.csv": "blocks",
    "muted_accounts.csv": "mutes",
    "blocked_domains.csv": "domain_blocks",
    "bookmarks.csv": "bookmarks",
    "lists.csv": "lists",
}


def run_import(actor: Actor, kind: str, content: bytes, mode: str = "merge", name: str = "f.csv") -> DataImport:
    assert actor.user is not None
    plan = check_start_import(actor.user, kind, mode, SimpleUploadedFile(name, content))
    data_import = do_start_import(actor.user, plan)
    processed = do_process_import(data_import.pk)
    assert processed is not None
    return processed


def outcomes(data_import: DataImport) -> list[tuple[int, str, str]]:
    return [(line.line_number, line.outcome, line.reason) for line in data_import.lines.all()]


@pytest.fixture
def archive(rich_member: Member) -> bytes:
    export = do_build_export(do_request_export(rich_member.user).pk)
    assert export is not None
    path = export_path(export)
    assert path is not None
    return path.read_bytes()


@pytest.mark.django_db
def test_an_archive_restores_the_social_graph_and_posts_for_a_new_account(
    rich_member: Member, archive: bytes, network: FakeNetwork
) -> None:
    newcomer = LocalActorFactory.create(user__username="nadia2")
    deliveries_before = OutboundActivity.objects.filter(activity_type="Create").count()
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        for name, kind in CSV_KINDS.items():
            data_import = run_import(newcomer, kind, source.read(name))
            assert data_import.state == DataImport.State.FINISHED, (name, data_import.error)
            assert data_import.failed == 0, (name, outcomes(data_import))

    follows = {f.target_id: f for f in Follow.objects.filter(follower=newcomer)}
    assert set(follows) == {rich_member.friend.pk, rich_member.remote.pk}
    assert (follows[rich_member.remote.pk].show_reblogs, follows[rich_member.remote.pk].notify) == (False, True)
    assert follows[rich_member.friend.pk].state == Follow.State.ACCEPTED
    follow_activities = OutboundActivity.objects.filter(actor=newcomer, activity_type="Follow")
    assert [activity.body["object"] for activity in follow_activities] == [rich_member.remote.uri]
    assert list(Block.objects.filter(account=newcomer).values_list("target_id", flat=True)) == [rich_member.blocked.pk]
    mute = Mute.objects.get(account=newcomer)
    assert mute.target_id == rich_member.muted.pk and mute.hide_notifications is False
    assert list(AccountDomainBlock.objects.filter(account=newcomer).values_list("domain", flat=True)) == [
        "spam.example"
    ]
    assert list(Bookmark.objects.filter(account=newcomer).values_list("status_id", flat=True)) == [rich_member.liked.pk]
    reading = List.objects.get(account=newcomer)
    assert reading.title == "Reading"
    assert set(reading.entries.values_list("account_id", flat=True)) == {rich_member.friend.pk, rich_member.remote.pk}

    posts = run_import(newcomer, "posts", archive, name="archive.zip")
    assert posts.state == DataImport.State.FINISHED, posts.error
    assert (posts.total, posts.succeeded, posts.failed) == (5, 5, 0)
    skipped = posts.lines.get(outcome=DataImportLine.Outcome.SKIPPED)
    assert skipped.reason == "Only posts are imported, not boosts."

    imported = {s.content: s for s in Status.objects.filter(account=newcomer)}
    assert set(imported) == {
        "<p>From long ago</p>",
        "<p>With a picture</p>",
        "<p>Friends only</p>",
        "<p>Tea or coffee?</p>",
    }
    old = imported["<p>From long ago</p>"]
    assert old.created_at.replace(microsecond=0) == rich_member.old_post.created_at.replace(microsecond=0)
    assert old.uri.startswith(newcomer.uri) and old.local and old.fanned_out_at is not None
    assert imported["<p>Friends only</p>"].visibility == Visibility.PRIVATE
    assert imported["<p>With a picture</p>"].visibility == Visibility.PUBLIC
    assert imported["<p>With a picture</p>"].language == "en"
    media = MediaAttachment.objects.get(status=imported["<p>With a picture</p>"])
    assert media.description == "A cat" and media.content_type == "image/png"
    assert media.file.name.startswith("media/original/") and media.file.name.endswith(".png")
    assert media.file.read() == PNG
    assert list(imported["<p>With a picture</p>"].media.all()) == [media]
    # Back-dated posts are history: nothing is delivered anywhere.
    assert OutboundActivity.objects.filter(activity_type="Create").count() == deliveries_before
    assert network.posted("Create") == []

    again = run_import(newcomer, "posts", archive, name="archive.zip")
    assert Status.objects.filter(account=newcomer).count() == 4
    assert again.lines.filter(outcome=DataImportLine.Outcome.UNCHANGED).count() == 4


@pytest.mark.django_db
def test_following_is_resolved_through_webfinger_and_failures_are_reported(
    rich_member: Member, network: FakeNetwork
) -> None:
    dana = load_activitypub("mastodon/actor")
    network.serve(dana)
    network.serve(
        {"subject": "acct:dana@mastodon.example", "links": [
            {"rel": "self", "type": "application/activity+json", "href": dana["id"]}
        ]},
        "https://mastodon.example/.well-known/webfinger?resource=acct:dana@mastodon.example",
    )  # fmt: skip
    content = (
        b"Account address,Show boosts,Notify on new posts,Languages\n"
        b"dana@mastodon.example,true,false,\n"
        b"ghost@nowhere.example,true,false,\n"
        b"nobody,true,false,\n"
        b"troll@elsewhere.example,true,false,\n"
    )
    data_import = run_import(rich_member.actor, "following", content)
    result = outcomes(data_import)
    assert result[0] == (2, "imported", "")
    assert result[1][0:2] == (3, "failed") and "ghost@nowhere.example" in result[1][2]
    assert result[2] == (4, "failed", "There is no account nobody on this server.")
    assert result[3] == (5, "failed", "Unblock this account before following it.")
    assert Follow.objects.filter(follower=rich_member.actor, target__uri=dana["id"]).exists()
    assert (data_import.processed, data_import.succeeded, data_import.failed) == (4, 1, 3)


@pytest.mark.django_db
def test_hidden_domains_import_keeps_ports_and_refuses_what_is_not_a_domain(rich_member: Member) -> None:
    before = set(AccountDomainBlock.objects.values_list("account_id", "domain"))
    data_import = run_import(rich_member.actor, "domain_blocks", b"#domain\nnot a domain\n-bad-.example\n")
    assert [(line, outcome) for line, outcome, _ in outcomes(data_import)] == [(2, "failed"), (3, "failed")]
    assert all("is not a domain name such as" in reason for _, _, reason in outcomes(data_import))
    assert set(AccountDomainBlock.objects.values_list("account_id", "domain")) == before
    run_import(rich_member.actor, "domain_blocks", b"Loopback.Example:8443\n")
    assert AccountDomainBlock.objects.filter(account=rich_member.actor, domain="loopback.example:8443").exists()


@pytest.mark.django_db
def test_overwrite_undoes_what_the_file_leaves_out(rich_member: Member, settings: Any) -> None:
    extra = LocalActorFactory.create(user__username="zoe")
    FollowFactory.create(follower=rich_member.actor, target=extra)
    content = f"omar@{settings.MUTUALS_DOMAIN}\n".encode()
    run_import(rich_member.actor, "following", content, mode="overwrite")
    assert set(Follow.objects.filter(follower=rich_member.actor).values_list("target_id", flat=True)) == {
        rich_member.friend.pk
    }
    run_import(rich_member.actor, "domain_blocks", b"#domain\nother.example\n", mode="overwrite")
    assert list(AccountDomainBlock.objects.filter(account=rich_member.actor).values_list("domain", flat=True)) == [
        "other.example"
    ]


@pytest.mark.django_db
def test_merge_keeps_what_is_here(rich_member: Member) -> None:
    run_import(rich_member.actor, "domain_blocks", b"other.example\n")
    assert set(AccountDomainBlock.objects.filter(account=rich_member.actor).values_list("domain", flat=True)) == {
        "spam.example",
        "other.example",
    }


def mastodon_archive(attachment_url: str, entries: dict[str, bytes]) -> bytes:
    """Return a small archive shaped as Mastodon writes one."""
    outbox = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "outbox.json",
        "type": "OrderedCollection",
        "totalItems": 1,
        "orderedItems": [
            {
                "id": "https://mastodon.example/users/dana/statuses/1/activity",
                "type": "Create",
                "actor": "https://mastodon.example/users/dana",
                "published": "2020-05-01T10:00:00Z",
                "to": ["https://mastodon.example/users/dana/followers"],
                "cc": ["https://www.w3.org/ns/activitystreams#Public"],
                "object": {
                    "id": "https://mastodon.example/users/dana/statuses/1",
                    "type": "Note",
                    "published": "2020-05-01T10:00:00Z",
                    "to": ["https://mastodon.example/users/dana/followers"],
                    "cc": ["https://www.w3.org/ns/activitystreams#Public"],
                    "content": "<p>Old times <script>alert(1)</script></p>",
                    "contentMap": {"de": "<p>Old times</p>"},
                    "attachment": [{"type": "Document", "mediaType": "image/png", "url": attachment_url}],
                },
            }
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("outbox.json", json.dumps(outbox))
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_mastodon_archive_becomes_unlisted_back_dated_posts_with_media(rich_member: Member) -> None:
    name = "media_attachments/files/110/000/001/original/abc.png"
    data = mastodon_archive(f"/{name}", {name: PNG})
    result = run_import(rich_member.actor, "posts", data, name="archive.zip")
    assert outcomes(result) == [(1, "imported", "")]
    status = Status.objects.get(account=rich_member.actor, created_at__year=2020)
    assert status.visibility == Visibility.UNLISTED and status.language == "de"
    assert "<script>" not in status.content
    assert MediaAttachment.objects.get(status=status).file.read() == PNG


@pytest.mark.django_db
def test_no_name_from_an_archive_reaches_the_filesystem(rich_member: Member, settings: Any) -> None:
    before = set(Path(settings.MEDIA_ROOT).rglob("*")) if Path(settings.MEDIA_ROOT).exists() else set()
    data = mastodon_archive("../../../evil.png", {"../../../evil.png": PNG})
    result = run_import(rich_member.actor, "posts", data, name="archive.zip")
    assert outcomes(result) == [(1, "imported", "")]
    media = MediaAttachment.objects.get(status__created_at__year=2020)
    assert ".." not in media.file.name and "evil" not in media.file.name
    created = set(Path(settings.MEDIA_ROOT).rglob("*")) - before
    assert all(Path(settings.MEDIA_ROOT) in path.parents for path in created)
    assert not (Path(settings.MEDIA_ROOT).parent / "evil.png").exists()
    assert default_storage.exists(media.file.name)


@pytest.mark.django_db
def test_an_attachment_missing_from_the_archive_fails_its_post_and_stores_nothing(rich_member: Member) -> None:
    statuses = Status.objects.count()
    result = run_import(rich_member.actor, "posts", mastodon_archive("/media/none.png", {}), name="a.zip")
    assert outcomes(result) == [(1, "failed", "media/none.png is not in the archive.")]
    assert Status.objects.count() == statuses


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_before_anything_is_stored(rich_member: Member) -> None:
    name = "media_attachments/files/bomb.png"
    data = mastodon_archive(f"/{name}", {name: b"\x00" * (8 * 1024 * 1024)})
    assert rich_member.actor.user is not None
    with pytest.raises(MemberRefused, match="compressed suspiciously well"):
        check_start_import(rich_member.actor.user, "posts", "merge", SimpleUploadedFile("a.zip", data))
    assert not DataImport.objects.exists()


@pytest.mark.django_db
def test_an_archive_without_an_outbox_is_refused(rich_member: Member) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("actor.json", "{}")
    assert rich_member.actor.user is not None
    with pytest.raises(MemberRefused, match=r"no outbox\.json"):
        check_start_import(rich_member.actor.user, "posts", "merge", SimpleUploadedFile("a.zip", buffer.getvalue()))
    assert not DataImport.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "outbox",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"type": "OrderedCollection", "orderedItems": ' + b"[" * 100 + b"]" * 100 + b"}",
    ],
)
def test_an_archive_with_a_deeply_nested_outbox_is_refused(rich_member: Member, outbox: bytes) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("outbox.json", outbox)
    assert rich_member.actor.user is not None
    with pytest.raises(MemberRefused, match=r"outbox\.json cannot be read: .*nested deeper than"):
        check_start_import(rich_member.actor.user, "posts", "merge", SimpleUploadedFile("a.zip", buffer.getvalue()))
    assert not DataImport.objects.exists()


@pytest.mark.django_db
def test_a_second_import_waits_for_the_first(rich_member: Member) -> None:
    assert rich_member.actor.user is not None
    user = rich_member.actor.user
    do_start_import(
        user, check_start_import(user, "domain_blocks", "merge", SimpleUploadedFile("a.csv", b"a.example\n"))
    )
    with pytest.raises(MemberRefused, match="already in progress"):
        check_start_import(user, "domain_blocks", "merge", SimpleUploadedFile("b.csv", b"b.example\n"))
    assert DataImport.objects.count() == 1


@pytest.mark.django_db
def test_an_import_is_processed_once(rich_member: Member) -> None:
    data_import = run_import(rich_member.actor, "domain_blocks", b"other.example\n")
    assert do_process_import(data_import.pk) is None
    assert data_import.lines.count() == 1

"""`manage.py backup` and `manage.py restore` between real instances, and every reason a restore is refused."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
import sqlite3
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from config import backups
from config.backups import BackupError, Instance, check_restore, do_backup, verify_archive
from tests.live import LiveInstance, live_instance, services_available, suite_backend

pytestmark = pytest.mark.live

POPULATE = """
import json
import re
from pathlib import Path
from django.conf import settings
from django.core.files.base import ContentFile
from governance.actions.log import do_append_log_entry
from governance.models import LogEntry
from members.models import RegisterEntry
from tests.factories.federation import LocalActorFactory
from tests.factories.governance import adopt_rules
from tests.factories.timeline import StatusFactory
from timeline.models import MediaAttachment, Status
actor = LocalActorFactory.create(username="alice")
status = StatusFactory.create(account=actor, text="Kept across a restore")
media = MediaAttachment(account=actor, status=status, type="image", state="ready", content_type="image/png")
media.file.save("photo.png", ContentFile(b"not really a png, but bytes to keep"), save=True)
adopt_rules("Be kind.", "Share the work.")
do_append_log_entry(LogEntry.Kind.RULE_VERSION, summary="Rules adopted", data={"rules": 2})
exports = Path(settings.MUTUALS_PRIVATE_ROOT) / "exports"
exports.mkdir(parents=True, exist_ok=True)
(exports / "alice-archive.zip").write_bytes(b"a member's archive")
(Path(settings.MUTUALS_DATA_DIR) / "ballot_tracker.key").write_text("tracker key material")
print("RESULT " + json.dumps({"media": media.file.name}))
"""

COUNTS = """
import json
import re
from governance.models import LogEntry
from members.models import RegisterEntry, User
from timeline.models import MediaAttachment, Status
from federation.models import RemoteHost
print("RESULT " + json.dumps({
    "users": User.objects.count(),
    "statuses": sorted(Status.objects.values_list("text", flat=True)),
    "media": sorted(MediaAttachment.objects.values_list("file", flat=True)),
    "register": RegisterEntry.objects.count(),
    "log": LogEntry.objects.count(),
    "hosts": sorted(RemoteHost.objects.values_list("host", flat=True)),
}))
"""


def result(instance: LiveInstance, code: str) -> Any:
    """Run Python against an instance and return what it printed after RESULT."""
    output = instance.shell(code)
    line = next(line for line in output.splitlines()[::-1] if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def target_of(instance: LiveInstance) -> Instance:
    """Return the backup module's view of a live instance (as its own settings would give it)."""
    data = instance.data_dir
    if instance.backend == "services":
        server = psycopg.conninfo.conninfo_to_dict(instance.env["DATABASE_URL"])
        database = {"ENGINE": "django.db.backends.postgresql", "NAME": instance.database, "HOST": server["host"]}
        database.update({"PORT": str(server["port"]), "USER": server["user"]})
    else:
        database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(data / "mutuals.sqlite3")}
    return Instance(database=database, media_root=data / "media", private_root=data / "private", data_dir=data)


def state_of(instance: LiveInstance) -> dict[str, str]:
    """Return a digest of everything a restore may change: database, media, private files, keys."""
    data = instance.data_dir
    state: dict[str, str] = {}
    if instance.backend == "services":
        with psycopg.connect(instance.env["DATABASE_URL"]) as conn:
            for table in (*backups.DATA_TABLES, "federation_remotehost", "django_migrations"):
                # A digest of every row: any change to the table changes it.
                digest = f"SELECT count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM \"{table}\" t"  # noqa: S608
                row = conn.execute(digest)
                state[f"table {table}"] = repr(row.fetchone())
    for path in sorted(data.rglob("*")):
        relative = path.relative_to(data).as_posix()
        if relative.endswith(".log") or relative.startswith(("broker", "static", "id-slots", "metrics")):
            continue
        if relative.endswith(("-wal", "-shm")):
            continue
        state[relative] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
    return state


def rewrite(archive: Path, target: Path, change: Callable[[dict[str, bytes]], object], *, rehash: bool = True) -> Path:
    """Copy an archive with its members changed, recomputing the manifest's checksums when asked."""
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]
    change(members)
    if rehash:
        manifest = json.loads(members[backups.MANIFEST])
        manifest["files"] = {
            name: {"sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}
            for name, body in members.items()
            if name not in (backups.MANIFEST, backups.MANIFEST_CHECKSUM)
        }
        members[backups.MANIFEST] = json.dumps(manifest).encode()
        members[backups.MANIFEST_CHECKSUM] = hashlib.sha256(members[backups.MANIFEST]).hexdigest().encode()
    with tarfile.open(target, "w") as tar:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return target


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveInstance]:
    """Yield an embedded instance holding a member, a status with media, register and log entries and keys."""
    with live_instance(tmp_path_factory.mktemp("source") / "data", backend="embedded", name="source") as live:
        result(live, POPULATE)
        yield live


@pytest.fixture(scope="module")
def archive(source: LiveInstance, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Back up the source while its web server runs and a committed row is still only in the write-ahead log."""
    path = tmp_path_factory.mktemp("archives") / "source.mutuals.tar"
    source.start_web()
    with contextlib.closing(sqlite3.connect(source.data_dir / "mutuals.sqlite3")) as writer:
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute(
            "INSERT INTO federation_remotehost (host, consecutive_failures, failure_days, unavailable) "
            "VALUES ('in-the-wal.test', 0, '[]', 0)"
        )
        writer.commit()
        assert (source.data_dir / "mutuals.sqlite3-wal").stat().st_size > 0
        output = source.manage("backup", str(path)).stdout
    source.stop("web")
    assert "Backed up the embedded instance" in output
    return path


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveInstance]:
    """Yield a migrated embedded instance that holds no data, set up once."""
    with live_instance(tmp_path_factory.mktemp("blank") / "data", backend="embedded", name="blank") as live:
        yield live


@pytest.fixture
def target(blank: LiveInstance, tmp_path: Path) -> Iterator[LiveInstance]:
    """Yield a copy of the blank instance (its stopped database copied as a file), for one test to change."""
    data = tmp_path / "target"
    shutil.copytree(blank.data_dir, data, ignore=shutil.ignore_patterns("*.log", "static", "metrics"))
    live = LiveInstance(data, backend="embedded", name="target")
    try:
        yield live
    finally:
        live.close()


def test_backup_is_one_archive_with_a_manifest_of_checksums(archive: Path) -> None:
    manifest = verify_archive(archive)
    assert manifest.mode == "embedded"
    assert manifest.database_member == backups.SQLITE_MEMBER
    names = set(manifest.files)
    assert backups.SQLITE_MEMBER in names
    assert any(name.startswith("media/media/original/photo") for name in names)
    assert "private/exports/alice-archive.zip" in names
    assert "keys/ballot_tracker.key" in names
    # The SECRET_KEY seals the ballot tracker keys: an archive holding both would unmask secret ballots.
    assert "keys/secret_key" not in names
    assert not archive.with_name(archive.name + ".partial").exists()
    assert oct(archive.stat().st_mode & 0o777) == "0o600"


def test_round_trip_keeps_posts_media_register_log_and_keys(
    source: LiveInstance, archive: Path, target: LiveInstance
) -> None:
    """A restored instance holds the same rows, files and keys, the write-ahead log's row included, and verifies."""
    expected = result(source, COUNTS)
    assert expected["register"] > 0
    assert expected["log"] > 0
    assert "in-the-wal.test" in expected["hosts"]

    # The operator keeps the secret apart from the archive, and brings it along.
    (target.data_dir / "secret_key").write_text((source.data_dir / "secret_key").read_text())
    restored = target.manage("restore", str(archive))

    assert "SECRET_KEY" not in restored.stderr
    assert "verify_register: Register verified" in restored.stdout
    assert "verify_log: The log's chain is intact" in restored.stdout
    assert result(target, COUNTS) == expected
    media = expected["media"][0]
    assert (target.data_dir / "media" / media).read_bytes() == (source.data_dir / "media" / media).read_bytes()
    private = Path("private/exports/alice-archive.zip")
    assert (target.data_dir / private).read_bytes() == b"a member's archive"
    assert (target.data_dir / "ballot_tracker.key").read_text() == "tracker key material"
    assert (target.data_dir / "secret_key").read_text() == (source.data_dir / "secret_key").read_text()
    assert not list(target.data_dir.glob(".restore-*"))
    assert not list(target.data_dir.glob("media.replaced-*"))


def _refused(instance: LiveInstance, archive: Path, message: str, *extra: str) -> None:
    before = state_of(instance)
    outcome = instance.manage("restore", str(archive), *extra, check=False)
    assert outcome.returncode != 0
    assert "Restore refused" in outcome.stderr
    assert message in outcome.stderr
    assert state_of(instance) == before
    assert not list(instance.data_dir.glob(".restore-*"))


def test_restore_refuses_a_damaged_database_and_changes_nothing(
    archive: Path, target: LiveInstance, tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged.tar"
    body = bytearray(archive.read_bytes())
    with tarfile.open(archive) as tar:
        member = tar.getmember(backups.SQLITE_MEMBER)
    body[member.offset_data + member.size // 2] ^= 0xFF
    damaged.write_bytes(bytes(body))
    _refused(target, damaged, "database/mutuals.sqlite3 does not match its checksum")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncated", "damaged"),
        ("manifest", "its manifest does not match its checksum"),
        ("missing", "file(s) are missing"),
        ("extra", "files its manifest does not list"),
        ("not-a-backup", "not a Mutuals backup"),
    ],
)
def test_restore_refuses_a_damaged_archive_before_changing_anything(
    archive: Path, target: LiveInstance, tmp_path: Path, damage: str, message: str
) -> None:
    path = tmp_path / f"{damage}.tar"
    if damage == "truncated":
        path.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    elif damage == "manifest":

        def edit_manifest(members: dict[str, bytes]) -> None:
            members[backups.MANIFEST] = members[backups.MANIFEST].replace(b'"embedded"', b'"embedded" ')

        rewrite(archive, path, edit_manifest, rehash=False)
    elif damage == "missing":
        rewrite(archive, path, lambda members: members.pop("private/exports/alice-archive.zip"), rehash=False)
    elif damage == "extra":
        rewrite(archive, path, lambda members: members.update({"media/unlisted.bin": b"x"}), rehash=False)
    else:

        def other_format(members: dict[str, bytes]) -> None:
            manifest = json.loads(members[backups.MANIFEST])
            manifest["format"] = "something-else"
            members[backups.MANIFEST] = json.dumps(manifest).encode()

        rewrite(archive, path, other_format)
    before = state_of(target)
    with pytest.raises(BackupError, match=re.escape(message)):
        check_restore(target_of(target), path)
    assert state_of(target) == before


def test_restore_refuses_an_archive_of_the_other_mode(archive: Path, target: LiveInstance, tmp_path: Path) -> None:
    def production(members: dict[str, bytes]) -> None:
        manifest = json.loads(members[backups.MANIFEST])
        manifest["mode"] = "production"
        members[backups.MANIFEST] = json.dumps(manifest).encode()

    _refused(target, rewrite(archive, tmp_path / "production.tar", production), "made in production mode")


def test_restore_refuses_a_database_that_holds_data(source: LiveInstance, archive: Path) -> None:
    _refused(source, archive, "the target database is not empty")


def test_restore_refuses_a_running_instance(archive: Path, target: LiveInstance) -> None:
    target.start_web()
    try:
        _refused(target, archive, "the instance is running")
    finally:
        target.stop("web")


def test_restore_with_force_replaces_data_and_verifies(archive: Path, target: LiveInstance) -> None:
    """--force replaces a database that holds data: what was added after the backup is gone."""
    result(target, POPULATE.replace('username="alice"', 'username="bob"').replace("Kept across", "Lost in"))
    restored = target.manage("restore", "--force", str(archive))
    assert "Restore complete" in restored.stdout
    assert result(target, COUNTS)["statuses"] == ["Kept across a restore"]


def test_restore_reports_a_register_that_does_not_verify(archive: Path, target: LiveInstance, tmp_path: Path) -> None:
    """An archive whose register was altered restores, but the command fails and names verify_register."""

    def alter_register(members: dict[str, bytes]) -> None:
        database = tmp_path / "altered.sqlite3"
        database.write_bytes(members[backups.SQLITE_MEMBER])
        with contextlib.closing(sqlite3.connect(database)) as conn:
            conn.execute("UPDATE members_registerentry SET quantity = quantity + 1")
            conn.commit()
        members[backups.SQLITE_MEMBER] = database.read_bytes()

    altered = rewrite(archive, tmp_path / "altered.tar", alter_register)
    outcome = target.manage("restore", str(altered), check=False)
    assert outcome.returncode != 0
    assert "failed verify_register" in outcome.stderr
    assert "verify_log: The log's chain is intact" in outcome.stdout


def test_backup_refuses_an_existing_file(source: LiveInstance, tmp_path: Path) -> None:
    existing = tmp_path / "existing.tar"
    existing.write_bytes(b"keep me")
    outcome = source.manage("backup", str(existing), check=False)
    assert outcome.returncode != 0
    assert "already exists" in outcome.stderr
    assert existing.read_bytes() == b"keep me"


def test_a_failed_backup_leaves_no_file(source: LiveInstance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[str] = []
    real_add = backups._add_file

    def fail_after_the_database(tar: tarfile.TarFile, path: Path, member: str) -> dict[str, Any]:
        written.append(member)
        if len(written) > 1:
            raise OSError("disk full")
        return real_add(tar, path, member)

    monkeypatch.setattr(backups, "_add_file", fail_after_the_database)
    path = tmp_path / "failed.tar"
    with pytest.raises(OSError, match="disk full"):
        do_backup(target_of(source), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.skipif(suite_backend() != "services", reason="PostgreSQL round trip runs in the services pass")
def test_round_trip_in_production_mode(tmp_path: Path) -> None:
    """pg_dump and pg_restore carry the data; a running or non-empty target is refused, nothing changed."""
    reason = services_available()
    assert reason is None, reason
    with (
        live_instance(tmp_path / "source", backend="services", name="pgsource") as source,
        live_instance(tmp_path / "target", backend="services", name="pgtarget") as target,
    ):
        result(source, POPULATE)
        expected = result(source, COUNTS)
        path = tmp_path / "production.mutuals.tar"
        source.start_web()
        source.manage("backup", str(path))
        assert verify_archive(path).database_member == backups.PGDUMP_MEMBER

        _refused(source, path, "the instance is running")
        source.stop("web")
        _refused(source, path, "the target database is not empty")
        before = state_of(target)
        with pytest.raises(BackupError, match="made in embedded mode"):
            check_restore(target_of(target), rewrite(path, tmp_path / "embedded.tar", _as_embedded))
        assert state_of(target) == before

        restored = target.manage("restore", str(path))
        # Each live instance has a SECRET_KEY of its own.
        assert "SECRET_KEY is not the one the backup was made with" in restored.stderr
        assert "verify_register: Register verified" in restored.stdout
        assert "verify_log: The log's chain is intact" in restored.stdout
        assert result(target, COUNTS) == expected
        assert (target.data_dir / "ballot_tracker.key").read_text() == "tracker key material"
        media = expected["media"][0]
        assert (target.data_dir / "media" / media).read_bytes() == (source.data_dir / "media" / media).read_bytes()


def _as_embedded(members: dict[str, bytes]) -> None:
    manifest = json.loads(members[backups.MANIFEST])
    manifest["mode"] = "embedded"
    members[backups.MANIFEST] = json.dumps(manifest).encode()

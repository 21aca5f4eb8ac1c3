"""Back up an instance into one archive file, and restore such an archive into an instance.

An archive is an uncompressed tar (the media in it is already compressed, and
SQLite's file or pg_dump's custom format is what it is) holding:

- `database/mutuals.sqlite3`, copied with SQLite's online backup API, so a
  running embedded instance is copied consistently, write-ahead log included;
  or `database/mutuals.pgdump`, pg_dump's custom format, in production;
- `media/...`, the uploaded and cached media (`MEDIA_ROOT`);
- `private/...`, members' data archives and uploaded imports
  (`MUTUALS_PRIVATE_ROOT`): rows of the database point to these files, and an
  import in progress would fail without its upload;
- `keys/...`, the key files of the data folder (`*.key`, `*_key`, `*.pem`),
  without which the data cannot be read as before; never the SECRET_KEY
  (the embedded `secret_key` file, or production's environment): secret
  ballots' tracker keys are sealed under it, so an archive that held both
  would unmask every secret ballot to whoever holds the archive. The
  operator keeps the secret apart, and a restore says when it differs;
- `manifest.json` (format version, mode, creation time, software version,
  each file's size and SHA-256) and `manifest.sha256`, last.

The archive is written as `PATH.partial` and renamed when complete, so a
file at PATH is always whole. A restore reads the whole archive and checks
every checksum before it changes anything.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import psycopg
from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT = "mutuals-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_CHECKSUM = "manifest.sha256"
SQLITE_MEMBER = "database/mutuals.sqlite3"
PGDUMP_MEMBER = "database/mutuals.pgdump"
FOLDERS = ("media", "private")
KEYS = "keys"
KEY_PATTERNS = ("*.key", "*_key", "*.pem")
# The embedded SECRET_KEY's file (config.settings.base), left out of every archive.
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
# Tables whose rows mean an instance holds data; a migrated instance nobody has used has none.
DATA_TABLES = (
    "members_user",
    "federation_actor",
    "timeline_status",
    "timeline_mediaattachment",
    "members_registerentry",
    "governance_logentry",
)
SERVER_COMMANDS = (b"daphne", b"celery", b"uvicorn", b"gunicorn")
CHUNK = 1 << 20
PG_TIMEOUT = 3600


class BackupError(Exception):
    """A backup or a restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Instance:
    """Where an instance keeps its data: the database and the folders a backup holds."""

    database: dict[str, Any]
    media_root: Path
    private_root: Path
    data_dir: Path

    @classmethod
    def from_settings(cls) -> Instance:
        """Return this process's instance, as the settings describe it."""
        return cls(
            database=dict(settings.DATABASES["default"]),
            media_root=Path(settings.MEDIA_ROOT),
            private_root=Path(settings.MUTUALS_PRIVATE_ROOT),
            data_dir=Path(settings.MUTUALS_DATA_DIR),
        )

    @property
    def mode(self) -> str:
        """Return "embedded" for SQLite, "production" for PostgreSQL."""
        return "embedded" if self.database["ENGINE"].endswith("sqlite3") else "production"

    @property
    def sqlite_path(self) -> Path:
        """Return the SQLite database file (embedded mode only)."""
        return Path(self.database["NAME"])

    def folder(self, name: str) -> Path:
        """Return the folder an archive's `media` or `private` part belongs in."""
        return self.media_root if name == "media" else self.private_root


@dataclass(frozen=True)
class Manifest:
    """What an archive holds: its format, mode, time of creation and each file's checksum."""

    mode: str
    created_at: str
    software_version: str
    database_member: str
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    tool: str = ""
    key_check: str = ""

    def to_json(self) -> bytes:
        """Return the manifest as the archive stores it."""
        data = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "mode": self.mode,
            "created_at": self.created_at,
            "software_version": self.software_version,
            "database": self.database_member,
            "tool": self.tool,
            "key_check": self.key_check,
            "files": self.files,
        }
        return json.dumps(data, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        """Parse a stored manifest, refusing one of another format or a later version."""
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise BackupError("this file is not a Mutuals backup (its manifest names another format)")
            if not isinstance(data.get("version"), int) or data["version"] > FORMAT_VERSION:
                raise BackupError(
                    f"the archive's format version {data.get('version')!r} is newer than this software reads "
                    f"({FORMAT_VERSION}); restore it with the version that made it"
                )
            return cls(
                mode=str(data["mode"]),
                created_at=str(data["created_at"]),
                software_version=str(data["software_version"]),
                database_member=str(data["database"]),
                files={str(name): dict(entry) for name, entry in data["files"].items()},
                tool=str(data.get("tool", "")),
                key_check=str(data.get("key_check", "")),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"the archive is damaged: its manifest cannot be read ({exc})") from None


@dataclass(frozen=True)
class RestoreDraft:
    """A restore whose archive, mode, target and processes have been checked."""

    archive: Path
    manifest: Manifest
    instance: Instance
    force: bool


class _HashingReader:
    """A file read through by tarfile, hashing what it reads."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


# Backing up


def do_backup(instance: Instance, path: Path) -> Manifest:
    """Write the instance's database, folders and key files to one archive at `path`.

    Refuses to overwrite an existing file. The archive appears at `path`
    only when complete; on any failure nothing is left behind.
    """
    path = Path(path).absolute()
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file name")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder")
    partial = path.with_name(path.name + ".partial")
    files: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".mutuals-backup-") as staging:
            if instance.mode == "embedded":
                database_member, tool = SQLITE_MEMBER, f"sqlite {sqlite3.sqlite_version}"
                dump = Path(staging) / "mutuals.sqlite3"
                _copy_sqlite(instance.sqlite_path, dump)
            else:
                database_member = PGDUMP_MEMBER
                dump = Path(staging) / "mutuals.pgdump"
                tool = _pg_dump(instance.database, dump)
            with partial.open("wb") as raw, tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                files[database_member] = _add_file(tar, dump, database_member)
                for name in FOLDERS:
                    for source, member in _folder_files(instance.folder(name), name):
                        files[member] = _add_file(tar, source, member)
                for source in _key_files(instance.data_dir):
                    member = f"{KEYS}/{source.name}"
                    files[member] = _add_file(tar, source, member)
                manifest = Manifest(
                    mode=instance.mode,
                    created_at=timezone.now().isoformat(),
                    software_version=settings.SOFTWARE_VERSION,
                    database_member=database_member,
                    files=files,
                    tool=tool,
                    key_check=secret_key_check(),
                )
                body = manifest.to_json()
                _add_bytes(tar, MANIFEST, body)
                _add_bytes(tar, MANIFEST_CHECKSUM, hashlib.sha256(body).hexdigest().encode())
                tar.close()
                raw.flush()
                os.fsync(raw.fileno())
        partial.chmod(0o600)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def _copy_sqlite(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"the database {source} does not exist")
    # The backup API copies pages under SQLite's own locks, so writers may go on and the copy is one
    # consistent state; the write-ahead log's committed pages are read as part of the database.
    with (
        contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as reader,
        contextlib.closing(sqlite3.connect(target)) as writer,
    ):
        reader.backup(writer)


def _add_file(tar: tarfile.TarFile, source: Path, member: str) -> dict[str, Any]:
    with source.open("rb") as handle:
        info = tar.gettarinfo(fileobj=handle, arcname=member)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": info.size}


def _add_bytes(tar: tarfile.TarFile, member: str, body: bytes) -> None:
    info = tarfile.TarInfo(member)
    info.size = len(body)
    info.mode = 0o600
    info.mtime = int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(body))


def _folder_files(root: Path, prefix: str) -> Iterator[tuple[Path, str]]:
    """Yield each regular file under the folder (links are not followed) with its name in the archive."""
    if not root.is_dir():
        return
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in sorted(names):
            source = Path(folder) / name
            if source.is_file() and not source.is_symlink():
                yield source, f"{prefix}/{source.relative_to(root).as_posix()}"


def _key_files(data_dir: Path) -> list[Path]:
    found = {path for pattern in KEY_PATTERNS for path in data_dir.glob(pattern) if path.is_file()}
    # The SECRET_KEY seals the ballot tracker keys the database holds: it never travels with them.
    return sorted(path for path in found if path.name != SECRET_KEY_FILE)


def secret_key_check() -> str:
    """Return a short keyed digest that tells whether two instances share SECRET_KEY, revealing nothing of it."""
    return hmac.new(str(settings.SECRET_KEY).encode(), b"mutuals-backup-key-check", hashlib.sha256).hexdigest()[:16]


def key_differs(manifest: Manifest) -> bool:
    """Return whether an archive was made under another SECRET_KEY than this process's (it never holds the key)."""
    return bool(manifest.key_check) and manifest.key_check != secret_key_check()


# PostgreSQL tools


def _pg_args(database: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--no-password"]
    if database.get("HOST"):
        args += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        args += ["--port", str(database["PORT"])]
    if database.get("USER"):
        args += ["--username", str(database["USER"])]
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return args, env


def _pg_connect(database: dict[str, Any]) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        dbname=database["NAME"],
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        connect_timeout=10,
        application_name="mutuals-backup",
        autocommit=True,
    )


def pg_tool(name: str, database: dict[str, Any]) -> Path:
    """Return the pg_dump or pg_restore matching the server's major version, else the one on PATH.

    pg_dump refuses a server newer than itself, and pg_restore may not read
    a dump made by a newer pg_dump: the client must match the server.
    """
    with _pg_connect(database) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    major = int(row[0]) // 10000 if row else 0
    matching = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if matching.exists():
        return matching
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found; install the PostgreSQL {major} client tools")
    return Path(found)


def _run_pg(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603 (arguments are ours, no shell)
        command, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout


def _pg_dump(database: dict[str, Any], target: Path) -> str:
    tool = pg_tool("pg_dump", database)
    args, env = _pg_args(database)
    _run_pg([str(tool), *args, "--format=custom", "--file", str(target), "--dbname", database["NAME"]], env)
    return _run_pg([str(tool), "--version"], env).strip()


# Restoring


def check_restore(instance: Instance, archive: Path, *, force: bool = False) -> RestoreDraft:
    """Check an archive and the instance it would replace; change nothing.

    Refuses a damaged archive (any checksum, a missing or unexpected file),
    one made in the other mode, a target database that holds data (unless
    `force`), and an instance that is running.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file")
    manifest = verify_archive(archive)
    if manifest.mode != instance.mode:
        raise BackupError(
            f"the archive was made in {manifest.mode} mode and this instance runs in {instance.mode} mode; "
            "restore it into an instance of the same mode"
        )
    running = running_processes(instance)
    if running:
        raise BackupError(
            "the instance is running; stop its web and worker processes first (" + "; ".join(running[:5]) + ")"
        )
    if not force:
        held = data_rows(instance)
        if held:
            listing = ", ".join(f"{count} in {table}" for table, count in held.items())
            raise BackupError(f"the target database is not empty ({listing}); pass --force to replace it")
    return RestoreDraft(archive=archive, manifest=manifest, instance=instance, force=force)


def verify_archive(archive: Path) -> Manifest:
    """Read the whole archive and return its manifest if every file matches its checksum."""
    try:
        with tarfile.open(archive, mode="r:") as tar:
            members = {member.name: member for member in tar.getmembers()}
            for required in (MANIFEST, MANIFEST_CHECKSUM):
                if required not in members or not members[required].isfile():
                    raise BackupError(f"the archive is damaged or incomplete: it has no {required}")
            body = _read_member(tar, members[MANIFEST])
            recorded = _read_member(tar, members[MANIFEST_CHECKSUM]).decode(errors="replace").strip()
            if hashlib.sha256(body).hexdigest() != recorded:
                raise BackupError("the archive is damaged: its manifest does not match its checksum")
            manifest = Manifest.from_json(body)
            expected = set(manifest.files)
            present = set(members) - {MANIFEST, MANIFEST_CHECKSUM}
            if expected - present:
                raise BackupError(f"the archive is damaged: {len(expected - present)} file(s) are missing")
            if present - expected:
                unlisted = sorted(present - expected)[:3]
                raise BackupError(f"the archive holds files its manifest does not list: {unlisted}")
            if manifest.database_member not in expected:
                raise BackupError("the archive is damaged: it holds no database")
            for name in sorted(expected):
                member = members[name]
                if not member.isfile() or _unsafe_name(name):
                    raise BackupError(f"the archive is damaged: {name} is not a plain file")
                digest = hashlib.sha256()
                source = tar.extractfile(member)
                if source is None:
                    raise BackupError(f"the archive is damaged: {name} cannot be read")
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                if digest.hexdigest() != manifest.files[name]["sha256"]:
                    raise BackupError(f"the archive is damaged: {name} does not match its checksum")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"the archive is damaged: {exc}") from None
    return manifest


def _read_member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupError(f"the archive is damaged: {member.name} cannot be read")
    return handle.read()


def _unsafe_name(name: str) -> bool:
    parts = Path(name).parts
    return name.startswith("/") or ".." in parts or parts[0] not in {"database", KEYS, *FOLDERS}


def data_rows(instance: Instance) -> dict[str, int]:
    """Return how many rows each table that holds members' data has in the target database."""
    counts: dict[str, int] = {}
    if instance.mode == "embedded":
        if not instance.sqlite_path.exists():
            return counts
        with contextlib.closing(sqlite3.connect(f"file:{instance.sqlite_path}?mode=ro", uri=True)) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            for table in DATA_TABLES:
                if table in tables:
                    counts[table] = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608 (a fixed table name)
    else:
        with _pg_connect(instance.database) as conn:
            for table in DATA_TABLES:
                if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone() != (None,):
                    row = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # noqa: S608 (a fixed table name)
                    counts[table] = int(row[0]) if row else 0
    return {table: count for table, count in counts.items() if count}


def running_processes(instance: Instance) -> list[str]:
    """Return what shows the instance running: other processes using its database or data folder.

    On this machine (Linux), any process running Daphne or Celery whose
    environment names the same data folder, idle or not. In production, also
    any other connection to the database, from any machine (a web or worker
    process keeps one in its pool once it has used the database). In
    embedded mode, also any process with the SQLite files open or holding an
    id slot. A process on another machine that holds no connection at that
    moment cannot be seen. The /proc file system is read directly: that is
    all psutil would do here.
    """
    found: list[str] = []
    if instance.mode == "production":
        with _pg_connect(instance.database) as conn:
            rows = conn.execute(
                "SELECT pid, coalesce(application_name, ''), coalesce(client_addr::text, 'local') "
                "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        found += [f"database connection {pid} from {address} {name}".strip() for pid, name, address in rows]
    else:
        found += _held_slots(instance.data_dir)
    found += _processes_on(instance)
    return found


def _held_slots(data_dir: Path) -> list[str]:
    held = []
    for lock in sorted((data_dir / "id-slots").glob("*.lock")):
        with lock.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                held.append(f"id slot {lock.stem} is held by a live process")
            else:
                fcntl.flock(handle, fcntl.LOCK_UN)
    return held


def _processes_on(instance: Instance) -> list[str]:
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    files: set[str] = set()
    if instance.mode == "embedded":
        database = instance.sqlite_path.resolve()
        files = {str(database), f"{database}-wal", f"{database}-shm"}
    data_dir = instance.data_dir.resolve()
    found = []
    own = os.getpid()
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == own:
            continue
        with contextlib.suppress(OSError):
            command = (entry / "cmdline").read_bytes().split(b"\0")
            label = f"process {entry.name} ({b' '.join(command[:4]).decode(errors='replace')})"
            if files and any(os.readlink(fd) in files for fd in (entry / "fd").iterdir()):
                found.append(f"{label} has the database open")
            elif _is_server(command) and _process_data_dir(entry) == data_dir:
                found.append(f"{label} serves this data folder")
    return found


def _is_server(command: list[bytes]) -> bool:
    # `python -m daphne ...` or `.venv/bin/celery ...`: a program name among the first words, not any
    # word that merely contains one (`pytest tests/config/test_celery.py`).
    return any(part.rsplit(b"/", 1)[-1] in SERVER_COMMANDS for part in command[:3])


def _process_data_dir(entry: Path) -> Path:
    environ = dict(item.split(b"=", 1) for item in (entry / "environ").read_bytes().split(b"\0") if b"=" in item)
    cwd = Path(os.readlink(entry / "cwd"))
    configured = environ.get(b"MUTUALS_DATA_DIR", b"").decode(errors="replace").strip()
    # Without MUTUALS_DATA_DIR a process uses `var` in the project folder it runs from.
    return (cwd / configured).resolve() if configured else (cwd / "var").resolve()


def do_restore(draft: RestoreDraft) -> None:
    """Replace the instance's database, folders and key files with the archive's.

    The archive is unpacked (and its files checked again) beside the data
    before anything is replaced; the database goes first, as one file
    renamed into place (embedded) or one pg_restore transaction (production).
    """
    instance = draft.instance
    instance.data_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=instance.data_dir, prefix=".restore-"))
    try:
        with tarfile.open(draft.archive, mode="r:") as tar:
            tar.extractall(staging, filter="data")
        for name, entry in draft.manifest.files.items():
            if _file_digest(staging / name) != entry["sha256"]:
                raise BackupError(f"the archive changed while it was restored: {name} no longer matches")
        database = staging / draft.manifest.database_member
        # Connections of this process would keep reading the replaced database.
        connections.close_all()
        if instance.mode == "embedded":
            _replace_sqlite(database, instance.sqlite_path)
        else:
            _pg_restore(instance.database, database)
        for name in FOLDERS:
            _replace_folder(staging / name, instance.folder(name))
        for key in sorted((staging / KEYS).glob("*")):
            target = instance.data_dir / key.name
            key.chmod(0o600)
            shutil.move(key, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _replace_sqlite(staged: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(target.name + ".restoring")
    shutil.move(staged, incoming)
    # A write-ahead log left beside the new file would be read as part of it.
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(incoming, target)


def _pg_restore(database: dict[str, Any], dump: Path) -> None:
    # --clean drops the archive's tables first: a migrated target with no data has them all already.
    # One transaction, so a failed restore leaves the database as it was.
    tool = pg_tool("pg_restore", database)
    args, env = _pg_args(database)
    command = [str(tool), *args, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
    command += ["--clean", "--if-exists", "--dbname", database["NAME"], str(dump)]
    _run_pg(command, env)


def _replace_folder(staged: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = target.with_name(f"{target.name}.replaced-{datetime.now(tz=UTC).strftime('%Y%m%d%H%M%S')}")
    if target.exists():
        os.replace(target, previous)
    if staged.is_dir():
        shutil.move(staged, target)
    else:
        target.mkdir()
    shutil.rmtree(previous, ignore_errors=True)

"""bovine-herd as a live federation peer: its virtualenv, its process, and a client for its actors.

bovine-herd is a signature-strict ActivityPub server (every POST and every
actor fetch must be signed). It pins a cryptography older than the project's,
so it runs from its own virtualenv under var/peers/, created from
tests/peers/bovine-requirements.txt the first time a test needs it and reused
while the requirements are unchanged.

The peer serves plain http on 127.0.0.1 with its actors created for the
domain http://127.0.0.1:PORT. Its JSON-LD document loader reads contexts from
a cache file in its working folder; the harness seeds it with the contexts in
tests/peers/jsonld/, and the peer process refuses any non-loopback address,
so it never reaches the internet.

Tests act as the peer's actors through bovine's client-to-server API: each
actor gets an Ed25519 key registered with the server and signs its requests
with Moo-Auth-1 (an HTTP signature over `(request-target)`, `host`, `date`
and, for a POST, `digest`).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.live import ROOT, free_port

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "bovine-requirements.txt"
APP = HERE / "bovine_app.py"
VENV = Path(os.environ.get("MUTUALS_BOVINE_VENV", ROOT / "var" / "peers" / "bovine-venv"))
ACTIVITY_JSON = "application/activity+json"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"

# The contexts bovine loads while processing traffic; ActivityStreams and
# Mastodon's namespace it answers itself, without loading anything.
CONTEXT_FILES = {
    "https://w3id.org/security/v1": "security-v1.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
}
# What bovine logs when it had to fall back after failing to load a context.
CONTEXT_FAILURE = "Failed to load"


class PeerUnavailable(Exception):
    """The peer's virtualenv could not be created (no package registry, say)."""


def _requirements_stamp() -> str:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes())
    digest.update(f"{sys.version_info.major}.{sys.version_info.minor}".encode())
    return digest.hexdigest()


def peer_python() -> Path:
    """Return the peer virtualenv's interpreter, creating or refreshing the virtualenv if needed.

    Creation takes about a minute (pip installs some sixty pinned packages);
    a lock keeps concurrent test runs from building it twice.
    """
    python = VENV / "bin" / "python"
    stamp_file = VENV / ".requirements-sha256"
    want = _requirements_stamp()
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with (VENV.parent / f"{VENV.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if python.exists() and stamp_file.exists() and stamp_file.read_text().strip() == want:
            return python
        shutil.rmtree(VENV, ignore_errors=True)
        base = getattr(sys, "_base_executable", sys.executable)
        steps = [
            [base, "-m", "venv", str(VENV)],
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(REQUIREMENTS)],
        ]
        for step in steps:
            try:
                result = subprocess.run(step, capture_output=True, text=True, timeout=900, check=False)
            except subprocess.TimeoutExpired as exc:
                raise PeerUnavailable(f"{' '.join(step[:4])} timed out after {exc.timeout:.0f}s") from exc
            if result.returncode != 0:
                shutil.rmtree(VENV, ignore_errors=True)
                errors = [
                    line for line in result.stderr.splitlines() if "is neither a file nor a directory" not in line
                ]
                raise PeerUnavailable(
                    f"cannot build bovine-herd's virtualenv ({' '.join(step[:4])} exited {result.returncode}): "
                    + " | ".join(errors[-5:])
                )
        stamp_file.write_text(want + "\n")
    return python


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58btc(data: bytes) -> str:
    """Return data in multibase base58btc (the `z` prefix and the Bitcoin alphabet)."""
    number = int.from_bytes(data, "big")
    encoded = ""
    while number:
        number, digit = divmod(number, 58)
        encoded = _B58[digit] + encoded
    return "z" + "1" * (len(data) - len(data.lstrip(b"\0"))) + encoded


@dataclass
class BovineActor:
    """An actor on the peer and the Ed25519 key its client signs with."""

    handle: str
    document: dict[str, Any] = field(default_factory=dict)
    key: ed25519.Ed25519PrivateKey = field(default_factory=ed25519.Ed25519PrivateKey.generate)

    @property
    def did_key(self) -> str:
        """Return the key as a did:key (the multicodec prefix of Ed25519 public keys, then the key)."""
        raw = self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return "did:key:" + _base58btc(b"\xed\x01" + raw)

    @property
    def id(self) -> str:
        """Return the actor's id."""
        return str(self.document["id"])

    def endpoint(self, name: str) -> str:
        """Return one of the actor's collections or endpoints (inbox, outbox, followers, proxyUrl...)."""
        if name in self.document:
            return str(self.document[name])
        return str(self.document["endpoints"][name])


class BovinePeer:
    """A bovine-herd server in its own process, and its actors' client."""

    def __init__(self, data_dir: Path, python: Path) -> None:
        self.data_dir = data_dir
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.python = python
        self.port = free_port()
        self.domain = f"127.0.0.1:{self.port}"
        self.base_url = f"http://{self.domain}"
        self.db_url = f"sqlite://{self.data_dir / 'bovine.sqlite3'}"
        self.process: subprocess.Popen[bytes] | None = None
        self.actors: dict[str, BovineActor] = {}
        self.seed_contexts()

    def seed_contexts(self) -> None:
        """Write the JSON-LD contexts into the cache that bovine reads from its working folder."""
        with contextlib.closing(sqlite3.connect(self.data_dir / "bovine_jsonld_cache.sqlite")) as db:
            db.execute("CREATE TABLE IF NOT EXISTS jsonld (url TEXT PRIMARY KEY, context TEXT)")
            for url, name in CONTEXT_FILES.items():
                context = json.loads((HERE / "jsonld" / name).read_text())["@context"]
                db.execute("INSERT OR REPLACE INTO jsonld VALUES (?, ?)", (url, json.dumps(context)))
            db.commit()

    def _run(self, *args: str, timeout: float = 120) -> str:
        result = subprocess.run(
            [str(self.python), "-P", str(APP), *args],
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"bovine_app.py {args[0]} failed:\n{result.stdout}\n{result.stderr[-3000:]}")
        return result.stdout

    def register(self, *handles: str) -> list[BovineActor]:
        """Create actors on the peer (before it starts, or while it runs) and return them."""
        actors = [BovineActor(handle) for handle in handles]
        accounts = [f"{actor.handle}={actor.did_key}" for actor in actors]
        documents = json.loads(self._run("register", "--db", self.db_url, "--domain", self.base_url, *accounts))
        for actor in actors:
            actor.document = documents[actor.handle]
            self.actors[actor.handle] = actor
        return actors

    def start(self, timeout: float = 60) -> None:
        """Start the server and wait until it answers WebFinger's neighbour, NodeInfo discovery."""
        log = (self.data_dir / "bovine.log").open("ab")
        self.process = subprocess.Popen(
            [str(self.python), "-P", str(APP), "serve", "--db", self.db_url, "--port", str(self.port)],
            cwd=self.data_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"bovine-herd exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.base_url}/.well-known/nodeinfo", timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        raise AssertionError(f"bovine-herd never answered on {self.base_url}:\n{self.log()[-3000:]}")

    def stop(self) -> None:
        """Stop the server's whole process group."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def log(self) -> str:
        """Return what the server has logged so far."""
        path = self.data_dir / "bovine.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def handle_of(self, actor: BovineActor) -> str:
        """Return the actor's address as other servers look it up: handle@127.0.0.1:PORT."""
        return f"{actor.handle}@{self.domain}"

    # The client side: Moo-Auth-1 requests signed with the actor's Ed25519 key.

    def _signed_headers(self, actor: BovineActor, method: str, url: str, body: bytes | None) -> dict[str, str]:
        parts = urlsplit(url)
        headers = {"host": parts.netloc, "date": formatdate(usegmt=True)}
        lines = [f"(request-target): {method.lower()} {parts.path}", f"host: {headers['host']}"]
        lines.append(f"date: {headers['date']}")
        if body is not None:
            headers["digest"] = "sha-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
            lines.append(f"digest: {headers['digest']}")
        signature = actor.key.sign("\n".join(lines).encode())
        headers["authorization"] = f"Moo-Auth-1 {actor.did_key}"
        headers["x-moo-signature"] = _base58btc(signature)
        headers["accept"] = ACTIVITY_JSON
        return headers

    def get(self, actor: BovineActor, url: str, params: Mapping[str, str] | None = None) -> requests.Response:
        """GET a URL on the peer as the actor."""
        target = f"{url}?{urlencode(params)}" if params else url
        return requests.get(target, headers=self._signed_headers(actor, "GET", url, None), timeout=10)

    def post(self, actor: BovineActor, url: str, body: bytes, content_type: str = ACTIVITY_JSON) -> requests.Response:
        """POST a body to a URL on the peer as the actor."""
        headers = self._signed_headers(actor, "POST", url, body) | {"content-type": content_type}
        return requests.post(url, data=body, headers=headers, timeout=10)

    def send(self, actor: BovineActor, activity: dict[str, Any]) -> str:
        """Post an activity to the actor's outbox and return the id the server gave it."""
        document = {"@context": "https://www.w3.org/ns/activitystreams", "actor": actor.id, **activity}
        response = self.post(actor, actor.endpoint("outbox"), json.dumps(document).encode())
        assert response.status_code == 201, f"{response.status_code} {response.text[:500]}"
        return str(response.headers["location"])

    def collection(self, actor: BovineActor, name: str) -> list[Any]:
        """Return the newest items of one of the actor's collections (inbox, followers, following...)."""
        url = actor.endpoint(name)
        response = self.get(actor, url, {"first": "1"})
        assert response.status_code == 200, f"{response.status_code} {response.text[:500]}"
        body = response.json()
        items = body.get("orderedItems", body.get("items", []))
        return list(items) if isinstance(items, list) else [items]

    def lookup(self, actor: BovineActor, object_id: str) -> dict[str, Any] | None:
        """Return the peer's copy of an object, as the actor's client sees it through its proxy endpoint."""
        body = urlencode({"id": object_id}).encode()
        response = self.post(actor, actor.endpoint("proxyUrl"), body, "application/x-www-form-urlencoded")
        if response.status_code != 200:
            return None
        document: dict[str, Any] = response.json()
        return document


def require_peer_python() -> Path:
    """Return the peer's interpreter, or skip the test (fail it under CI) when it cannot be built."""
    import pytest

    try:
        return peer_python()
    except PeerUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"bovine-herd is required in CI: {exc}")
        pytest.skip(f"bovine-herd peer unavailable: {exc}")


@contextlib.contextmanager
def bovine_peer(data_dir: Path, *handles: str) -> Iterator[BovinePeer]:
    """Yield a running bovine-herd peer with the named actors, and stop it afterwards."""
    peer = BovinePeer(data_dir, require_peer_python())
    try:
        if handles:
            peer.register(*handles)
        peer.start()
        yield peer
    finally:
        peer.stop()

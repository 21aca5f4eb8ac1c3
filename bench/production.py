"""Measure what clients and peers see of a production-shaped instance, beside the floor, with CPU per process.

Runs Mutuals as deploy/ describes production on a 2-core front machine:
nginx with TLS in front (its site derived from deploy/nginx/mutuals.conf,
both upstreams pointed at this run's ports), two Daphne web processes (the
streaming API and the inboxes), one gunicorn http process with its two
threaded workers (the client API and everything else of plain HTTP), a
Celery worker with two processes and beat, each started by `deploy/serve`
with `config.settings.production`, on PostgreSQL and Redis. Remote servers are
played by one https process (bench/fleet.py) answering for many loopback
addresses: it serves the senders' actor documents, whose keys the server
fetches, and verifies every delivery's signature.

Phases, each bounded in time or count:

1. floor: `GET /api/v1/accounts/verify_credentials`, the cheapest
   authenticated request, from every client;
2. home: `GET /api/v1/timelines/home?limit=40` from every client (and from
   one client alone, for its latency);
3. posting: `POST /api/v1/statuses` by authors with 10 local followers
   each, until every post is in its followers' home timelines;
4. follows: `POST /api/v1/accounts/:id/follow` between local members;
5. inbox: signed Create(Note) activities from remote senders to the shared
   inbox while the worker processes them;
6. deliveries: posts by an author followed from many remote hosts, until
   every host has verified and accepted every post.

Each phase prints its figure beside the floor measured in the same run, and
the CPU milliseconds per request (or activity, or delivery) of every kind
of process, read from /proc (through psutil) before and after the phase for
each process and its descendants, including descendants that ended (the
parent's reaped-children time): web (Daphne), http (the gunicorn master
and its workers), worker, beat, PostgreSQL (the backends
of the run's database, found in pg_stat_activity, and the server's own
processes; the whole server, every database on it, is printed beside it),
Redis, nginx, the remote fleet and the load generator itself (its main
process, and its client processes from their start signal on: their
interpreters' start-up is no load on the server). A reading with nothing
to do comes first, as the noise under every figure.

    .venv/bin/python bench/production.py [--phases floor,home,posting,follows,inbox,deliveries]
        [--duration 12] [--clients 16] [--inbox-count 3000] [--hosts 50] [--posts-per-host 20]

Needs PostgreSQL and Redis on loopback (as the test suite's services mode)
and nginx at /usr/sbin/nginx. Everything it starts (processes, a database,
Redis keys, a temporary folder) is removed at the end, also on failure or
Ctrl-C. Compare figures within one run only: on a shared machine the floor
moves between runs.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import ipaddress
import json
import multiprocessing
import os
import re
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil
import psycopg
import redis

from bench.home_timeline import FLOOR, HOME, percentile
from bench.home_timeline import SEED_SCRIPT as HOME_SEED_SCRIPT
from bench.inbox import database_cpu_between
from tests.e2e.database import query_one
from tests.e2e.flood import signed_creates
from tests.live import ROOT, LiveInstance, free_port, services_available, wait_for

NGINX = "/usr/sbin/nginx"
SITE = ROOT / "deploy" / "nginx" / "mutuals.conf"
SERVE = ROOT / "deploy" / "serve"
DOMAIN = "localhost"
PHASES = ("floor", "home", "posting", "follows", "inbox", "deliveries")
KINDS = ("web", "http", "worker", "beat", "postgres", "redis", "nginx", "fleet", "load")
MEMBERS, STATUSES, FOLLOWS = 50, 13_000, 20
FOLLOWERS_PER_AUTHOR = 10
PEER_ADDRESS = "127.0.0.200"
# As deploy/README.md sizes the front machine of 2 cores: 1-2 Daphne processes, one gunicorn of 2 workers.
WEB_PROCESSES, HTTP_PROCESSES = 2, 1

# --------------------------------------------------------------------------- TLS


def make_certificates(folder: Path, hosts: int) -> dict[str, Path]:
    """Write a throw-away authority and one certificate naming localhost and the fleet's addresses."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mutuals benchmark authority")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(DOMAIN)]
    names += [x509.IPAddress(ipaddress.ip_address(address)) for address in ["127.0.0.1", *fleet_addresses(hosts)]]
    names.append(x509.IPAddress(ipaddress.ip_address(PEER_ADDRESS)))
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DOMAIN)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = {"ca": folder / "ca.pem", "certificate": folder / "server.pem", "key": folder / "server.key"}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["certificate"].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


def fleet_addresses(hosts: int) -> list[str]:
    """Return one loopback address per remote host of the delivery fleet."""
    return [f"127.0.{2 + n // 250}.{2 + n % 250}" for n in range(hosts)]


# --------------------------------------------------------------------------- nginx


def nginx_site(  # noqa: PLR0917 (each port and path the site needs, named)
    web_ports: list[int],
    http_ports: list[int],
    https_port: int,
    plain_port: int,
    certificates: dict[str, Path],
    root: Path,
) -> str:
    """Return deploy/nginx/mutuals.conf with this run's ports, certificate and folders.

    Each substitution must apply exactly once: if the deployed site changes
    shape (another upstream, another route), the benchmark stops instead of
    measuring something else.
    """
    site = SITE.read_text()
    upstreams = re.findall(r"^upstream (\w+) \{", site, flags=re.MULTILINE)
    if upstreams != ["mutuals_web", "mutuals_http"]:
        raise SystemExit(f"deploy/nginx/mutuals.conf changed: its upstreams are {upstreams}")
    routes = Counter(re.findall(r"proxy_pass http://(\w+);", site))
    if routes != Counter({"mutuals_web": 2, "mutuals_http": 2}):
        raise SystemExit(f"deploy/nginx/mutuals.conf changed: it proxies {dict(routes)}")

    def servers(ports: list[int]) -> str:
        return "".join(f"    server 127.0.0.1:{port};\n" for port in ports)

    replacements: list[tuple[str, str] | tuple[str, str, int]] = [
        (
            r"(upstream mutuals_web \{\n    least_conn;\n)"
            r"    server 127\.0\.0\.1:8001;\n    # server 127\.0\.0\.1:8002;\n(?=    keepalive 32;\n\})",
            r"\g<1>" + servers(web_ports),
        ),
        (
            r"(upstream mutuals_http \{\n)    server 127\.0\.0\.1:8101;\n(?=    keepalive 32;\n\})",
            r"\g<1>" + servers(http_ports),
        ),
        (r"listen 80;", f"listen 127.0.0.1:{plain_port};"),
        (r"listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        # No IPv6 listener: the benchmark stays on 127.0.0.1.
        (r"    listen \[::\]:80;\n", ""),
        (r"    listen \[::\]:443 ssl;\n", ""),
        # Both server blocks (the redirect to https and the site) name the domain.
        (r"server_name social\.example;", f"server_name {DOMAIN};", 2),
        (r"/etc/letsencrypt/live/social\.example/fullchain\.pem", str(certificates["certificate"])),
        (r"/etc/letsencrypt/live/social\.example/privkey\.pem", str(certificates["key"])),
        (r"/var/lib/mutuals/static/", f"{root}/static/"),
        (r"/var/lib/mutuals/media/", f"{root}/media/"),
        (r"/var/www/letsencrypt", f"{root}/letsencrypt"),
    ]
    if nginx_version() < (1, 25, 1):
        # Before 1.25.1 nginx turns HTTP/2 on in the listen directive; `http2 on;` is unknown.
        replacements += [
            (r"    http2 on;\n", ""),
            (rf"listen 127\.0\.0\.1:{https_port} ssl;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ]
    for pattern, replacement, *times in replacements:
        expected = times[0] if times else 1
        site, found = re.subn(pattern, replacement, site)
        if found != expected:
            raise SystemExit(f"deploy/nginx/mutuals.conf changed: {pattern!r} is there {found} times, not {expected}")
    return site


def nginx_version() -> tuple[int, ...]:
    """Return the installed nginx's version, e.g. (1, 22, 1)."""
    answer = subprocess.run([NGINX, "-v"], capture_output=True, text=True, check=False).stderr
    match = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", answer)
    return tuple(int(part) for part in match.groups()) if match else (0,)


def nginx_config(site: str, folder: Path) -> str:
    """Return a whole nginx.conf around the site, as Debian's main file does, with private paths."""
    return f"""
worker_processes auto;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_prefer_server_ciphers on;
    access_log {folder}/access.log;
    gzip on;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
{site}
}}
"""


# --------------------------------------------------------------------------- CPU accounting


def _tree_seconds(pid: int) -> float:
    """Return the CPU seconds of a process, its live descendants, and the descendants it has reaped."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            times = process.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total


# CPU seconds the client processes measured themselves, from their start signal to their end: their
# interpreter's start-up and imports are not load the server causes.
CLIENT_SECONDS = [0.0]


def _load_seconds() -> float:
    """Return this process's CPU seconds, with those its client processes measured."""
    times = os.times()
    return times.user + times.system + CLIENT_SECONDS[0]


def database_backends(database_url: str) -> dict[str, float]:
    """Return the CPU seconds of each PostgreSQL process serving this database, or the whole server, by pid.

    The whole server's own processes (checkpointer, WAL writer, background
    writer, launchers) count; other databases' backends and autovacuum
    workers do not.
    """
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR datname IS NULL"
        ).fetchall()
    used = {}
    for (pid,) in rows:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            times = psutil.Process(pid).cpu_times()
            used[str(pid)] = times.user + times.system
    return used


@dataclass
class Processes:
    """The root process ids of each kind whose CPU time is counted."""

    roots: dict[str, list[int]] = field(default_factory=dict)
    database_url: str = ""

    def reading(self) -> dict[str, Any]:
        """Return the CPU seconds used so far by each kind (PostgreSQL's by backend)."""
        used: dict[str, Any] = {kind: sum(_tree_seconds(pid) for pid in pids) for kind, pids in self.roots.items()}
        used["load"] = _load_seconds()
        used["postgres"] = database_backends(self.database_url)
        return used


def postmaster_pid(database_url: str) -> int:
    """Return the process id of the PostgreSQL server the URL names (a backend's parent)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
    assert row is not None
    return int(psutil.Process(int(row[0])).ppid())


def redis_pid(url: str) -> int:
    """Return the process id of the Redis server the URL names."""
    info: dict[str, Any] = redis.Redis.from_url(url).info("server")
    return int(info["process_id"])


# --------------------------------------------------------------------------- load generation

Request = tuple[str, str, bytes | None, dict[str, str]]


@dataclass
class Outcome:
    """What a load phase saw: latencies (ms), answer statuses, elapsed seconds."""

    latencies: list[float]
    statuses: Counter[int]
    elapsed: float
    first_sent: float

    @property
    def ok(self) -> int:
        """Return how many requests were answered with a 2xx status."""
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)


def _client_process(  # noqa: PLR0917 (multiprocessing passes a target's arguments by position)
    port: int,
    scripts: list[list[Request]],
    cycle: bool,
    duration: float,
    start: Barrier,
    results: multiprocessing.Queue[tuple[list[float], dict[int, int], float, float, float]],
) -> None:
    """Run one thread per client script over a kept-alive https connection; report to the parent."""
    context = ssl.create_default_context()
    # The load generator plays a member's app talking to nginx; the certificate is the run's own.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    deadline = [0.0]

    def client(script: list[Request]) -> None:
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=60)
        mine: list[float] = []
        answers: Counter[int] = Counter()
        n = 0
        while script and time.monotonic() < deadline[0] and (cycle or n < len(script)):
            method, path, body, headers = script[n % len(script)]
            n += 1
            sent = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                answers[response.status] += 1
            except (OSError, http.client.HTTPException):
                answers[0] += 1
                conn.close()
                conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=60)
                continue
            mine.append((time.perf_counter() - sent) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(answers)

    threads = [threading.Thread(target=client, args=(script,)) for script in scripts]
    start.wait()
    began = time.time()
    cpu = time.process_time()
    deadline[0] = time.monotonic() + duration
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((latencies, dict(statuses), began, time.time(), time.process_time() - cpu))


def run_load(port: int, scripts: list[list[Request]], *, duration: float, cycle: bool, processes: int) -> Outcome:
    """Run one client per script at once, from several processes, for at most `duration` seconds.

    With `cycle` each client repeats its script until the time is up;
    otherwise it stops at the end of its script (or at the time limit).
    """
    processes = max(1, min(processes, len(scripts)))
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes + 1)
    results: multiprocessing.Queue[tuple[list[float], dict[int, int], float, float, float]] = context.Queue()
    children = [
        context.Process(
            target=_client_process, args=(port, scripts[n::processes], cycle, duration, start, results), daemon=True
        )
        for n in range(processes)
    ]
    for child in children:
        child.start()
    start.wait(timeout=120)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    begins, ends = [], []
    for _ in children:
        mine, answers, began, ended, seconds = results.get(timeout=duration + 300)
        CLIENT_SECONDS[0] += seconds
        latencies.extend(mine)
        statuses.update(answers)
        begins.append(began)
        ends.append(ended)
    for child in children:
        child.join(timeout=30)
    return Outcome(latencies, statuses, max(ends) - min(begins), min(begins))


def api_request(method: str, path: str, token: str, body: dict[str, str] | None = None) -> Request:
    """Return a client API request as a member's app sends it to nginx."""
    headers = {"Host": DOMAIN, "Authorization": f"Bearer {token}"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    return (method, path, data, headers)


# --------------------------------------------------------------------------- the instance

SEED_SCRIPT = """
import json
from datetime import timedelta
from django.db import transaction
from federation import uris
from federation.models import Actor
from members.actions.accounts import check_create_account, do_create_account
from members.actions.enrolment import OPERATOR_AUTHORITY, do_enrol_member
from members.actions.tokens import do_mint_token
from members.models import User
from timeline.models import Follow

clients, per_author, fleet = {clients}, {per_author}, {fleet}
day = timedelta(days=1)
readers = [do_mint_token(User.objects.get(username=f"m{{n}}"), ["read"], valid_for=day).token for n in range(clients)]
# Authors are members in good standing (enrolled, holding a share), as posting requires.
authors = []
for name in [*(f"p{{n}}" for n in range(clients)), "star"]:
    with transaction.atomic():
        draft = check_create_account(name, email="", password="a sturdy benchmark passphrase", display_name="")
        user = do_create_account(draft)
        do_enrol_member(user, approved_by=None, authorised_by=OPERATOR_AUTHORITY)
    authors.append(user)
writers = [do_mint_token(user, ["read", "write"], valid_for=day).token for user in authors]
users = User.objects.bulk_create(
    [User(username=f"f{{n}}", email="", password="!") for n in range(clients * per_author)], batch_size=2000
)
fans = Actor.objects.bulk_create(
    [
        Actor(user=u, username=u.username, uri=uris.actor_uri(u.username), url=uris.profile_url(u.username))
        for u in users
    ]
)
stars = [Actor.objects.get(user=user, domain="") for user in authors]
Follow.objects.bulk_create(
    [Follow(follower=fan, target=stars[n // per_author], state="accepted") for n, fan in enumerate(fans)]
)
# One remote follower per host of the fleet, each with its own shared inbox, following the star.
remote = Actor.objects.bulk_create(
    [
        Actor(
            username="reader", domain=host, uri=f"https://{{host}}/users/reader", inbox_uri=f"https://{{host}}/users/reader/inbox",
            shared_inbox_uri=f"https://{{host}}/inbox", public_key_pem="", public_key_uri=f"https://{{host}}/users/reader#main-key",
        )
        for host in fleet
    ]
)
Follow.objects.bulk_create([Follow(follower=actor, target=stars[-1], state="accepted") for actor in remote])
targets = list(Actor.objects.filter(domain="", username__startswith="m").values_list("pk", flat=True))
print(json.dumps({{
    "readers": readers, "writers": writers[:-1], "star": writers[-1], "targets": targets,
    "star_key_id": stars[-1].key_id, "star_public_key": stars[-1].public_key_pem,
}}))
"""

SENDER_FOLLOWERS_SCRIPT = """
from federation.models import Actor
from timeline.models import Follow
senders = list(Actor.objects.filter(uri__startswith="{peer}").order_by("username"))
fans = list(Actor.objects.filter(domain="", username__startswith="f").order_by("pk"))
per = {per_sender}
Follow.objects.bulk_create(
    [Follow(follower=fans[(n * per + k) % len(fans)], target=sender, state="accepted")
     for n, sender in enumerate(senders) for k in range(per)]
)
print(len(senders))
"""


class Bench:
    """The production-shaped instance, its fleet and nginx, and what is needed to tear them down."""

    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        """Prepare the folders, certificates and the instance's environment (nothing started yet)."""
        self.args = args
        self.folder = folder
        self.certificates = make_certificates(folder, args.hosts)
        self.instance = LiveInstance(folder / "data", backend="services", name="prodbench")
        self.https_port = free_port()
        self.fleet_port = free_port()
        self.web_ports = [free_port() for _ in range(WEB_PROCESSES)]
        self.http_ports = [free_port() for _ in range(HTTP_PROCESSES)]
        env = self.instance.env
        env.update(
            {
                "MUTUALS_DOMAIN": DOMAIN,
                "MUTUALS_SCHEME": "https",
                # Every client and sender here comes from 127.0.0.1: the per-address limits would measure
                # themselves, not the server.
                "MUTUALS_API_RATE_LIMIT": "10000000",
                "MUTUALS_WORKER_CONCURRENCY": "2",
                # The fleet and the peer are on loopback, behind the run's own authority.
                "MUTUALS_ALLOW_LOOPBACK_FEDERATION": "true",
                "SSL_CERT_FILE": str(self.certificates["ca"]),
                "MUTUALS_METRICS_DIR": str(folder / "metrics"),
            }
        )
        env.pop("MUTUALS_SERVE_MEDIA", None)
        self.nginx: subprocess.Popen[bytes] | None = None
        self.fleet: subprocess.Popen[str] | None = None
        self.processes = Processes()
        self.seed: dict[str, Any] = {}
        self.sender_keys: dict[str, str] = {}

    # ---- start-up

    def start(self) -> None:
        """Create and seed the database, then start the fleet, the processes and nginx."""
        began = time.monotonic()
        self.instance.setup()
        print(f"schema ready in {time.monotonic() - began:.0f} s", flush=True)
        began = time.monotonic()
        script = HOME_SEED_SCRIPT.format(members=MEMBERS, statuses=STATUSES, clients=self.args.clients, follows=FOLLOWS)
        self.instance.manage("shell", "-c", script, timeout=600)
        hosts = [f"{address}:{self.fleet_port}" for address in fleet_addresses(self.args.hosts)]
        seeded = self.instance.shell(
            SEED_SCRIPT.format(clients=self.args.clients, per_author=FOLLOWERS_PER_AUTHOR, fleet=hosts)
        )
        self.seed = json.loads(seeded.splitlines()[-1])
        print(
            f"seeded {MEMBERS} members, {STATUSES} statuses, {self.args.clients} authors with"
            f" {FOLLOWERS_PER_AUTHOR} followers each, {self.args.hosts} remote followers"
            f" in {time.monotonic() - began:.0f} s",
            flush=True,
        )
        self.start_fleet()
        for n, port in enumerate(self.web_ports):
            self.serve(f"web{n}", "web", MUTUALS_BIND="127.0.0.1", MUTUALS_PORT=str(port))
        for n, port in enumerate(self.http_ports):
            # gunicorn's size is config/gunicorn.py's default (2 workers of 8 threads), as the unit runs it.
            self.serve(f"http{n}", "http", MUTUALS_BIND="127.0.0.1", MUTUALS_PORT=str(port))
        self.serve("worker", "worker")
        self.serve("beat", "beat")
        for port in [*self.web_ports, *self.http_ports]:
            wait_for(lambda port=port: self._answers(port), timeout=120, message=f"the process on {port}")
        self.start_nginx()
        self.processes.database_url = self.instance.env["DATABASE_URL"]
        self.processes.roots = {
            "web": [self.instance.processes[f"web{n}"].pid for n in range(len(self.web_ports))],
            # The gunicorn master: its workers are its children, counted with it.
            "http": [self.instance.processes[f"http{n}"].pid for n in range(len(self.http_ports))],
            "worker": [self.instance.processes["worker"].pid],
            "beat": [self.instance.processes["beat"].pid],
            "redis": [redis_pid(self.instance.redis_url)],
            "nginx": [self.nginx.pid] if self.nginx else [],
            # The whole local server, every database's work: a note beside this database's figure.
            "postgres_server": [postmaster_pid(self.instance.env["DATABASE_URL"])],
            "fleet": [self.fleet.pid] if self.fleet else [],
        }
        wait_for(self._workers_ready, timeout=120, message="the worker and beat")

    def serve(self, role: str, kind: str, **extra: str) -> None:
        """Start one process through deploy/serve, as the systemd units and docker-compose do."""
        log = (self.instance.data_dir / f"{role}.log").open("ab")
        process = subprocess.Popen(
            ["bash", str(SERVE), kind],
            cwd=ROOT,
            env={**self.instance.env, **extra},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        # Registered with the instance, so that closing it stops the process (its whole session).
        self.instance.processes[role] = process

    def _answers(self, port: int) -> bool:
        for role, process in self.instance.processes.items():
            if process.poll() is not None:
                raise SystemExit(f"{role} exited:\n{self.instance.log(role)[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz", headers={"Host": DOMAIN})
            status = conn.getresponse().status
            conn.close()
        except OSError:
            return False
        return status in (200, 503)

    def _workers_ready(self) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", self.web_ports[0], timeout=10)
        conn.request("GET", "/healthz", headers={"Host": DOMAIN})
        response = conn.getresponse()
        body = json.loads(response.read())
        conn.close()
        return response.status == 200 and all(
            body["checks"][name]["detail"].startswith("alive") for name in ("worker", "beat")
        )

    def start_fleet(self) -> None:
        """Start the https fleet: the delivery hosts and the peer serving the inbox senders' actors."""
        from federation.keys import generate_key_pair

        documents = {}
        base = f"https://{PEER_ADDRESS}:{self.fleet_port}"
        for n in range(self.args.clients):
            keys = generate_key_pair()
            uri = f"{base}/users/s{n}"
            self.sender_keys[uri] = keys.private_pem
            documents[f"{PEER_ADDRESS}/users/s{n}"] = {
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": uri,
                "type": "Person",
                "preferredUsername": f"s{n}",
                "inbox": f"{uri}/inbox",
                "outbox": f"{uri}/outbox",
                "followers": f"{uri}/followers",
                "endpoints": {"sharedInbox": f"{base}/inbox"},
                "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": keys.public_pem},
            }
        config = {
            "certificate": str(self.certificates["certificate"]),
            "key": str(self.certificates["key"]),
            "port": self.fleet_port,
            "addresses": [*fleet_addresses(self.args.hosts), PEER_ADDRESS],
            "documents": documents,
            "keys": {self.seed["star_key_id"]: self.seed["star_public_key"]},
        }
        path = self.folder / "fleet.json"
        path.write_text(json.dumps(config))
        self.fleet = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "fleet.py"), str(path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self.fleet.stdout is not None
        if not self.fleet.stdout.readline().strip():
            raise SystemExit("the fleet did not start")

    def fleet_stats(self) -> dict[str, Any]:
        """Return what the fleet has received so far."""
        context = ssl.create_default_context(cafile=str(self.certificates["ca"]))
        conn = http.client.HTTPSConnection(PEER_ADDRESS, self.fleet_port, context=context, timeout=10)
        conn.request("GET", "/_fleet/stats")
        stats: dict[str, Any] = json.loads(conn.getresponse().read())
        conn.close()
        return stats

    def start_nginx(self) -> None:
        """Start nginx in the foreground with the site derived from the deployed one."""
        root = self.folder / "nginx"
        root.mkdir()
        for name in ("static", "media", "letsencrypt"):
            (root / name).mkdir()
        site = nginx_site(self.web_ports, self.http_ports, self.https_port, free_port(), self.certificates, root)
        config = root / "nginx.conf"
        config.write_text(nginx_config(site, root))
        # As root, nginx's workers would switch to "nobody", which cannot read a private temporary folder.
        user = "" if os.geteuid() else "user root;\n"
        config.write_text(user + config.read_text())
        self.nginx = subprocess.Popen(
            [NGINX, "-p", str(root), "-c", str(config), "-e", str(root / "error.log"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        wait_for(self._nginx_answers, timeout=30, message="nginx")

    def _nginx_answers(self) -> bool:
        if self.nginx is not None and self.nginx.poll() is not None:
            assert self.nginx.stderr is not None
            raise SystemExit(f"nginx exited: {self.nginx.stderr.read().decode()}")
        context = ssl.create_default_context(cafile=str(self.certificates["ca"]))
        try:
            conn = http.client.HTTPSConnection("127.0.0.1", self.https_port, context=context, timeout=5)
            conn.request("GET", "/healthz", headers={"Host": DOMAIN})
            status = conn.getresponse().status
            conn.close()
        except (OSError, ssl.SSLError):
            return False
        return status in (200, 503)

    # ---- tear-down

    def close(self) -> None:
        """Stop every process started, drop the database and the Redis keys."""
        for process in (self.nginx, self.fleet):
            if process is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
        self.instance.close()

    # ---- measuring

    def load(self, scripts: list[list[Request]], *, duration: float, cycle: bool = True) -> Outcome:
        """Run clients against nginx."""
        return run_load(self.https_port, scripts, duration=duration, cycle=cycle, processes=self.args.client_processes)

    def sql(self, query: str, params: tuple[Any, ...] = ()) -> Any:
        """Return the first column of the first row of a query on the instance's database."""
        return query_one(self.instance, query, params)


# --------------------------------------------------------------------------- reporting


@dataclass
class Result:
    """One phase's figure, its floor in the same run, its CPU per unit by kind of process."""

    name: str
    figure: float
    unit: str
    cpu: dict[str, float]
    cpu_unit: str
    notes: list[str]
    target: str = ""


def cpu_per_unit(before: dict[str, Any], after: dict[str, Any], units: int) -> dict[str, float]:
    """Return the CPU milliseconds each kind spent per unit between two readings."""
    spent = {kind: after.get(kind, 0.0) - before.get(kind, 0.0) for kind in KINDS if kind != "postgres"}
    spent["postgres"] = database_cpu_between(before["postgres"], after["postgres"])
    return {kind: spent[kind] * 1000 / max(units, 1) for kind in KINDS}


def format_cpu(cpu: dict[str, float]) -> str:
    """Return the CPU milliseconds per unit by kind, and their sum, on one line."""
    parts = [f"{kind} {cpu[kind]:.2f}" for kind in KINDS]
    return ", ".join(parts) + f"; total {sum(cpu.values()):.2f} ms"


def print_result(result: Result, floor: float | None) -> None:
    """Print a phase's figure beside the floor, the ratio, and the CPU per unit."""
    ratio = f"{result.figure / floor:.2f} of the floor" if floor else "no floor measured"
    floor_text = f"{floor:.0f} req/s" if floor else "-"
    print(f"\n== {result.name}: {result.figure:.0f} {result.unit} | floor {floor_text} | {ratio}")
    if result.target:
        print(f"   target: {result.target}")
    for note in result.notes:
        print(f"   {note}")
    print(f"   CPU ms per {result.cpu_unit}: {format_cpu(result.cpu)}", flush=True)


def latency_note(outcome: Outcome) -> str:
    """Return the latency percentiles and the answers' statuses."""
    if not outcome.latencies:
        return f"no answers; statuses {dict(outcome.statuses)}"
    return (
        f"p50 {percentile(outcome.latencies, 0.5):.1f} ms, p99 {percentile(outcome.latencies, 0.99):.1f} ms,"
        f" mean {statistics.mean(outcome.latencies):.1f} ms; {sum(outcome.statuses.values())} requests,"
        f" statuses {dict(sorted(outcome.statuses.items()))}"
    )


def markdown_table(results: list[Result], floor: float | None) -> str:
    """Return the phases as a Markdown table: figure, floor ratio, and CPU ms per unit by kind."""
    head = "| phase | figure | ratio to floor | " + " | ".join(KINDS) + " | total |"
    lines = [head, "|" + "---|" * (len(KINDS) + 4)]
    for result in results:
        ratio = f"{result.figure / floor:.2f}" if floor else "-"
        cells = " | ".join(f"{result.cpu[kind]:.2f}" for kind in KINDS)
        lines.append(
            f"| {result.name} (ms per {result.cpu_unit}) | {result.figure:.0f} {result.unit} | {ratio} | {cells}"
            f" | {sum(result.cpu.values()):.2f} |"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- phases


def measured(bench: Bench, action: Callable[[], tuple[Result, Any]]) -> Result:
    """Run a phase between two CPU readings; the phase fills in the figure, the reading fills in the CPU."""
    before = bench.processes.reading()
    result, units = action()
    after = bench.processes.reading()
    result.cpu = cpu_per_unit(before, after, int(units))
    server = (after["postgres_server"] - before["postgres_server"]) * 1000 / max(int(units), 1)
    result.notes.append(
        f"whole PostgreSQL server meanwhile (every database on it): {server:.2f} ms per {result.cpu_unit}"
    )
    return result


def idle_rates(bench: Bench, seconds: float) -> str:
    """Return the CPU milliseconds per second each kind spends with no load, as the noise under every figure."""
    before = bench.processes.reading()
    time.sleep(seconds)
    after = bench.processes.reading()
    rates = cpu_per_unit(before, after, 1)
    server = after["postgres_server"] - before["postgres_server"]
    parts = ", ".join(f"{kind} {rates[kind] / seconds:.1f}" for kind in KINDS)
    return f"idle CPU ms per second: {parts}; whole PostgreSQL server {server * 1000 / seconds:.1f}"


def phase_reads(bench: Bench, name: str, path: str, duration: float) -> Result:
    """Have every client read a path for the duration; return requests per second."""
    tokens = bench.seed["readers"]
    scripts = [[api_request("GET", path, token)] for token in tokens]
    # One request each first: the connections, sessions and caches warm up outside the clock.
    bench.load(scripts, duration=10, cycle=False)

    def action() -> tuple[Result, int]:
        outcome = bench.load(scripts, duration=duration)
        rate = outcome.ok / outcome.elapsed
        return Result(name, rate, "req/s", {}, "request", [latency_note(outcome)]), outcome.ok

    return measured(bench, action)


def phase_home(bench: Bench, duration: float) -> Result:
    """Home timelines from every client, then one client alone for its latency."""
    result = phase_reads(bench, f"home timeline, {len(bench.seed['readers'])} clients", HOME, duration)
    alone = bench.load([[api_request("GET", HOME, bench.seed["readers"][0])]], duration=min(duration, 5))
    result.notes.append(f"1 client alone: {latency_note(alone)}, {alone.ok / alone.elapsed:.0f} req/s")
    result.target = "at least 0.60 of the floor"
    return result


def phase_posting(bench: Bench, duration: float) -> Result:
    """Authors post for the duration; wait until every post is in its followers' home timelines."""
    run = int(time.time())
    scripts = [
        [
            api_request("POST", "/api/v1/statuses", token, {"status": f"Post {run}-{n}-{k} to the followers"})
            for k in range(2000)
        ]
        for n, token in enumerate(bench.seed["writers"])
    ]
    fanned_sql = (
        "SELECT count(*), count(fanned_out_at), max(fanned_out_at) FROM timeline_status s"
        " JOIN federation_actor a ON a.id = s.account_id WHERE a.domain = '' AND a.username ~ '^p[0-9]+$'"
    )
    notes: list[str] = []

    def action() -> tuple[Result, int]:
        outcome = bench.load(scripts, duration=duration)
        ended = time.time()
        deadline = time.monotonic() + 300
        with psycopg.connect(bench.instance.env["DATABASE_URL"], autocommit=True) as conn:
            while True:
                row = conn.execute(fanned_sql).fetchone()
                assert row is not None
                total, fanned, last = row
                if fanned >= total or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
        lag = max(last.timestamp() - ended, 0.0) if last else float("nan")
        rate = outcome.ok / outcome.elapsed
        notes.append(latency_note(outcome))
        notes.append(
            f"{fanned}/{total} posts fanned out to {FOLLOWERS_PER_AUTHOR} followers each; the last reached its"
            f" followers' homes {lag:.1f} s after the last POST was answered"
            f" ({outcome.ok / (outcome.elapsed + lag):.0f} posts/s from first POST to last fan-out)"
        )
        return Result("posting", rate, "posts/s", {}, "post", notes, "http CPU at most 8 ms per post"), outcome.ok

    return measured(bench, action)


def phase_follows(bench: Bench, duration: float) -> Result:
    """Each client's member follows other members, one after another, for the duration."""
    targets = bench.seed["targets"]
    scripts = [
        [api_request("POST", f"/api/v1/accounts/{target}/follow", token) for target in targets]
        for token in bench.seed["writers"]
    ]

    def action() -> tuple[Result, int]:
        outcome = bench.load(scripts, duration=duration, cycle=False)
        # The worker merges each followed account's posts into the follower's home: count that too.
        time.sleep(2)
        rate = outcome.ok / outcome.elapsed
        return Result("follows", rate, "follows/s", {}, "follow", [latency_note(outcome)], "at least 150/s"), (
            outcome.ok
        )

    return measured(bench, action)


def signed_inbox_requests(bench: Bench, count: int, tag: str) -> list[list[Request]]:
    """Return each sender's signed Create(Note) activities, spread over the senders, signed before the clock."""
    scripts: list[list[Request]] = []
    senders = list(bench.sender_keys.items())
    for n, (actor, private_pem) in enumerate(senders):
        share = count // len(senders) + (1 if n < count % len(senders) else 0)
        signed = signed_creates(
            bench.instance, private_pem, share, tag=f"{tag}-{n}", actor=actor, inbox_url=f"https://{DOMAIN}/inbox"
        )
        scripts.append([("POST", "/inbox", body, {**headers, "Host": DOMAIN}) for _, body, headers in signed])
    return scripts


def phase_inbox(bench: Bench, count: int) -> Result:
    """Remote senders POST signed activities to the shared inbox while the worker processes them."""
    # First contact: the web processes fetch each sender's actor document (and key) from the peer.
    warm = bench.load(signed_inbox_requests(bench, len(bench.sender_keys), "warm"), duration=60, cycle=False)
    if warm.statuses.get(202, 0) != len(bench.sender_keys):
        raise SystemExit(f"the senders' first activities were refused: {dict(warm.statuses)}")
    known = bench.instance.shell(
        SENDER_FOLLOWERS_SCRIPT.format(
            peer=f"https://{PEER_ADDRESS}:{bench.fleet_port}/", per_sender=FOLLOWERS_PER_AUTHOR
        )
    )
    tag = f"inbox{int(time.time())}"
    scripts = signed_inbox_requests(bench, count, tag)
    done_sql = (
        "SELECT count(*), max(fanned_out_at) FROM timeline_status WHERE uri LIKE %s AND fanned_out_at IS NOT NULL"
    )

    def action() -> tuple[Result, int]:
        outcome = bench.load(scripts, duration=120, cycle=False)
        accepted = outcome.statuses.get(202, 0)
        deadline = time.monotonic() + 300
        done, last = 0, None
        while time.monotonic() < deadline:
            with psycopg.connect(bench.instance.env["DATABASE_URL"], autocommit=True) as conn:
                row = conn.execute(done_sql, (f"%/statuses/{tag}-%",)).fetchone()
            assert row is not None
            done, last = row
            if done >= accepted:
                break
            time.sleep(0.2)
        processing = (last.timestamp() - outcome.first_sent) if last else float("nan")
        notes = [
            f"{known} senders, each followed by {FOLLOWERS_PER_AUTHOR} local members, actors fetched from the peer",
            f"accepted: {accepted}/{count} answered 202 in {outcome.elapsed:.1f} s; {latency_note(outcome)}",
            f"processed: {done} in home timelines {processing:.1f} s after the first POST"
            f" = {done / processing:.0f}/s (target at least 500/s)",
        ]
        result = Result("inbox accepted", accepted / outcome.elapsed, "activities/s", {}, "activity", notes)
        result.target = "at least 1,000/s accepted and 500/s processed; at most 2 ms CPU per activity in all"
        return result, accepted

    return measured(bench, action)


def phase_deliveries(bench: Bench, posts: int) -> Result:
    """An author followed from every fleet host posts; wait until every host has verified every post."""
    hosts = bench.args.hosts
    before = bench.fleet_stats()
    scripts = [
        [
            api_request("POST", "/api/v1/statuses", bench.seed["star"], {"status": f"To the fleet {k}"})
            for k in range(n, posts, 4)
        ]
        for n in range(min(4, posts))
    ]

    def action() -> tuple[Result, int]:
        outcome = bench.load(scripts, duration=120, cycle=False)
        expected = before["unique"] + outcome.ok * hosts
        deadline = time.monotonic() + 180
        stats = bench.fleet_stats()
        while stats["unique"] < expected and time.monotonic() < deadline:
            time.sleep(0.2)
            stats = bench.fleet_stats()
        time.sleep(1)  # late duplicates, if any, arrive now
        stats = bench.fleet_stats()
        delivered = stats["unique"] - before["unique"]
        seconds = stats["last"] - outcome.first_sent
        waiting = bench.sql("SELECT count(*) FROM federation_delivery WHERE state <> 'delivered'")
        notes = [
            f"{outcome.ok} posts x {hosts} hosts over https, each signature verified by the receiver",
            f"{delivered}/{outcome.ok * hosts} delivered {seconds:.1f} s after the first POST;"
            f" duplicates {stats['duplicates'] - before['duplicates']}, refused signatures"
            f" {stats['refused'] - before['refused']}, delivery rows not delivered {waiting}",
            f"posting: {latency_note(outcome)}",
        ]
        result = Result("deliveries", delivered / seconds, "deliveries/s", {}, "delivery", notes, "at least 600/s")
        return result, delivered

    return measured(bench, action)


# --------------------------------------------------------------------------- main


def parse_arguments() -> argparse.Namespace:
    """Return the command line's choices."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated, of {', '.join(PHASES)}")
    parser.add_argument("--duration", type=float, default=12, help="seconds of each timed phase (at most 120)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients, and authors, and senders")
    parser.add_argument("--client-processes", type=int, default=4, help="processes the clients run in")
    parser.add_argument("--inbox-count", type=int, default=3000, help="activities in the inbox phase (at most 20,000)")
    parser.add_argument("--hosts", type=int, default=50, help="remote hosts in the delivery phase (at most 500)")
    parser.add_argument("--posts-per-host", type=int, default=20, help="posts delivered to every host (at most 200)")
    args = parser.parse_args()
    phases = [phase.strip() for phase in args.phases.split(",") if phase.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    args.phases = phases
    args.duration = min(args.duration, 120)
    args.inbox_count = min(args.inbox_count, 20_000)
    args.hosts = min(args.hosts, 500)
    args.posts_per_host = min(args.posts_per_host, 200)
    return args


@contextlib.contextmanager
def terminated_as_interrupted() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt, so that a killed run still tears everything down."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main() -> None:
    """Start everything, run the phases, print the figures, tear everything down."""
    args = parse_arguments()
    reason = services_available()
    if reason is not None:
        sys.exit(f"the benchmark needs PostgreSQL and Redis: {reason}")
    if not Path(NGINX).exists():
        sys.exit(f"the benchmark needs nginx at {NGINX}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    started = time.monotonic()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_before = os.getloadavg()
    folder = Path(tempfile.mkdtemp(prefix="mutuals-bench-production-"))
    results: list[Result] = []
    floor: float | None = None
    bench: Bench | None = None
    with terminated_as_interrupted():
        try:
            bench = Bench(args, folder)
            bench.start()
            print(
                f"running: nginx (TLS) on {bench.https_port} -> {WEB_PROCESSES} Daphne web processes"
                f" {bench.web_ports} (deploy/serve web) and {HTTP_PROCESSES} gunicorn http process"
                f" {bench.http_ports} (deploy/serve http, 2 workers), worker (2 processes), beat; fleet of"
                f" {args.hosts} https hosts + 1 peer; {args.clients} clients in {args.client_processes} processes",
                flush=True,
            )
            print(idle_rates(bench, 5), flush=True)
            for phase in args.phases:
                if phase == "floor":
                    result = phase_reads(
                        bench, f"floor: verify_credentials, {args.clients} clients", FLOOR, args.duration
                    )
                    floor = result.figure
                elif phase == "home":
                    result = phase_home(bench, args.duration)
                elif phase == "posting":
                    result = phase_posting(bench, args.duration)
                elif phase == "follows":
                    result = phase_follows(bench, args.duration)
                elif phase == "inbox":
                    result = phase_inbox(bench, args.inbox_count)
                else:
                    result = phase_deliveries(bench, args.posts_per_host)
                results.append(result)
                print_result(result, floor)
            alive = [role for role, process in bench.instance.processes.items() if process.poll() is None]
            print(f"\nprocesses alive at the end: {', '.join(alive)}")
        finally:
            if bench is not None:
                bench.close()
            shutil.rmtree(folder, ignore_errors=True)
    load_after = os.getloadavg()
    print(
        f"\n{stamp}; {time.monotonic() - started:.0f} s in all; load average {load_before[0]:.2f} before,"
        f" {load_after[0]:.2f} after; {os.cpu_count()} cores"
    )
    print(markdown_table(results, floor))


if __name__ == "__main__":
    main()

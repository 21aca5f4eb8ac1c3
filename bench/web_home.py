"""Measure the web app's home page with 40 posts on the embedded default: server time and page weight.

Starts an instance as `deploy/run` serves it (Daphne on SQLite, static
files collected), seeds the demo co-op and a member, `reader`, who follows
six others, and gives the reader a home timeline of varied posts: links,
mentions, tags, custom emoji, images with descriptions, a poll, a content
warning, a boost, a reply and preview cards. A preview card is written as a
row, since fetching one needs the network. Then prints

- the server time of GET /home signed in: from sending the request to the
  response's last byte, from one loopback client, after a warm-up;
- the in-process render time (Django's test client in a `manage.py shell`
  against the same database), with the queries per page and where the
  time goes (the functions that take most of it);
- the page weight: every same-origin stylesheet and script the page loads,
  each as served to a browser that sends `Accept-Encoding: gzip, br`, and
  what gzip makes of it.

    .venv/bin/python bench/web_home.py [--requests 50] [--warmup 5] [--keep var/bench-web]

With --keep, the seeded instance stays in that folder and later runs reuse it.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.home_timeline import percentile
from tests.live import LiveInstance

READER_PASSWORD = "A long bench pass phrase 7"  # noqa: S105 (a throwaway instance's member)
SERVER_TIME_TARGET_MS = 200
WEIGHT_TARGET_KB = 150

SEED_SCRIPT = """
import io
from dataclasses import replace
from datetime import timedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from federation.models import Actor
from governance.actions.custom_emojis import do_add_custom_emoji
from members.actions.accounts import check_create_account, do_create_account
from members.actions.enrolment import do_enrol_member
from timeline.actions.custom_emojis import check_create_custom_emoji
from timeline.actions.fan_out import do_fan_out_statuses
from timeline.actions.follows import do_follow
from timeline.actions.interactions import do_favourite, do_reblog
from timeline.actions.media import check_upload_media, do_create_media
from timeline.actions.statuses import check_create_status, do_create_status
from timeline.models import PreviewCard, Status

def png(colour, size):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()

def member(name):
    user = do_create_account(check_create_account(name, email=f"{{name}}@bench.invalid", password={password!r},
                                                  display_name=name.capitalize()))
    do_enrol_member(user, approved_by=None, authorised_by="Bench founding")
    return Actor.objects.get(user=user)

from members.models import User
if User.objects.filter(username="reader").exists():
    print("reused")
    raise SystemExit(0)
reader = member("reader")
authors = [member(name) for name in ("carol", "dave", "erin", "frank", "grace", "heidi")]
for author in authors:
    do_follow(reader, author)
for shortcode in ("blobcat", "garden"):
    image = png((200, 120, 40), (32, 32))
    do_add_custom_emoji(check_create_custom_emoji(shortcode, io.BytesIO(image), size=len(image)),
                        authority="Bench")

def post(author, text, image=None, **fields):
    draft = check_create_status(author, text=text, **fields)
    if image is not None:
        data = png(image, (640, 400))
        upload = SimpleUploadedFile("p.png", data, content_type="image/png")
        checked = check_upload_media(author, upload, size=len(data), description="A garden bed in the morning sun")
        draft = replace(draft, media=[do_create_media(author, checked)])
    return do_create_status(author, draft)

statuses = []
for n in range(36):
    author, other = authors[n % 6], authors[(n + 1) % 6]
    kind = n % 6
    if kind == 0:
        text = f"Notes from the plot, week {{n}}: https://example.org/plot/{{n}} #garden :blobcat:"
        statuses.append(post(author, text))
    elif kind == 1:
        statuses.append(post(author, f"Seedlings, tray {{n}} @{{other.username}} :garden:", image=(60, 140 + n, 70)))
    elif kind == 2:
        statuses.append(post(author, f"Chapter {{n}} ends badly #bookclub", spoiler_text="Book club spoilers"))
    elif kind == 3:
        statuses.append(post(author, f"Meeting {{n}} agenda: compost, tools, @{{other.username}} brings tea #coop"))
    elif kind == 4:
        statuses.append(post(author, f"Long read {{n}}: https://example.org/articles/{{n}} " + "words " * 60))
    else:
        statuses.append(post(author, f"Soup or salad, round {{n}}?", poll_options=["soup", "salad", "both"],
                             poll_expires_in=86400))
for n in range(2):
    statuses.append(post(authors[1], f"Count me in, {{n}}", in_reply_to_id=statuses[n * 6].pk))
# Boosts of posts the reader's home does not hold already (a home shows a post once, boosted or not).
stranger = member("ivan")
for n in range(2):
    statuses.append(do_reblog(authors[2 + n], post(stranger, f"Tool library opens, take {{n}}", image=(90, 90, 160))))
for index, status in enumerate(statuses[:12]):
    do_favourite(authors[(index + 2) % 6], status)
# Cards as the fetcher would store them for the posts' links.
for status in Status.objects.filter(text__contains="https://example.org/"):
    link = "https://example.org/" + status.text.split("https://example.org/")[1].split()[0]
    card = PreviewCard.objects.create(url=link, title="A page about the plot", description="What grows where, "
                                      "and when to water it.", provider_name="Example", fetched_at=timezone.now())
    Status.objects.filter(pk=status.pk).update(preview_card=card)
do_fan_out_statuses([status.pk for status in statuses])
print(len(statuses))
"""

PROFILE_SCRIPT = """
import cProfile, io, pstats, statistics, time
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from members.models import User
client = Client(HTTP_HOST={host!r})
client.force_login(User.objects.get(username="reader"))
for _ in range({warmup}):
    client.get("/home")
times = []
cpu_began = time.process_time()
for _ in range({requests}):
    began = time.perf_counter()
    response = client.get("/home")
    times.append((time.perf_counter() - began) * 1000)
cpu = (time.process_time() - cpu_began) * 1000 / {requests}
assert response.status_code == 200, response.status_code
captured = [CaptureQueriesContext(connections[alias]) for alias in connections]
for capture in captured:
    capture.__enter__()
client.get("/home")
for capture in captured:
    capture.__exit__(None, None, None)
queries = sum(len(capture.captured_queries) for capture in captured)
profile = cProfile.Profile()
profile.enable()
for _ in range(10):
    client.get("/home")
profile.disable()
out = io.StringIO()
shown = r"(frontend|timeline|governance|members|template)"
pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(shown, 25)
times.sort()
p90 = times[int(len(times) * 0.9) - 1]
print("IN_PROCESS", statistics.median(times), p90, times[-1], queries, response.content.count(b"<article"), cpu)
print(out.getvalue())
"""


class AssetLinks(HTMLParser):
    """Collect the stylesheets and scripts a page loads."""

    def __init__(self) -> None:
        """Start with no assets found."""
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note a stylesheet link or a script with a source."""
        fields = dict(attrs)
        if tag == "link" and fields.get("rel") == "stylesheet" and fields.get("href"):
            self.assets.append(str(fields["href"]))
        elif tag == "script" and fields.get("src"):
            self.assets.append(str(fields["src"]))


def signed_in_session(instance: LiveInstance) -> requests.Session:
    """Return a session signed in as the reader through the sign-in form."""
    session = requests.Session()
    session.get(instance.url("/login"), timeout=10)
    response = session.post(
        instance.url("/login"),
        data={
            "username": "reader",
            "password": READER_PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": instance.url("/login")},
        timeout=10,
    )
    if not response.url.endswith("/home"):
        raise SystemExit(f"signing in failed: {response.status_code} {response.url}")
    return session


def transfer(session: requests.Session, url: str) -> tuple[int, int, str, bytes]:
    """Return the bytes on the wire, the decoded bytes, the encoding, and the body of a GET as a browser sends it."""
    response = session.get(url, headers={"Accept-Encoding": "gzip, br"}, stream=True, timeout=10)
    wire = response.raw.read(decode_content=False)
    encoding = response.headers.get("Content-Encoding", "")
    if encoding not in {"", "gzip"}:
        # Neither whitenoise (without the brotli package) nor Django's middleware sends anything else.
        raise SystemExit(f"{url} came as {encoding}, which this bench does not decode")
    body = gzip.decompress(wire) if encoding == "gzip" else wire
    return len(wire), len(body), encoding or "identity", body


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user and system) a process has used so far, from /proc.

    CPU time hardly depends on what else the shared machine runs, where the
    wall-clock time of a request does: it is the figure to compare between runs.
    """
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    user, system = int(fields[11]), int(fields[12])
    return (user + system) / os.sysconf("SC_CLK_TCK")


def server_times(session: requests.Session, url: str, *, warmup: int, count: int) -> list[float]:
    """Return the milliseconds from sending GET to reading the last byte, for `count` requests after a warm-up."""
    for _ in range(warmup):
        session.get(url, timeout=30).raise_for_status()
    times = []
    for _ in range(count):
        began = time.perf_counter()
        response = session.get(url, timeout=30)
        times.append((time.perf_counter() - began) * 1000)
        response.raise_for_status()
    return sorted(times)


def print_weight(session: requests.Session, instance: LiveInstance) -> int:
    """Print the weight table of the home page and its assets, and return the bytes a browser transfers."""
    wire, raw, encoding, body = transfer(session, instance.url("/home"))
    rows = [("/home (HTML)", raw, wire, encoding, len(gzip.compress(body)))]
    parser = AssetLinks()
    parser.feed(body.decode())
    for asset in parser.assets:
        if asset.startswith("/"):
            wire, raw, encoding, asset_body = transfer(session, instance.url(asset))
            rows.append((asset, raw, wire, encoding, len(gzip.compress(asset_body))))
    print(f"{'resource':58} {'raw':>9} {'sent':>9} {'as sent':>9} {'gzip -6':>9}")
    for name, raw, wire, encoding, gzipped in rows:
        print(f"{name:58} {raw:>9,} {wire:>9,} {encoding:>9} {gzipped:>9,}")
    sent = sum(row[2] for row in rows)
    print(
        f"{'total':58} {sum(row[1] for row in rows):>9,} {sent:>9,} {'':>9} {sum(row[4] for row in rows):>9,}"
        f"   (target: under {WEIGHT_TARGET_KB} KB sent)"
    )
    return sent


def main() -> None:
    """Seed an embedded instance, then measure and print the home page's time and weight."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="a folder to keep the seeded instance in, and reuse it from")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mutuals-bench-web-") as folder:
        instance = LiveInstance(options.keep or Path(folder) / "instance", backend="embedded", name="bench-web")
        try:
            if not (instance.data_dir / "mutuals.sqlite3").exists():
                instance.setup()
            else:
                instance.manage("collectstatic", "--noinput", "-v0")
            instance.manage("seed_demo")
            began = time.monotonic()
            posts = instance.shell(SEED_SCRIPT.format(password=READER_PASSWORD)).splitlines()[-1]
            print(f"seeded: {posts} ({time.monotonic() - began:.1f} s)")
            instance.start_web()
            session = signed_in_session(instance)
            page = session.get(instance.url("/home"), timeout=30).text
            print(f"/home shows {page.count('<article')} posts")
            web = instance.processes["web"].pid
            cpu_began = cpu_seconds(web)
            times = server_times(session, instance.url("/home"), warmup=options.warmup, count=options.requests)
            cpu = (cpu_seconds(web) - cpu_began) * 1000 / (options.warmup + options.requests)
            print(
                f"server time over HTTP (Daphne, one client, {options.requests} requests): "
                f"p50 {statistics.median(times):.1f} ms, p90 {percentile(times, 90):.1f} ms, max {times[-1]:.1f} ms"
                f"   (target: under {SERVER_TIME_TARGET_MS} ms); Daphne's CPU per request: {cpu:.1f} ms"
            )
            # The floor, measured in the same run: a signed-in page with nothing to list (the session, the
            # middleware, the base template) and the cheapest request Daphne serves at all.
            for label, path in (("signed-in page with no posts (/lists)", "/lists"), ("cheapest request", "/healthz")):
                floor = server_times(session, instance.url(path), warmup=options.warmup, count=options.requests)
                print(
                    f"floor, {label}: p50 {statistics.median(floor):.1f} ms, p90 {percentile(floor, 90):.1f} ms"
                    f"   (home page / floor: {statistics.median(times) / statistics.median(floor):.1f}x)"
                )
            output = instance.shell(
                PROFILE_SCRIPT.format(host=instance.domain, warmup=options.warmup, requests=options.requests)
            )
            line = next(row for row in output.splitlines() if row.startswith("IN_PROCESS"))
            p50, p90, worst, queries, articles, cpu = (float(value) for value in line.split()[1:])
            print(
                f"in-process render (Django test client): p50 {p50:.1f} ms, p90 {p90:.1f} ms, max {worst:.1f} ms, "
                f"{cpu:.1f} ms of CPU per page, {queries:.0f} queries, {articles:.0f} posts"
            )
            print_weight(session, instance)
            profile = output.split(line, 1)[1]
            print("\nwhere the in-process time goes (10 renders, cumulative):")
            print("\n".join(row for row in profile.splitlines() if re.search(r"\d", row))[:6000])
        finally:
            instance.close()


if __name__ == "__main__":
    main()

"""Measure building one member's archive: 100,000 statuses and their media.

Creates a fresh SQLite database and data folder in a temporary directory,
seeds one member with `--statuses` statuses (bulk-created; every tenth
mentions someone, every twentieth is a boost, every hundredth has a media
file) and `--media-mb` megabytes of media spread over those files, then runs
`write_archive` in a fresh process, as the export task does. It prints the
total time (wall and CPU), the time without the media copy (the target is
60 s), the peak growth of resident memory over the export, sampled every
20 ms from the fresh process's start (the target is 50 MB), and the
archive's size. The archive is then opened and its outbox counted.

    .venv/bin/python bench/export.py [--statuses 100000] [--media-mb 1024]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class PeakMemory:
    """Sample this process's resident memory in a thread and keep the highest value."""

    def __init__(self) -> None:
        import psutil

        self.process = psutil.Process()
        self.baseline: int = self.process.memory_info().rss
        self.peak: int = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            rss: int = self.process.memory_info().rss
            self.peak = max(self.peak, rss)
            time.sleep(0.02)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self) -> float:
        """Return the peak growth over the baseline, in MiB."""
        return (self.peak - self.baseline) / (1024 * 1024)


def seed(statuses: int, media_mb: int, media_root: Path) -> int:
    """Create the member, their statuses and media; return the user's id."""
    from django.utils import timezone

    from federation import uris
    from federation.models import Actor
    from members.models import User
    from timeline.ids import snowflake_id
    from timeline.models import MediaAttachment, Mention, Status

    started = time.perf_counter()
    user = User.objects.create(username="archivist", password="!", email="archivist@example.test")  # noqa: S106
    other_user = User.objects.create(username="friend", password="!")  # noqa: S106

    def local_actor(user: User) -> Actor:
        name = user.username
        return Actor.objects.create(
            user=user,
            username=name,
            uri=uris.actor_uri(name),
            url=uris.profile_url(name),
            inbox_uri=uris.inbox_uri(name),
            outbox_uri=uris.outbox_uri(name),
            followers_uri=uris.followers_uri(name),
            following_uri=uris.following_uri(name),
            featured_uri=uris.featured_uri(name),
            shared_inbox_uri=uris.shared_inbox_uri(),
        )

    actor, friend = local_actor(user), local_actor(other_user)
    # Each boost needs its own original: an account boosts a status once.
    originals = [
        Status(id=snowflake_id(), account=friend, uri=uris.status_uri("friend", n), text="x", content="<p>x</p>",
               created_at=timezone.now())
        for n in range(statuses // 20 + 1)
    ]  # fmt: skip
    Status.objects.bulk_create(originals, batch_size=10_000)
    boosted = iter(originals)
    start = timezone.now() - timedelta(days=3 * 365)
    step = timedelta(days=3 * 365) / max(statuses, 1)
    rows: list[Status] = []
    mentions: list[Mention] = []
    with_media: list[int] = []
    for n in range(statuses):
        moment = start + step * n
        status_id = snowflake_id(moment)
        boost = n % 20 == 19
        rows.append(
            Status(
                id=status_id,
                account=actor,
                uri=f"{uris.status_uri('archivist', status_id)}{'/activity' if boost else ''}",
                url=uris.status_url("archivist", status_id),
                text=f"Status {n} with some words to make it a realistic length for a post.",
                content=f"<p>Status {n} with some words to make it a realistic length for a post.</p>",
                reblog_of=next(boosted) if boost else None,
                language="en",
                created_at=moment,
                fanned_out_at=moment,
            )
        )
        if n % 10 == 0 and not boost:
            mentions.append(Mention(status_id=status_id, account=friend))
        if n % 100 == 50:
            with_media.append(status_id)
        if len(rows) == 10_000:
            Status.objects.bulk_create(rows)
            rows = []
    Status.objects.bulk_create(rows)
    Mention.objects.bulk_create(mentions, batch_size=10_000)
    folder = media_root / "media" / "original"
    folder.mkdir(parents=True, exist_ok=True)
    per_file = (media_mb * 1024 * 1024) // max(len(with_media), 1)
    block = os.urandom(1024 * 1024)
    media: list[MediaAttachment] = []
    for index, status_id in enumerate(with_media):
        name = f"media/original/bench{index:05d}.jpg"
        with (media_root / name).open("wb") as out:
            remaining = per_file
            while remaining > 0:
                out.write(block[: min(remaining, len(block))])
                remaining -= len(block)
        media.append(
            MediaAttachment(
                account=actor, status_id=status_id, type="image", state="ready", file=name,
                content_type="image/jpeg", file_size=per_file,
            )
        )  # fmt: skip
    MediaAttachment.objects.bulk_create(media)
    print(
        f"seeded {statuses} statuses, {len(media)} media files of {per_file / 1024 / 1024:.1f} MiB "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return user.pk


def configure(data_dir: Path) -> None:
    """Point Django at the benchmark's own data folder and SQLite database."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "MUTUALS_DATA_DIR": str(data_dir),
            "MUTUALS_LOG_LEVEL": "WARNING",
            "DATABASE_URL": "",
        }
    )
    import django

    django.setup()


def export(data_dir: Path) -> None:
    """Build the archive of the seeded member in this (fresh) process and print the figures."""
    configure(data_dir)
    from federation.models import Actor
    from members.data_archive import write_archive

    actor = Actor.objects.select_related("user").get(username="archivist", domain="")
    assert actor.user is not None
    destination = data_dir / "archive.zip"
    marks: dict[str, float] = {}

    def progress(phase: str, percent: int) -> None:
        marks.setdefault(phase, time.perf_counter())

    with PeakMemory() as memory:
        started, cpu_started = time.perf_counter(), time.process_time()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            size = profiler.runcall(write_archive, actor.user, actor, destination, progress)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        else:
            size = write_archive(actor.user, actor, destination, progress)
        total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    media_copy = marks["lists"] - marks["media"]
    with zipfile.ZipFile(destination) as archive, archive.open("outbox.json") as outbox:
        items = len(json.load(outbox)["orderedItems"])
    print(f"archive: {size / 1024 / 1024:.1f} MiB, {items} outbox items")
    print(f"total time: {total:.1f} s (CPU {cpu:.1f} s); media copy: {media_copy:.1f} s")
    print(f"time without the media copy: {total - media_copy:.1f} s (target 60 s)")
    print(f"peak resident memory growth: {memory.growth_mb:.1f} MiB (target 50 MiB)")


def main() -> None:
    """Seed in this process, then export in a fresh one so its memory is measured from a clean start."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statuses", type=int, default=100_000)
    parser.add_argument("--media-mb", type=int, default=1024, help="total megabytes of media")
    parser.add_argument("--export-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_only:
        export(args.export_only)
        return
    data_dir = Path(tempfile.mkdtemp(prefix="mutuals-bench-export-"))
    try:
        configure(data_dir)
        from django.conf import settings
        from django.core.management import call_command

        call_command("migrate", "--noinput", "-v0")
        seed(args.statuses, args.media_mb, Path(settings.MEDIA_ROOT))
        subprocess.run([sys.executable, __file__, "--export-only", str(data_dir)], check=True)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()

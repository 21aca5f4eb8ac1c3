"""Serve the embedded instance: one preloaded process forks the worker and the web server, and restarts either.

Started separately, the worker and Daphne each imported Django, the apps,
Celery and the ASGI application on their own, and shared almost none of
their memory. Here one parent imports all of it once, freezes it out of the
garbage collector's reach (so that no collection in a child writes to the
pages) and forks both: the children share those pages until they write to
them. The parent does nothing else afterwards: it starts no thread, opens no
database or broker connection and installs no Twisted reactor, so each child
starts as a fresh process would, with its own connections, its own reactor
(Daphne) and its own beat thread (the worker).

It supervises them as the shell loops of `deploy/run` did: a child that
exits is forked again after a back-off of 1, 2, 4 ... up to 30 s (back to
1 s once it has run for a minute) while the other goes on, each start and
exit said on stderr; SIGINT or SIGTERM stops both and exits with status 0.
A supervisor such as supervisord or systemd could restart processes, but not
fork them from a parent that holds the loaded application.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from config.celery import QUEUES

# A child that ran this long before exiting is restarted after the shortest back-off again.
STEADY_SECONDS = 60
LONGEST_DELAY_SECONDS = 30
# How long stopped children have to finish before they are killed.
STOP_GRACE_SECONDS = 25
HANDLED_SIGNALS = frozenset({signal.SIGCHLD, signal.SIGINT, signal.SIGTERM})

# Modules the children load when they start, imported once in the parent instead. None of them installs a
# Twisted reactor (daphne.server does, so Daphne's command line is imported in the web child only).
PRELOADED_MODULES = (
    "celery.apps.worker",
    "celery.beat",
    "celery.bin.celery",
    "celery.bin.worker",
    "celery.concurrency.solo",
    "celery.worker.consumer.consumer",
    "celery.worker.worker",
    "config.broker",
    "daphne.access",
    "daphne.endpoints",
    "daphne.http_protocol",
    "daphne.utils",
    "daphne.ws_protocol",
    "twisted.internet.asyncioreactor",
    "twisted.internet.endpoints",
)


@dataclass
class Child:
    """One supervised child: how to run it, its process while it runs, and its back-off."""

    name: str
    run: Callable[[], int]
    pid: int | None = None
    started_at: float = 0.0
    delay: int = 1
    due_at: float = 0.0


class Command(BaseCommand):
    help = (
        "Load the application once, fork the worker (beat as a thread) and the web server (Daphne) from it, and"
        " restart either that exits; SIGINT or SIGTERM stops both."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1", help="Address the web server listens on.")
        parser.add_argument("--port", type=int, default=8000, help="Port the web server listens on.")
        parser.add_argument("--worker-loglevel", default="INFO", help="The worker's log level.")

    def handle(self, *args: Any, **options: Any) -> None:
        preload()
        worker_arguments = [
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--beat-thread",
            "--queues",
            ",".join(QUEUES),
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel",
            options["worker_loglevel"],
        ]
        web_arguments = ["--bind", options["bind"], "--port", str(options["port"]), "config.asgi:application"]
        children = [Child("worker", lambda: run_worker(worker_arguments)), Child("web", lambda: run_web(web_arguments))]
        Supervisor(children).run()


def preload() -> None:
    """Import what both children need, drop the database connections, freeze the heap; refuse if a thread runs."""
    importlib.import_module("config.asgi")  # the ASGI application, the apps it reaches, the task modules
    for name in PRELOADED_MODULES:
        importlib.import_module(name)
    if "twisted.internet.reactor" in sys.modules:
        raise CommandError("A Twisted reactor was installed before forking; the web process needs its own.")
    connections.close_all()
    gc.collect()
    gc.freeze()
    others = [thread.name for thread in threading.enumerate() if thread is not threading.main_thread()]
    if others:
        raise CommandError(f"Threads run before forking, which the children would lose: {', '.join(others)}")


def run_worker(arguments: list[str]) -> int:
    """Run the Celery worker as `celery` would on this command line; return its exit status."""
    from celery.bin.celery import celery  # noqa: PLC0415 (preloaded; named here to run it in the child)

    # This command ran Django's system checks before loading the rest: the worker need not run them again
    # each time it is forked.
    os.environ["CELERY_SKIP_CHECKS"] = "1"

    result = celery.main(args=arguments, prog_name="celery", standalone_mode=False)
    return result if isinstance(result, int) else 0


def run_web(arguments: list[str]) -> int:
    """Run Daphne as its command line would; importing it installs the child's own Twisted reactor."""
    from daphne.cli import CommandLineInterface  # noqa: PLC0415 (installs a reactor: in the child only)

    CommandLineInterface().run(arguments)
    return 0


class Supervisor:
    """Fork the children, restart each that exits after its back-off, stop them all on SIGINT or SIGTERM."""

    def __init__(self, children: list[Child]) -> None:
        self.children = children

    def run(self) -> None:
        """Supervise until SIGINT or SIGTERM, then stop the children and return."""
        # Blocked, the signals wait for sigtimedwait() below, so none interrupts the parent between two steps.
        signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED_SIGNALS)
        while True:
            now = time.monotonic()
            for child in self.children:
                if child.pid is None and now >= child.due_at:
                    self.start(child)
            waiting = [child.due_at - now for child in self.children if child.pid is None]
            # The timeout only bounds a missed SIGCHLD: the exits are reaped below either way.
            received = signal.sigtimedwait(HANDLED_SIGNALS, max(0.05, min([5.0, *waiting])))
            if received is not None and received.si_signo in (signal.SIGINT, signal.SIGTERM):
                self.stop()
                return
            self.reap(restart=True)

    def start(self, child: Child) -> None:
        """Fork the child; in the forked process run it and exit with its status, never returning here."""
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os._exit(run_child(child))
        child.pid = pid
        child.started_at = time.monotonic()
        say(f"{child.name} started (pid {pid})")

    def reap(self, *, restart: bool) -> None:
        """Collect the children that exited; schedule each again after its back-off when restarting."""
        for child in self.children:
            if child.pid is None:
                continue
            pid, wait_status = os.waitpid(child.pid, os.WNOHANG)
            if pid == 0:
                continue
            child.pid = None
            if not restart:
                continue
            now = time.monotonic()
            if now - child.started_at >= STEADY_SECONDS:
                child.delay = 1
            say(f"{child.name} exited (status {shell_status(wait_status)}); restarting in {child.delay}s")
            child.due_at = now + child.delay
            child.delay = min(child.delay * 2, LONGEST_DELAY_SECONDS)

    def stop(self) -> None:
        """Send SIGTERM to the running children and wait for them, killing those still running after the grace."""
        say("stopping")
        for child in self.children:
            if child.pid is not None:
                os.kill(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while any(child.pid is not None for child in self.children) and time.monotonic() < deadline:
            signal.sigtimedwait({signal.SIGCHLD}, 0.2)
            self.reap(restart=False)
        for child in self.children:
            if child.pid is not None:
                os.kill(child.pid, signal.SIGKILL)
                os.waitpid(child.pid, 0)
                child.pid = None


def run_child(child: Child) -> int:
    """Run a forked child with the signals a fresh process has, and return the status it exits with."""
    status = 1
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED_SIGNALS)
        gc.enable()
        status = child.run()
    except SystemExit as exit_request:
        status = exit_request.code if isinstance(exit_request.code, int) else 0 if exit_request.code is None else 1
        if isinstance(exit_request.code, str):
            sys.stderr.write(f"{exit_request.code}\n")
    except BaseException:  # noqa: BLE001 - a forked child must never return into the parent's code
        traceback.print_exc()
    finally:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    return status


def shell_status(wait_status: int) -> int:
    """Return the exit status as a shell reports it: the code, or 128 plus the signal that ended the process."""
    code = os.waitstatus_to_exitcode(wait_status)
    return 128 - code if code < 0 else code


def say(message: str) -> None:
    """Write one of the supervisor's lines to stderr."""
    sys.stderr.write(f"mutuals: {message}\n")
    sys.stderr.flush()

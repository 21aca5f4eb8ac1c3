"""Run bovine-herd as a federation peer, under the peer's own interpreter (never the project's).

    python bovine_app.py register --db sqlite:///x.sqlite3 --domain http://127.0.0.1:PORT moo=did:key:z...
    python bovine_app.py serve --db sqlite:///x.sqlite3 --port PORT

`register` creates actors with bovine_store's admin API, as `python -m
bovine_store register` and `key --add` do, in one process, and prints their
documents (as their owners see them) as one JSON object. `serve` runs
bovine-herd's Quart app under Hypercorn on 127.0.0.1.

Both refuse to resolve or connect to anything but loopback, like the test
process itself: the peer must never reach the internet, and with its JSON-LD
context cache seeded it has no reason to try.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import logging
import socket
import sys
from typing import Any

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect


def _is_loopback_literal(name: str) -> bool:
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def _loopback_only_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name not in LOOPBACK_NAMES and not _is_loopback_literal(name):
        raise socket.gaierror(f"the test peer resolves loopback names only, not {name!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


def _loopback_only_connect(sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not ipaddress.ip_address(address[0]).is_loopback:
        raise ConnectionRefusedError(f"the test peer connects to loopback addresses only, not {address[0]}")
    _real_connect(sock, address)


socket.getaddrinfo = _loopback_only_getaddrinfo
socket.socket.connect = _loopback_only_connect  # type: ignore[assignment]


async def register(db_url: str, domain: str, accounts: list[str]) -> dict[str, Any]:
    """Create one actor per `handle=did:key` and return their documents by handle."""
    from bovine.types import Visibility
    from bovine_store import bovine_admin_store
    from tortoise import Tortoise

    documents: dict[str, Any] = {}
    async with bovine_admin_store(db_url=db_url, domain=domain) as store:
        await Tortoise.generate_schemas()
        for account in accounts:
            handle, _, did_key = account.partition("=")
            bovine_name = await store.register(handle)
            await store.add_identity_string_to_actor(bovine_name, "test-client", did_key)
            actor = await store.actor_for_name(bovine_name)
            documents[handle] = actor.actor_object.build(visibility=Visibility.OWNER)
    return documents


async def serve(db_url: str, port: int) -> None:
    """Serve bovine-herd on 127.0.0.1:port until the process is stopped."""
    from bovine_herd import BovineHerd
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config
    from quart import Quart

    app = Quart("bovine_peer")
    BovineHerd(app, db_url=db_url)
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.accesslog = "-"
    await hypercorn_serve(app, config)


def main() -> None:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    register_parser = commands.add_parser("register")
    register_parser.add_argument("--db", required=True)
    register_parser.add_argument("--domain", required=True)
    register_parser.add_argument("accounts", nargs="+", metavar="HANDLE=DID_KEY")
    serve_parser = commands.add_parser("serve")
    serve_parser.add_argument("--db", required=True)
    serve_parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.command == "register":
        print(json.dumps(asyncio.run(register(args.db, args.domain, args.accounts))))
    else:
        asyncio.run(serve(args.db, args.port))


if __name__ == "__main__":
    main()

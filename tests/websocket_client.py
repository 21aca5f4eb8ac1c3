"""A small asyncio WebSocket client (RFC 6455) for live tests and benchmarks on loopback.

It speaks just enough of the protocol for the streaming API: the opening
handshake, reading text frames, answering pings and closing. No library
is needed for that much, and thousands of these fit in one process.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
import struct
from urllib.parse import urlsplit

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class HandshakeRefused(Exception):
    """The server answered the upgrade with something other than 101."""

    def __init__(self, status_line: str) -> None:
        super().__init__(status_line)
        self.status_line = status_line


class WebSocket:
    """One client connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, subprotocol: str) -> None:
        self.reader = reader
        self.writer = writer
        self.subprotocol = subprotocol

    @classmethod
    async def connect(cls, url: str, *, token: str = "", subprotocol: str = "", timeout: float = 10) -> WebSocket:
        """Open a connection to a ws:// URL, presenting the token as a bearer header if given."""
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, limit=2**22), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {parts.netloc}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        if token:
            lines.append(f"Authorization: Bearer {token}")
        if subprotocol:
            lines.append(f"Sec-WebSocket-Protocol: {subprotocol}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)).decode("latin-1")
        status_line, *header_lines = head.strip().split("\r\n")
        if " 101 " not in f"{status_line} ":
            writer.close()
            raise HandshakeRefused(status_line)
        headers = {name.strip().lower(): value.strip() for name, _, value in (h.partition(":") for h in header_lines)}
        expected = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()  # noqa: S324 (RFC 6455)
        if headers.get("sec-websocket-accept") != expected:
            writer.close()
            raise HandshakeRefused(f"bad Sec-WebSocket-Accept in {head!r}")
        return cls(reader, writer, headers.get("sec-websocket-protocol", ""))

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 2**16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        self.writer.write(header + mask + masked)

    async def send_text(self, text: str) -> None:
        """Send a text message."""
        self._send_frame(0x1, text.encode())
        await self.writer.drain()

    async def receive_text(self) -> str:
        """Return the next text message; answer pings on the way; raise ConnectionError on close."""
        while True:
            first, second = await self.reader.readexactly(2)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
            payload = await self.reader.readexactly(length)
            if opcode == 0x1:
                return payload.decode()
            if opcode == 0x9:
                self._send_frame(0xA, payload)
            elif opcode == 0x8:
                raise ConnectionError("closed by the server")

    async def close(self) -> None:
        """Send a close frame and drop the connection."""
        with contextlib.suppress(ConnectionError):
            self._send_frame(0x8, struct.pack("!H", 1000))
            await self.writer.drain()
        self.writer.close()

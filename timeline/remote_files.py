"""Download a file a remote server serves (an emoji's image), through the outbound safety checks.

Statuses' attachments are referenced, not downloaded; custom emoji are
downloaded and served from here, so a small fetch of bounded size is all
that is needed. The GET is signed with the instance actor's key, as
servers in secure mode sign every fetch, and passes
`federation.transport`'s checks: no private or loopback destination, no
credentials in the URL, https only, redirects re-checked.
"""

from __future__ import annotations

from federation.actions.instance_actor import instance_actor
from federation.transport import TransportError, UnsafeDestination, check_fetchable_url, signed_get


class RemoteFileUnavailable(Exception):
    """The remote file could not be fetched; the message says why (for logs)."""


def fetch_remote_file(url: str, *, limit: int) -> bytes:
    """Return the bytes a remote URL serves, at most `limit` of them, or raise RemoteFileUnavailable."""
    try:
        check_fetchable_url(url)
    except UnsafeDestination as exc:
        raise RemoteFileUnavailable(str(exc)) from exc
    signer = instance_actor()
    try:
        response = signed_get(
            url, key_id=signer.key_id, private_key_pem=signer.private_key_pem, accept="image/*", limit=limit
        )
    except (TransportError, UnsafeDestination) as exc:
        raise RemoteFileUnavailable(str(exc)) from exc
    if response.status != 200:
        raise RemoteFileUnavailable(f"{url} answered {response.status}.")
    return response.body

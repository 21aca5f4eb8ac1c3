"""Render governance's activities as ActivityStreams: a report forwarded to the reported account's server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from federation.activitypub import Flag, serialise
from federation.models import Actor
from federation.renderers import new_activity_id


def flag_for_report(signer: Actor, target: Actor, object_uris: Sequence[str], comment: str) -> dict[str, Any]:
    """Return the Flag that forwards a report about `target` and its statuses (`object_uris`).

    As Mastodon sends it: from the instance actor (`signer`), so the
    reporter stays anonymous; the account and statuses as one list of ids.
    """
    return serialise(
        Flag(
            id=new_activity_id(signer, "flags"),
            actor=signer.uri,
            object=target.uri,
            object_ids=[target.uri, *object_uris],
            content=comment,
            to=[target.uri],
        )
    )

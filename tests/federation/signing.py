"""Build signed inbox requests as a remote server would send them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.test import Client

from federation.models import Actor
from federation.signatures import sign_request
from tests.factories.keys import shared_test_key_pair

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


def signed_post(
    client: Client,
    path: str,
    activity: dict[str, Any] | bytes,
    *,
    actor: Actor,
    key_id: str | None = None,
    private_key_pem: str | None = None,
    now: datetime | None = None,
    body_override: bytes | None = None,
    drop: tuple[str, ...] = (),
) -> TestResponse:
    """POST an activity to this server signed by a remote actor (with the shared test key by default).

    `body_override` sends another body than the one signed; `drop` leaves headers out.
    """
    body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
    headers = sign_request(
        "POST",
        f"http://testserver{path}",
        key_id=key_id or actor.key_id,
        private_key_pem=private_key_pem or shared_test_key_pair().private_pem,
        body=body,
        now=now,
    )
    sent = {name: value for name, value in headers.items() if name.lower() not in drop}
    return client.post(
        path,
        data=body_override if body_override is not None else body,
        content_type="application/activity+json",
        headers=sent,
    )

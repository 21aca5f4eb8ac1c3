"""Build signed inbox requests as a remote server would send them."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
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


def message_signature_headers(
    method: str,
    url: str,
    *,
    key_id: str,
    private_key_pem: str,
    body: bytes | None = None,
    created: int | None = None,
    components: tuple[str, ...] | None = None,
    extra_params: str = "",
    label: str = "sig1",
) -> dict[str, str]:
    """Return RFC 9421 headers signing a request, building the signature base independently of the server.

    By default the signature covers `@method`, `@target-uri` and, with a body,
    `content-digest`, with `created` now and `keyid`; `extra_params` is
    appended to the parameters as written (for example `;alg="..."`).
    """
    parts = urlsplit(url)
    headers = {"Host": parts.netloc}
    if body is not None:
        headers["Content-Digest"] = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
    if components is None:
        components = ("@method", "@target-uri", *(("content-digest",) if body is not None else ()))
    created = int(time.time()) if created is None else created
    covered = " ".join(f'"{name}"' for name in components)
    params = f'({covered});created={created};keyid="{key_id}"{extra_params}'
    values = {"@method": method.upper(), "@target-uri": url, "@authority": parts.netloc, "@path": parts.path}
    lowered = {name.lower(): value for name, value in headers.items()}
    lines = [f'"{name}": {values.get(name, lowered.get(name, ""))}' for name in components]
    lines.append(f'"@signature-params": {params}')
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    signature = key.sign("\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
    headers["Signature-Input"] = f"{label}={params}"
    headers["Signature"] = f"{label}=:{base64.b64encode(signature).decode()}:"
    return headers


def message_signed_post(
    client: Client,
    path: str,
    activity: dict[str, Any],
    *,
    actor: Actor,
    body_override: bytes | None = None,
    sign_path: str | None = None,
    **options: Any,
) -> TestResponse:
    """POST an activity to this server with an RFC 9421 signature by a remote actor (the shared test key).

    `body_override` sends another body than the one signed; `sign_path` signs another path than the one posted to.
    """
    body = json.dumps(activity).encode()
    headers = message_signature_headers(
        "POST",
        f"{settings.MUTUALS_SCHEME}://testserver{sign_path or path}",
        key_id=options.pop("key_id", actor.key_id),
        private_key_pem=options.pop("private_key_pem", shared_test_key_pair().private_pem),
        body=body,
        **options,
    )
    return client.post(
        path,
        data=body_override if body_override is not None else body,
        content_type="application/activity+json",
        headers=headers,
    )

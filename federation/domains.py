"""The one rule for what a domain name is, used by every form, proposal, import and policy.

A proposal that names a domain is checked by the same function as the policy
it enacts, so a proposal cannot pass and then fail at enactment.
"""

from __future__ import annotations

import re

from config.refusals import Refused

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})+$")
_PORT = re.compile(r"^[0-9]{1,5}$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


class DomainNameRefused(Refused):
    """The text is not a domain name."""


def check_domain_name(value: object, *, keep_port: bool = False) -> str:
    """Return a domain name as stored: lower-case, IDNA-encoded, without scheme, path or trailing dot.

    People paste URLs and handles' hosts, so a scheme and a path are dropped.
    A port is dropped unless `keep_port`: a member hiding a server on a
    non-default port (as test instances on loopback run) names it with the
    port, while policies apply to the host whatever the port. A name needs a
    dot (`localhost` aside), as a top-level domain alone federates with no one.
    """
    text = value.strip().lower() if isinstance(value, str) else ""
    text = _SCHEME.sub("", text).split("/", 1)[0]
    host, _, port = text.partition(":")
    host = host.rstrip(".")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        host = ""
    if not (_HOST.match(host) or host == "localhost") or (port and not (_PORT.match(port) and 0 < int(port) < 65536)):
        shown = value if isinstance(value, str) else ""
        raise DomainNameRefused(f"{shown.strip()[:100]!r} is not a domain name such as example.social.")
    return f"{host}:{port}" if keep_port and port else host

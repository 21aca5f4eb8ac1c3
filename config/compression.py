"""Compress the web app's HTML pages for browsers that accept gzip.

Django's GZipMiddleware does the compressing; this subclass limits it to
complete `text/html` responses. Streaming responses are left alone, since
gzip would hold back the server-sent events of the streaming API until its
buffer fills and would garble the byte ranges of archive downloads; static
files come compressed already from whitenoise's storage, and JSON keeps its
exact `Content-Length` for API clients that read it.

BREACH (CVE-2013-3587) recovers a secret from the compressed size of
responses that also reflect text an attacker chose. The secrets a page
holds are the CSRF tokens, and Django masks each with a fresh random mask
on every response, so no two responses carry the same bytes for a guess to
match; Django's middleware also pads every compressed response with random
bytes ("Heal the Breach") so lengths do not line up. The session id travels
in a cookie, which HTTP compression never touches.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware


class HtmlGZipMiddleware(GZipMiddleware):
    """Gzip complete HTML responses only."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        """Compress the response if it is a whole HTML page, else return it unchanged."""
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)

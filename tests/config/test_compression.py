"""HTML pages are sent gzipped to browsers that accept it; JSON and streams are sent as they are."""

from __future__ import annotations

import gzip

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client, RequestFactory

from config.compression import HtmlGZipMiddleware

pytestmark = pytest.mark.django_db

PAGE = "<!DOCTYPE html><p>" + "A page long enough to be worth compressing. " * 20 + "</p>"


def test_a_page_comes_gzipped_to_a_browser_that_accepts_it() -> None:
    response = Client().get("/login", headers={"accept-encoding": "gzip, br"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert b"<form" in gzip.decompress(response.content)
    assert "Accept-Encoding" in response["Vary"]


def test_a_page_comes_plain_to_a_client_that_does_not_accept_gzip() -> None:
    response = Client().get("/login")
    assert not response.has_header("Content-Encoding")
    assert b"<form" in response.content


def test_json_is_never_compressed() -> None:
    response = Client().get("/api/v1/instance", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")


def test_a_stream_is_never_compressed() -> None:
    """Server-sent events must reach the reader one by one, not when a gzip buffer fills."""
    request = RequestFactory().get("/", headers={"accept-encoding": "gzip"})
    stream = StreamingHttpResponse(iter([b"data: 1\n\n"]), content_type="text/html")
    response = HtmlGZipMiddleware(lambda request: stream).process_response(request, stream)
    assert isinstance(response, StreamingHttpResponse)
    assert not response.has_header("Content-Encoding")
    assert b"".join(response.streaming_content) == b"data: 1\n\n"  # type: ignore[arg-type]  # sync bytes here


def test_an_html_response_is_compressed_by_the_middleware_itself() -> None:
    request = RequestFactory().get("/", headers={"accept-encoding": "gzip"})
    page = HttpResponse(PAGE)
    response = HtmlGZipMiddleware(lambda request: page).process_response(request, page)
    assert isinstance(response, HttpResponse)
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content).decode() == PAGE

"""Parameters read alike from queries, forms, multipart and JSON bodies."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from oauth2_provider.models import AccessToken, Application

from config.api.errors import ApiError
from config.api.params import MAX_JSON_BODY_BYTES, ApiParams, json_body
from config.json_input import MAX_JSON_DEPTH
from federation.models import Actor
from tests.clients import bearer
from tests.factories.oauth import AccessTokenFactory, ApplicationFactory
from timeline.models import Status

factory = RequestFactory()


def test_form_arrays_and_nested_keys_are_flattened() -> None:
    request = factory.post(
        "/api/v1/statuses",
        data="status=hi&media_ids[]=1&media_ids[]=2&poll[options][]=a&poll[options][]=b&poll[expires_in]=300",
        content_type="application/x-www-form-urlencoded",
    )
    params = ApiParams.from_request(request)
    assert params.get_str("status") == "hi"
    assert params.get_list("media_ids") == ["1", "2"]
    assert params.get_list("poll[options]") == ["a", "b"]
    assert params.get_int("poll[expires_in]") == 300


def test_json_body_reads_like_the_form() -> None:
    body = {"status": "hi", "media_ids": [1, 2], "poll": {"options": ["a", "b"], "multiple": True}, "sensitive": False}
    request = factory.post("/api/v1/statuses", data=json.dumps(body), content_type="application/json")
    params = ApiParams.from_request(request)
    assert params.get_str("status") == "hi"
    assert params.get_list("media_ids") == ["1", "2"]
    assert params.get_list("poll[options]") == ["a", "b"]
    assert params.get_bool("poll[multiple]") is True
    assert params.get_bool("sensitive", default=True) is False


def test_json_list_of_objects_reads_like_indexed_form_fields() -> None:
    body = {"fields_attributes": [{"name": "Site", "value": "https://a.example"}]}
    request = factory.patch("/x", data=json.dumps(body), content_type="application/json")
    assert ApiParams.from_request(request).get_dicts("fields_attributes") == {
        "0": {"name": "Site", "value": "https://a.example"}
    }


def test_multipart_patch_carries_files_and_fields() -> None:
    upload = SimpleUploadedFile("a.png", b"\x89PNG data", content_type="image/png")
    post = factory.post(
        "/x", data={"display_name": "Alice", "avatar": upload, "fields_attributes[0][name]": "Pronouns"}
    )
    request = factory.generic("PATCH", "/x", data=post.body, content_type=post.META["CONTENT_TYPE"])
    params = ApiParams.from_request(request)
    assert params.get_str("display_name") == "Alice"
    avatar = params.get_file("avatar")
    assert avatar is not None
    assert avatar.read() == b"\x89PNG data"
    assert params.get_dicts("fields_attributes") == {"0": {"name": "Pronouns"}}


def test_query_string_arrays_are_read() -> None:
    params = ApiParams.from_request(factory.get("/api/v1/accounts/relationships?id[]=1&id[]=2&limit=5"))
    assert params.get_list("id") == ["1", "2"]
    assert params.get_int("limit", 20, maximum=3) == 3
    assert params.get_int("missing", 20) == 20


def test_urlencoded_put_is_parsed() -> None:
    request = factory.put("/x", data="description=A+cat", content_type="application/x-www-form-urlencoded")
    assert ApiParams.from_request(request).get_str("description") == "A cat"


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("1", True), ("on", True), ("false", False), ("0", False)]
)
def test_booleans_read_as_mastodon_reads_them(raw: str, expected: bool) -> None:
    assert ApiParams.from_request(factory.get(f"/x?flag={raw}")).get_bool("flag") is expected


def test_unreadable_values_are_refused() -> None:
    params = ApiParams.from_request(factory.get("/x?flag=maybe&limit=ten"))
    with pytest.raises(ApiError, match="flag must be true or false"):
        params.get_bool("flag")
    with pytest.raises(ApiError, match="limit must be an integer"):
        params.get_int("limit")


def test_malformed_json_is_a_bad_request() -> None:
    request = factory.post("/x", data="{not json", content_type="application/json")
    with pytest.raises(ApiError) as raised:
        ApiParams.from_request(request)
    assert raised.value.status == 400
    request = factory.post("/x", data="[1, 2]", content_type="application/json")
    with pytest.raises(ApiError, match="JSON object"):
        ApiParams.from_request(request)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"status": "hi", "poll": ' + b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH + b"}",
    ],
)
def test_deeply_nested_json_is_a_bad_request(body: bytes) -> None:
    request = factory.post("/x", data=body, content_type="application/json")
    with pytest.raises(ApiError, match="nested deeper than") as raised:
        ApiParams.from_request(request)
    assert raised.value.status == 400


def test_oversize_json_is_refused_before_it_is_read() -> None:
    body = json.dumps({"status": "x" * MAX_JSON_BODY_BYTES}).encode()
    request = factory.post("/x", data=body, content_type="application/json")
    with pytest.raises(ApiError, match="larger than") as raised:
        json_body(request)
    assert raised.value.status == 413
    # The body was never read into memory.
    assert not hasattr(request, "_body")


def test_an_empty_json_body_reads_as_no_parameters() -> None:
    request = factory.post("/x", data=b" \n", content_type="application/json")
    assert "status" not in ApiParams.from_request(request)


DEEP_BODY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"status": "hi", "client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "poll": ' + (
    b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH + b"}"
)


@pytest.mark.django_db
@pytest.mark.parametrize("body", [DEEP_BODY, DEEP_OBJECT])
def test_deep_bodies_are_answered_400_at_the_client_api_and_nothing_is_stored(alice: Actor, body: bytes) -> None:
    token = AccessTokenFactory.create(user=alice.user, scope="read write")
    client = Client(headers=bearer(token.token))
    for path in ("/api/v1/statuses", "/api/v1/apps"):
        response = client.post(path, data=body, content_type="application/json")
        assert response.status_code == 400, (path, response.content)
        assert "nested deeper than" in response.json()["error"]
    assert Status.objects.count() == 0
    assert Application.objects.exclude(pk=token.application_id).count() == 0


@pytest.mark.django_db
def test_oversize_status_body_is_answered_413_and_nothing_is_stored(alice: Actor) -> None:
    token = AccessTokenFactory.create(user=alice.user, scope="read write")
    body = json.dumps({"status": "x" * MAX_JSON_BODY_BYTES})
    response = Client().post(
        "/api/v1/statuses",
        data=body,
        content_type="application/json",
        headers=bearer(token.token),
    )
    assert response.status_code == 413
    assert "larger than" in response.json()["error"]
    assert Status.objects.count() == 0


@pytest.mark.django_db
def test_deep_token_request_is_refused_and_no_token_issued(alice: Actor) -> None:
    app = ApplicationFactory.create()
    response = Client().post("/oauth/token", data=DEEP_BODY, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] in ("invalid_request", "unsupported_grant_type")
    assert not AccessToken.objects.filter(application=app).exists()

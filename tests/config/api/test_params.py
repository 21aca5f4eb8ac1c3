"""Parameters read alike from queries, forms, multipart and JSON bodies."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from config.api.errors import ApiError
from config.api.params import ApiParams

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

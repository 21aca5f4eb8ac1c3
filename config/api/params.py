"""Read a client's parameters the same way whether they come as a query, a form, multipart or JSON.

Mastodon clients send all four. Arrays arrive as `key[]=a&key[]=b` in forms and
queries and as lists in JSON; nested objects as `poll[options][]` in forms and
as objects in JSON. Both spellings end up under the same flattened names here:
`get_list("poll[options]")` reads either.
"""

from __future__ import annotations

from typing import IO, Any, cast

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import load_handler
from django.http import HttpRequest, QueryDict, RawPostDataException
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.datastructures import MultiValueDict

from config.api.errors import ApiError
from config.json_input import JsonInputError, parse_json

# A JSON body of the client API: statuses, filters and proposals are a few kilobytes; files come as multipart.
MAX_JSON_BODY_BYTES = 1_000_000
TRUE_VALUES = frozenset({"true", "1", "on", "yes", "t"})
FALSE_VALUES = frozenset({"false", "0", "off", "no", "f", ""})


def json_body(request: HttpRequest) -> dict[str, Any]:
    """Return the JSON object a request sends as its body ({} for none), within size and depth bounds.

    Every client-API view that reads a JSON body reads it here, so that a
    body too large, nested too deep or not an object is answered with the
    same error and reaches no action.
    """
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_JSON_BODY_BYTES:
        raise ApiError(f"The request body is larger than {MAX_JSON_BODY_BYTES} bytes", 413)
    body = request.body
    if not body.strip():
        return {}
    try:
        document = parse_json(body, max_bytes=MAX_JSON_BODY_BYTES)
    except JsonInputError as exc:
        status = 413 if len(body) > MAX_JSON_BODY_BYTES else 400
        raise ApiError(f"The request body is refused: {exc}", status) from None
    if not isinstance(document, dict):
        raise ApiError("The request body must be a JSON object", 400)
    return document


def _normalise_key(key: str) -> str:
    return key[:-2] if key.endswith("[]") else key


def _flatten(prefix: str, value: Any, into: dict[str, list[Any]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}[{key}]" if prefix else str(key), item, into)
    elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
        for index, item in enumerate(value):
            _flatten(f"{prefix}[{index}]", item, into)
    elif isinstance(value, list):
        into.setdefault(prefix, []).extend(value)
    else:
        into.setdefault(prefix, []).append(value)


class ApiParams:
    """The parameters of one API request, merged from its query string and its body."""

    def __init__(self, values: dict[str, list[Any]], files: MultiValueDict[str, UploadedFile]) -> None:
        self._values = values
        self._files = files

    @classmethod
    def from_request(cls, request: HttpRequest) -> ApiParams:
        """Parse the query string and the body (form, multipart or JSON) of a request."""
        values: dict[str, list[Any]] = {}
        for key, items in request.GET.lists():
            values.setdefault(_normalise_key(key), []).extend(items)
        files: MultiValueDict[str, UploadedFile] = MultiValueDict()
        content_type = request.content_type or ""
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            # Forms are read through Django's parsers, which may have consumed the
            # stream already (token checks read POST); JSON is read from the body.
            if content_type == "application/json" or content_type.endswith("+json"):
                for key, value in json_body(request).items():
                    _flatten(_normalise_key(str(key)), value, values)
            elif content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
                form, files = cls._form_body(request, content_type)
                for key, items in form.lists():
                    values.setdefault(_normalise_key(key), []).extend(items)
        return cls(values, files)

    @staticmethod
    def _form_body(
        request: HttpRequest, content_type: str
    ) -> tuple[MultiValueDict[str, str], MultiValueDict[str, UploadedFile]]:
        if request.method == "POST":
            return request.POST, request.FILES
        # Django parses bodies of POST only; PUT and PATCH (update_credentials
        # sends avatars with PATCH) are parsed here the same way. The token
        # check has already touched request.POST, which freezes the request's
        # upload handlers, so the parser gets handlers of its own, and reads
        # the stream directly: files are not held in memory as request.body.
        if content_type == "multipart/form-data":
            handlers = [load_handler(path, request) for path in settings.FILE_UPLOAD_HANDLERS]
            try:
                form, files = MultiPartParser(
                    request.META, cast("IO[bytes]", request), handlers, request.encoding
                ).parse()
            except (MultiPartParserError, RawPostDataException) as exc:
                raise ApiError(f"The multipart body cannot be read: {exc}", 400) from None
            return form, files
        return QueryDict(request.body, encoding=request.encoding), MultiValueDict()

    def __contains__(self, name: str) -> bool:
        return name in self._values or name in self._files

    def get_str(self, name: str, default: str = "") -> str:
        """Return the last value given for `name` as text, or the default."""
        items = self._values.get(name)
        if not items:
            return default
        value = items[-1]
        if value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict | list):
            raise ApiError(f"{name} must be a single value", 422)
        return str(value)

    def get_optional_str(self, name: str) -> str | None:
        """Return the value given for `name` as text, or None if it was not given."""
        return self.get_str(name) if name in self._values else None

    def get_list(self, name: str) -> list[str]:
        """Return every value given for `name` (`name[]` in forms, a list in JSON)."""
        return [str(item) for item in self._values.get(name, []) if item is not None]

    def get_bool(self, name: str, default: bool = False) -> bool:
        """Return `name` read as a boolean the way Mastodon reads it."""
        items = self._values.get(name)
        if not items or items[-1] is None:
            return default
        value = items[-1]
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise ApiError(f"{name} must be true or false", 422)

    def get_int(
        self, name: str, default: int | None = None, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        """Return `name` as an integer, clamped to the bounds, or the default if absent."""
        text = self.get_str(name).strip()
        if not text:
            return default
        try:
            number = int(text)
        except ValueError:
            raise ApiError(f"{name} must be an integer", 422) from None
        if minimum is not None:
            number = max(number, minimum)
        if maximum is not None:
            number = min(number, maximum)
        return number

    def get_file(self, name: str) -> UploadedFile | None:
        """Return the file uploaded as `name`, if any."""
        return self._files.get(name)

    def get_dicts(self, name: str) -> dict[str, dict[str, str]]:
        """Return indexed sub-objects such as `fields_attributes[0][name]` as {"0": {"name": ...}}."""
        prefix = f"{name}["
        found: dict[str, dict[str, str]] = {}
        for key, items in self._values.items():
            if not key.startswith(prefix) or not items:
                continue
            index, _, rest = key[len(prefix) :].partition("]")
            if rest.startswith("[") and rest.endswith("]"):
                found.setdefault(index, {})[rest[1:-1]] = str(items[-1])
        return found

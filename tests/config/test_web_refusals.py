"""A refusal raised on a web page is shown where the page shows errors; other errors pass through."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpRequest
from django.test import RequestFactory

from config.refusals import Refused
from config.web_refusals import refusal_as_message, refusal_on_form
from members.errors import MemberRefused


class NameForm(forms.Form):
    name = forms.CharField()


def _request() -> HttpRequest:
    request = RequestFactory().post("/")
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def test_a_refusal_becomes_an_error_message_and_stops_the_block() -> None:
    request = _request()
    reached = False
    with refusal_as_message(request):
        raise MemberRefused("Not now.")
        reached = True  # type: ignore[unreachable]
    assert not reached
    assert [(message.level_tag, message.message) for message in get_messages(request)] == [("error", "Not now.")]


def test_a_refusal_is_added_to_the_form_field_named() -> None:
    form = NameForm({"name": "x"})
    assert form.is_valid()
    with refusal_on_form(form, "name"):
        raise Refused("Taken.")
    assert form.errors == {"name": ["Taken."]}
    with refusal_on_form(form):
        raise Refused("Closed.")
    assert form.non_field_errors() == ["Closed."]


def test_other_errors_pass_through() -> None:
    with pytest.raises(KeyError), refusal_as_message(_request()):
        raise KeyError("bug")
    with pytest.raises(ValueError, match="bug"), refusal_on_form(NameForm({})):
        raise ValueError("bug")

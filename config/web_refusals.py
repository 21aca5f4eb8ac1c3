"""Show an action's refusal on a web page, for every app's pages, as the client API maps it to JSON.

Every app's refusals share `config.refusals.Refused`, so a page names the
place its refusals are shown (an error message on the next page, or an error
on the form it shows again) and never the app's error class. The block after
the refused call is skipped, so a refused `check_*` stops its `do_*`.
Pages show the refusal's own words (`str()`); its `message` is the client
API's wording, which for some refusals is Mastodon's ("Validation failed:
...", "Record not found").
"""

from __future__ import annotations

from types import TracebackType

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from config.refusals import Refused


class _RefusalShown:
    """Stop a `Refused` raised in the block after showing it; let every other error through."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> bool:
        # Returning `bool` (not `bool | None`) tells type checkers the block may stop here.
        if isinstance(exc, Refused):
            self.show(exc)
            return True
        return False

    def show(self, refusal: Refused) -> None:
        """Show the refusal where the page shows its errors."""
        raise NotImplementedError


class _AsMessage(_RefusalShown):
    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def show(self, refusal: Refused) -> None:
        messages.error(self.request, str(refusal))


class _OnForm(_RefusalShown):
    def __init__(self, form: forms.Form, field: str | None) -> None:
        self.form = form
        self.field = field

    def show(self, refusal: Refused) -> None:
        self.form.add_error(self.field, str(refusal))


def refusal_as_message(request: HttpRequest) -> _RefusalShown:
    """Show a refusal raised in the block as an error message on the next page the member sees."""
    return _AsMessage(request)


def refusal_on_form(form: forms.Form, field: str | None = None) -> _RefusalShown:
    """Add a refusal raised in the block to the form's errors, on `field` or the whole form."""
    return _OnForm(form, field)

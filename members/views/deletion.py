"""Delete one's account: request (with the password), grace countdown, cancel, and the receipt."""

from __future__ import annotations

import json

from django import forms
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from config.refusals import Refused
from config.web_refusals import refusal_on_form
from members.access import access_deletion_by_receipt_token
from members.actions.deletion import (
    check_cancel_account_deletion,
    check_request_account_deletion,
    do_cancel_account_deletion,
    do_request_account_deletion,
    receipt_path,
)
from members.deletion_receipt import deletion_receipt, receipt_text
from members.holdings import holdings_of_user
from members.models import User
from members.selectors import bylaws_in_force


class DeletionForm(forms.Form):
    """Confirm a deletion request with the password."""

    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput)
    immediate = forms.BooleanField(label=_("Erase at once, without the grace period"), required=False)
    confirm = forms.BooleanField(label=_("I understand that my posts, media and profile will be erased"))


class CancelForm(forms.Form):
    """Sign in again to cancel a scheduled deletion."""

    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


@login_required
def request_deletion(request: HttpRequest) -> HttpResponse:
    """Show what deletion does; on POST with the right password, schedule it and show the receipt link once."""
    viewer = request.user
    assert isinstance(viewer, User)  # noqa: S101 (login_required lets only users through)
    bylaws = bylaws_in_force()
    form = DeletionForm(request.POST or None)
    if not bylaws.deletion_immediate_allowed:
        del form.fields["immediate"]
    if request.method == "POST" and form.is_valid():
        try:
            plan = check_request_account_deletion(
                viewer, password=form.cleaned_data["password"], immediate=form.cleaned_data.get("immediate", False)
            )
        except Refused as exc:
            # A wrong password is shown under the password field, other refusals above the form.
            form.add_error("password" if "password" in exc.message else None, exc.message)
        else:
            deletion, token = do_request_account_deletion(plan)
            # The login is deactivated from now on; only the cancel page signs it in again.
            logout(request)
            context = {"deletion": deletion, "receipt_url": request.build_absolute_uri(receipt_path(token))}
            return render(request, "members/deletion_scheduled.html", context)
    context = {"form": form, "bylaws": bylaws, "holdings": holdings_of_user(viewer)}
    return render(request, "members/deletion_request.html", context)


def cancel_deletion(request: HttpRequest) -> HttpResponse:
    """Cancel a scheduled deletion by signing in again; the account comes back as it was."""
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            deletion = check_cancel_account_deletion(form.cleaned_data["username"], form.cleaned_data["password"])
            do_cancel_account_deletion(deletion)
            assert deletion.user is not None  # noqa: S101 (a scheduled deletion has its user)
            deletion.user.refresh_from_db()
            login(request, deletion.user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("members:membership")
    return render(request, "members/deletion_cancel.html", {"form": form})


@require_GET
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    """Show the deletion receipt to whoever holds its secret link."""
    deletion = access_deletion_by_receipt_token(token)
    context = {"receipt": deletion_receipt(deletion), "token": token}
    response = render(request, "members/deletion_receipt.html", context)
    _private(response)
    return response


@require_GET
def receipt_json(request: HttpRequest, token: str) -> HttpResponse:
    """Download the receipt as JSON."""
    body = json.dumps(deletion_receipt(access_deletion_by_receipt_token(token)).to_json(), indent=2)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="deletion-receipt.json"'
    _private(response)
    return response


@require_GET
def receipt_txt(request: HttpRequest, token: str) -> HttpResponse:
    """Download the receipt as plain text."""
    body = receipt_text(deletion_receipt(access_deletion_by_receipt_token(token)))
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="deletion-receipt.txt"'
    _private(response)
    return response


def _private(response: HttpResponse) -> None:
    # The token is the only key to the receipt: keep it out of caches and referrers.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"

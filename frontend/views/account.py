"""Sign-in and account security pages: login with a second factor, password reset, sessions and apps."""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from config.refusals import Refused
from config.web_refusals import refusal_as_message, refusal_on_form
from members.actions.deletion import check_cancel_account_deletion
from members.actions.security import (
    authorised_apps_for,
    do_confirm_two_factor,
    do_disable_two_factor,
    do_end_web_session,
    do_record_web_session,
    do_revoke_app_authorisation,
    do_start_two_factor,
    do_verify_two_factor_code,
    has_two_factor,
    provisioning_uri,
    web_sessions_for,
)
from members.errors import MemberRefused
from members.models import TwoFactorDevice, User

PENDING_USER = "two_factor_pending_user"
PENDING_SINCE = "two_factor_pending_since"
PENDING_NEXT = "two_factor_pending_next"
# The password step stays valid this long; then the member starts again.
PENDING_SECONDS = 300
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def session_store() -> type[SessionBase]:
    """Return the configured session store class."""
    store: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    return store


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _complete_sign_in(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    auth.login(request, user, backend=AUTH_BACKEND)
    do_record_web_session(request, user)
    return redirect(_safe_next(request, next_url))


class SignInView(auth_views.LoginView):
    """Check the password; ask for a code next when the member has two-factor authentication on."""

    template_name = "frontend/login.html"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        """Sign in, or hold the sign-in until the second factor is given."""
        user = form.get_user()
        next_url = self.request.POST.get("next", "") or self.request.GET.get("next", "")
        if has_two_factor(user):
            self.request.session[PENDING_USER] = user.pk
            self.request.session[PENDING_SINCE] = time.time()
            self.request.session[PENDING_NEXT] = next_url
            return redirect("frontend:login_code")
        return _complete_sign_in(self.request, user, next_url)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        """Point a member whose account waits for deletion to the page that cancels it.

        Their login is deactivated for the grace period, so Django answers as
        for a wrong password; with the right password the member is told
        where to go instead (nobody else learns the account is scheduled).
        """
        try:
            check_cancel_account_deletion(form.data.get("username", ""), form.data.get("password", ""))
        except Refused:
            return super().form_invalid(form)
        form.errors.pop(NON_FIELD_ERRORS, None)
        return self.render_to_response(self.get_context_data(form=form, deletion_scheduled=True), status=400)


class CodeForm(forms.Form):
    """A six-digit code from an authenticator app."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def login_code(request: HttpRequest) -> HttpResponse:
    """Take the second factor of a sign-in whose password was already right."""
    user_id = request.session.get(PENDING_USER)
    since = float(request.session.get(PENDING_SINCE, 0))
    if user_id is None or time.time() - since > PENDING_SECONDS:
        for key in (PENDING_USER, PENDING_SINCE, PENDING_NEXT):
            request.session.pop(key, None)
        messages.error(request, _("Sign in again: the code step expired."))
        return redirect("frontend:login")
    user = User.objects.get(pk=user_id)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form, "code"):
            do_verify_two_factor_code(user, form.cleaned_data["code"])
            next_url = str(request.session.get(PENDING_NEXT, ""))
            for key in (PENDING_USER, PENDING_SINCE, PENDING_NEXT):
                request.session.pop(key, None)
            return _complete_sign_in(request, user, next_url)
    return render(request, "frontend/login_code.html", {"form": form}, status=400 if form.errors else 200)


class DisableForm(forms.Form):
    """What turning two-factor authentication off asks for."""

    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    code = CodeForm.base_fields["code"]


def _qr_svg(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff", title=str(_("QR code"))))


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """Show and change two-factor authentication, signed-in browsers and authorised apps."""
    user: User = request.user  # type: ignore[assignment]
    status = 200
    context: dict[str, Any] = {"code_form": CodeForm(), "disable_form": DisableForm()}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "start":
                do_start_two_factor(user, issuer=settings.MUTUALS_DOMAIN)
            elif action == "confirm":
                form = CodeForm(request.POST)
                if not form.is_valid():
                    raise MemberRefused("Enter the six-digit code from your authenticator app.")
                do_confirm_two_factor(user, form.cleaned_data["code"])
                messages.success(request, _("Two-factor authentication is on."))
                return redirect("frontend:security")
            elif action == "disable":
                disable = DisableForm(request.POST)
                if not disable.is_valid():
                    raise MemberRefused("Enter your password and a current code.")
                do_disable_two_factor(user, disable.cleaned_data["password"], disable.cleaned_data["code"])
                messages.success(request, _("Two-factor authentication is off."))
                return redirect("frontend:security")
            else:
                raise MemberRefused("Unknown request.")
        except Refused as exc:
            # The page shows the refusal beside the forms it concerns, answering 400.
            context["error"] = exc.message
            status = 400
    device = TwoFactorDevice.objects.filter(user=user).first()
    if device is not None and device.confirmed_at is None:
        uri = provisioning_uri(user, device.secret, issuer=settings.MUTUALS_DOMAIN)
        context["pending"] = {"secret": device.secret, "qr": _qr_svg(uri)}
    context["two_factor_on"] = device is not None and device.confirmed_at is not None
    context["sessions"] = web_sessions_for(user, session_store())
    context["current_session_key"] = request.session.session_key
    context["apps"] = authorised_apps_for(user)
    return render(request, "frontend/security.html", context, status=status)


@login_required
@require_POST
def end_session(request: HttpRequest, session_id: int) -> HttpResponseBase:
    """Sign out one of the member's browsers."""
    with refusal_as_message(request):
        do_end_web_session(request.user, session_id, session_store())  # type: ignore[arg-type]
        messages.success(request, _("That browser is signed out."))
    return redirect("frontend:security")


@login_required
@require_POST
def revoke_app(request: HttpRequest, application_id: int) -> HttpResponseBase:
    """Take away an app's access to the member's account."""
    with refusal_as_message(request):
        do_revoke_app_authorisation(request.user, application_id)  # type: ignore[arg-type]
        messages.success(request, _("The app no longer has access to your account."))
    return redirect("frontend:security")

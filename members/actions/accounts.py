"""Create the accounts of people on this server."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from oauth2_provider.models import AccessToken, Application

from federation.actions.actors import do_create_local_actor
from federation.models import Actor
from members.actions.lifecycle import (
    MAX_APPLICATION_LENGTH,
    check_application_text_and_invitation,
    do_apply_for_membership,
)
from members.actions.tokens import do_issue_app_token
from members.errors import AccountRefused, FieldError, MemberRefused
from members.models import Invitation, User

USERNAME_PATTERN = re.compile(r"^[a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?$", re.IGNORECASE)
MAX_USERNAME_LENGTH = 30
# A language code as apps send their locale: en, pt-BR, zh-Hant, kab.
LOCALE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
# Names that would collide with this server's own paths or roles.
RESERVED_USERNAMES = frozenset(
    {"actor", "inbox", "instance", "api", "static", "media", "about", "well-known", "nodeinfo", "coop"}
)


@dataclass(frozen=True)
class AccountRequest:
    """An account that passed its checks."""

    username: str
    email: str
    password: str | None
    display_name: str
    application_text: str = ""
    invitation: Invitation | None = None


def _username_errors(username: str) -> list[FieldError]:
    if not username:
        return [FieldError("username", "ERR_BLANK", "Username can't be blank.")]
    if len(username) > MAX_USERNAME_LENGTH:
        message = f"Username is too long (at most {MAX_USERNAME_LENGTH} characters)."
        return [FieldError("username", "ERR_TOO_LONG", message)]
    if not USERNAME_PATTERN.match(username):
        message = "Username may contain only letters, numbers, underscores, dots and dashes."
        return [FieldError("username", "ERR_INVALID", message)]
    if username.lower() in RESERVED_USERNAMES:
        return [FieldError("username", "ERR_RESERVED", f"Username {username!r} is reserved.")]
    taken = User.objects.filter(username__iexact=username).exists()
    if taken or Actor.objects.filter(domain="", username__iexact=username).exists():
        return [FieldError("username", "ERR_TAKEN", f"Username {username!r} is already taken.")]
    return []


def _account_errors(
    username: str, email: str, password: str | None, application_text: str, invitation_code: str
) -> tuple[list[FieldError], Invitation | None]:
    """Return every field at fault in a new account, and the invitation it uses, if any."""
    errors = _username_errors(username)
    if email and User.objects.filter(email__iexact=email).exists():
        errors.append(FieldError("email", "ERR_TAKEN", "That email address is already in use."))
    if password is not None:
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as exc:
            code = "ERR_TOO_SHORT" if any(e.code == "password_too_short" for e in exc.error_list) else "ERR_INVALID"
            errors.append(FieldError("password", code, " ".join(exc.messages)))
    invitation = None
    if len(application_text) > MAX_APPLICATION_LENGTH:
        message = f"The application is too long (at most {MAX_APPLICATION_LENGTH} characters)."
        errors.append(FieldError("reason", "ERR_TOO_LONG", message))
    else:
        try:
            invitation = check_application_text_and_invitation(application_text, invitation_code)
        except MemberRefused as exc:
            errors.append(FieldError("invite_code", "ERR_INVALID", exc.message))
    return errors, invitation


def check_create_account(
    username: str,
    *,
    email: str = "",
    password: str | None = None,
    display_name: str = "",
    application_text: str = "",
    invitation_code: str = "",
) -> AccountRequest:
    """Validate a new account's username, email, password and application; raise AccountRefused naming each fault."""
    username = username.strip()
    errors, invitation = _account_errors(username, email, password, application_text, invitation_code)
    if errors:
        raise AccountRefused(errors)
    return AccountRequest(
        username=username,
        email=email,
        password=password,
        display_name=display_name,
        application_text=application_text,
        invitation=invitation,
    )


def check_sign_up(
    *,
    username: str,
    email: str,
    password: str,
    agreement: bool,
    locale: str = "",
    reason: str = "",
    invite_code: str = "",
) -> AccountRequest:
    """Validate a sign-up from an app (Mastodon's `POST /api/v1/accounts`); raise AccountRefused naming each fault.

    Beyond what every new account needs, an app must send an email address
    and a password and the person's agreement to the server's rules. The
    locale, if any, must be a language code; it is not kept, since this
    server's pages and mails speak one language. The account is an
    application for membership, as one made through the web form is.
    """
    username = username.strip()
    email = email.strip()
    errors, invitation = _account_errors(username, email, password or None, reason, invite_code)
    if not email:
        errors.append(FieldError("email", "ERR_BLANK", "Email can't be blank."))
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(FieldError("email", "ERR_INVALID", "Email is not a valid address."))
    if not password:
        errors.append(FieldError("password", "ERR_BLANK", "Password can't be blank."))
    if not agreement:
        errors.append(FieldError("agreement", "ERR_ACCEPTED", "The server's rules must be accepted."))
    if locale and not LOCALE_PATTERN.match(locale):
        errors.append(FieldError("locale", "ERR_INCLUSION", f"Locale {locale!r} is not an ISO 639 language code."))
    if errors:
        raise AccountRefused(errors)
    return AccountRequest(
        username=username,
        email=email,
        password=password,
        display_name="",
        application_text=reason,
        invitation=invitation,
    )


def do_create_account(request: AccountRequest, *, is_admin: bool = False) -> User:
    """Create the user and their actor together, and record the person as an applicant for membership."""
    with transaction.atomic():
        user = User(username=request.username, email=request.email, is_staff=is_admin, is_superuser=is_admin)
        if request.password is None:
            user.set_unusable_password()
        else:
            user.set_password(request.password)
        user.save()
        do_create_local_actor(user, display_name=request.display_name)
        do_apply_for_membership(user, application_text=request.application_text, invitation=request.invitation)
    return user


def do_sign_up(request: AccountRequest, application: Application, scope: str) -> AccessToken:
    """Create the account and its membership application, and a token for the app that signed the person up."""
    with transaction.atomic():
        user = do_create_account(request)
        return do_issue_app_token(user, application, scope)

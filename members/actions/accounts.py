"""Create the accounts of people on this server."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from federation.actions.actors import do_create_local_actor
from federation.models import Actor
from members.actions.lifecycle import check_application_text_and_invitation, do_apply_for_membership
from members.errors import MemberRefused
from members.models import Invitation, User

USERNAME_PATTERN = re.compile(r"^[a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?$", re.IGNORECASE)
MAX_USERNAME_LENGTH = 30
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


def check_create_account(
    username: str,
    *,
    email: str = "",
    password: str | None = None,
    display_name: str = "",
    application_text: str = "",
    invitation_code: str = "",
) -> AccountRequest:
    """Validate a new account's username, email, password and application; raise MemberRefused if wrong."""
    username = username.strip()
    if not username:
        raise MemberRefused("Username can't be blank.")
    if len(username) > MAX_USERNAME_LENGTH:
        raise MemberRefused(f"Username is too long (at most {MAX_USERNAME_LENGTH} characters).")
    if not USERNAME_PATTERN.match(username):
        raise MemberRefused("Username may contain only letters, numbers, underscores, dots and dashes.")
    if username.lower() in RESERVED_USERNAMES:
        raise MemberRefused(f"Username {username!r} is reserved.")
    taken = User.objects.filter(username__iexact=username).exists()
    if taken or Actor.objects.filter(domain="", username__iexact=username).exists():
        raise MemberRefused(f"Username {username!r} is already taken.")
    if email and User.objects.filter(email__iexact=email).exists():
        raise MemberRefused("That email address is already in use.")
    if password is not None:
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as exc:
            raise MemberRefused(" ".join(exc.messages)) from None
    invitation = check_application_text_and_invitation(application_text, invitation_code)
    return AccountRequest(
        username=username,
        email=email,
        password=password,
        display_name=display_name,
        application_text=application_text,
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

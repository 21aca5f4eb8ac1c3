"""Two-factor authentication, web sessions and app authorisations: the member's sign-in security."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyotp
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

from members.errors import MemberRefused
from members.models import TwoFactorDevice, User, WebSession

TOTP_STEP_SECONDS = 30
# One step either side absorbs a phone clock that is a little off, as most servers allow.
TOTP_VALID_WINDOW = 1


@dataclass(frozen=True)
class PendingAuthenticator:
    """A new secret shown to the member, not yet protecting anything."""

    secret: str
    provisioning_uri: str


def provisioning_uri(user: User, secret: str, issuer: str) -> str:
    """Return the otpauth:// address authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def do_start_two_factor(user: User, issuer: str) -> PendingAuthenticator:
    """Create (or replace an unconfirmed) authenticator secret for the member."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is not None and device.confirmed_at is not None:
            raise MemberRefused("Two-factor authentication is already on; turn it off first.")
        secret = pyotp.random_base32()
        TwoFactorDevice.objects.update_or_create(user=user, defaults={"secret": secret, "last_used_step": 0})
    return PendingAuthenticator(secret=secret, provisioning_uri=provisioning_uri(user, secret, issuer))


def _accepted_step(device: TwoFactorDevice, code: str, now: float) -> int:
    """Return the time step the code belongs to, or raise if it is wrong or was used already."""
    cleaned = code.replace(" ", "").strip()
    if not cleaned.isdigit() or len(cleaned) != 6:
        raise MemberRefused("Enter the six-digit code from your authenticator app.")
    totp = pyotp.TOTP(device.secret)
    current = int(now // TOTP_STEP_SECONDS)
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        if totp.at(step * TOTP_STEP_SECONDS) == cleaned:
            if step <= device.last_used_step:
                raise MemberRefused("That code was used already; wait for the next one.")
            return step
    raise MemberRefused("That code is not right. Check your authenticator app's clock and try again.")


def do_confirm_two_factor(user: User, code: str, *, now: float | None = None) -> None:
    """Turn two-factor authentication on once the member proves their app produces valid codes."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            raise MemberRefused("Start setting up two-factor authentication first.")
        if device.confirmed_at is not None:
            raise MemberRefused("Two-factor authentication is already on.")
        device.last_used_step = _accepted_step(device, code, time.time() if now is None else now)
        device.confirmed_at = timezone.now()
        device.save(update_fields=["last_used_step", "confirmed_at"])


def has_two_factor(user: User) -> bool:
    """Return True if signing in as the member needs a code."""
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def do_verify_two_factor_code(user: User, code: str, *, now: float | None = None) -> None:
    """Accept one code for the member's confirmed authenticator, never the same code twice."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        if device is None:
            raise MemberRefused("Two-factor authentication is not on for this account.")
        device.last_used_step = _accepted_step(device, code, time.time() if now is None else now)
        device.save(update_fields=["last_used_step"])


def do_disable_two_factor(user: User, password: str, code: str) -> None:
    """Turn two-factor authentication off, after the password and a current code."""
    if not user.check_password(password):
        raise MemberRefused("The password is not right.")
    with transaction.atomic():
        do_verify_two_factor_code(user, code)
        TwoFactorDevice.objects.filter(user=user).delete()


def do_record_web_session(request: HttpRequest, user: User) -> WebSession:
    """Remember the browser that just signed in, so the member can see and end it later."""
    session_key = request.session.session_key
    if session_key is None:
        request.session.save()
        session_key = request.session.session_key
    if session_key is None:
        raise MemberRefused("The browser has no session to record.")
    forwarded = request.META.get("REMOTE_ADDR") or None
    session, _ = WebSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "ip_address": forwarded,
        },
    )
    return session


def web_sessions_for(user: User, store: type[SessionBase]) -> list[WebSession]:
    """Return the member's sessions that still exist, dropping records of expired ones."""
    alive: list[WebSession] = []
    for session in WebSession.objects.filter(user=user).order_by("-created_at"):
        if store().exists(session.session_key):
            alive.append(session)
        else:
            session.delete()
    return alive


def do_end_web_session(user: User, session_id: int, store: type[SessionBase]) -> None:
    """Sign out one of the member's browsers; another member's session is never found."""
    session = WebSession.objects.filter(user=user, pk=session_id).first()
    if session is None:
        raise MemberRefused("No such session.")
    store(session_key=session.session_key).delete()
    session.delete()


@dataclass(frozen=True)
class AuthorisedApp:
    """An app holding live tokens for the member, with the scopes it was granted."""

    application: Application
    scopes: list[str]
    last_issued: object


def authorised_apps_for(user: User) -> list[AuthorisedApp]:
    """Return each app with an unexpired token for the member."""
    tokens = (
        AccessToken.objects.filter(user=user, expires__gt=timezone.now())
        .select_related("application")
        .order_by("application_id", "-created")
    )
    apps: dict[int, AuthorisedApp] = {}
    for token in tokens:
        if token.application is None:
            continue
        known = apps.get(token.application.pk)
        scopes = sorted(set(token.scope.split()) | set(known.scopes if known else []))
        apps[token.application.pk] = AuthorisedApp(
            application=token.application,
            scopes=scopes,
            last_issued=known.last_issued if known else token.created,
        )
    return list(apps.values())


def do_revoke_app_authorisation(user: User, application_id: int) -> int:
    """Revoke every token and pending code the app holds for the member; return the tokens revoked."""
    with transaction.atomic():
        tokens = list(AccessToken.objects.filter(user=user, application_id=application_id))
        if not tokens:
            raise MemberRefused("That app has no access to your account.")
        RefreshToken.objects.filter(user=user, application_id=application_id).delete()
        Grant.objects.filter(user=user, application_id=application_id).delete()
        AccessToken.objects.filter(pk__in=[token.pk for token in tokens]).delete()
    return len(tokens)

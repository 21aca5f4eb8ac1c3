"""Delete a member's account: request with the password, a grace period, cancel, erasure, receipt.

During the grace period the login is only deactivated (hidden everywhere,
unable to post or use tokens), so cancelling restores everything. At the
end, `do_erase_account` queues Deletes of every status and then of the actor
to every server that received the member's content or follows them,
erases what the server holds about them, and keeps the records the bylaws
require under a pseudonym. The member follows the result on a receipt
reachable with a secret token, of which only the hash is stored.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken

from config.queueing import enqueue_on_commit
from federation.actions.erasure import (
    content_inboxes,
    do_erase_actor_profile,
    do_forget_inbox_recipients,
    do_forget_outbound_content,
    do_publish_actor_delete,
    hosts_of,
)
from federation.models import Actor
from federation.uris import base_url
from members.access import hash_receipt_token
from members.actions.exports import exports_folder
from members.actions.imports import imports_folder
from members.actions.lifecycle import do_end_membership_for_erasure
from members.deletion_receipt import deletion_receipt, receipt_text
from members.errors import MemberRefused
from members.models import (
    AccountDeletion,
    BylawsVersion,
    DataExport,
    DataImport,
    RoleHolding,
    TwoFactorDevice,
    User,
    WebSession,
)
from members.selectors import bylaws_in_force
from timeline.actions.erasure import do_erase_account_content, do_publish_status_deletes

logger = logging.getLogger(__name__)

WRONG_CREDENTIALS = "The username or password is wrong."


def receipt_path(token: str) -> str:
    """Return the path of the receipt page for a token."""
    return f"/coop/deletion/receipt/{token}"


@dataclass(frozen=True)
class DeletionPlan:
    """A checked deletion request: whose, and when erasure may start."""

    user: User
    actor: Actor
    requested_at: datetime
    erase_after: datetime
    immediate: bool


def check_request_account_deletion(user: User, *, password: str, immediate: bool = False) -> DeletionPlan:
    """Verify the password and the bylaws; raise MemberRefused with the reason otherwise."""
    if not password or not user.check_password(password):
        raise MemberRefused("The password is wrong.")
    actor = Actor.objects.filter(user=user, domain="").first()
    if actor is None or not user.is_active:
        raise MemberRefused("This login has no active account to delete.")
    if AccountDeletion.objects.filter(user=user, state=AccountDeletion.State.SCHEDULED).exists():
        raise MemberRefused("The deletion of this account is already scheduled.")
    bylaws = bylaws_in_force()
    if immediate and not bylaws.deletion_immediate_allowed:
        raise MemberRefused(
            f"The bylaws do not allow immediate deletion: the grace period is {bylaws.deletion_grace_days} days."
        )
    now = timezone.now()
    erase_after = now if immediate else now + timedelta(days=bylaws.deletion_grace_days)
    return DeletionPlan(user=user, actor=actor, requested_at=now, erase_after=erase_after, immediate=immediate)


def do_request_account_deletion(plan: DeletionPlan) -> tuple[AccountDeletion, str]:
    """Schedule the erasure and deactivate the login; return the request and its receipt token.

    The token is shown once (and emailed with the notice listing the
    servers to be told); only its hash is kept.
    """
    token = secrets.token_urlsafe(32)
    user, actor = plan.user, plan.actor
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        deletion = AccountDeletion.objects.create(
            user=user,
            actor=actor,
            handle=f"{actor.username}@{settings.MUTUALS_DOMAIN}",
            requested_at=plan.requested_at,
            erase_after=plan.erase_after,
            receipt_token_hash=hash_receipt_token(token),
            servers=hosts_of(content_inboxes(actor)),
            kept=kept_records(bylaws_in_force()),
        )
        user.is_active = False
        user.save(update_fields=["is_active"])
        notice = deletion_receipt(deletion)
        _mail_on_commit(
            user.email,
            "Your account is scheduled for deletion",
            _notice_text(deletion, token),
            attachments=[
                ("deletion-notice.json", json.dumps(notice.to_json(), indent=2), "application/json"),
                ("deletion-notice.txt", receipt_text(notice), "text/plain"),
            ],
        )
        if plan.immediate:
            enqueue_on_commit("members.tasks.erase_account", deletion.pk)
    return deletion, token


def check_cancel_account_deletion(username: str, password: str) -> AccountDeletion:
    """Return the scheduled deletion of the login with these credentials; refuse anything else alike."""
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None or not password or not user.check_password(password):
        raise MemberRefused(WRONG_CREDENTIALS)
    deletion = AccountDeletion.objects.filter(user=user, state=AccountDeletion.State.SCHEDULED).first()
    if deletion is None:
        raise MemberRefused("No deletion of this account is waiting to be cancelled.")
    return deletion


def do_cancel_account_deletion(deletion: AccountDeletion) -> AccountDeletion:
    """Cancel a scheduled deletion and reactivate the login: nothing was erased, so everything is back."""
    with transaction.atomic():
        deletion = AccountDeletion.objects.select_for_update().get(pk=deletion.pk)
        if deletion.state != AccountDeletion.State.SCHEDULED or deletion.user is None:
            raise MemberRefused("This deletion can no longer be cancelled.")
        deletion.state = AccountDeletion.State.CANCELLED
        deletion.cancelled_at = timezone.now()
        deletion.save(update_fields=["state", "cancelled_at"])
        user = deletion.user
        user.is_active = True
        user.save(update_fields=["is_active"])
    return deletion


def kept_records(bylaws: BylawsVersion) -> list[dict[str, str]]:
    """Return what erasure keeps, each with its legal basis, as the receipt shows it."""
    return [
        {
            "record": "Share register entries",
            "basis": (
                "The co-op must keep its register of members and shares (company law and the bylaws) for "
                f"{bylaws.retention_register_days} days; the entries now name a pseudonym, and any shares "
                "still held await redemption."
            ),
        },
        {
            "record": "Dues payments",
            "basis": (
                f"Accounting records kept for {bylaws.retention_dues_days} days as the law on accounts requires; "
                "they now name a pseudonym."
            ),
        },
        {
            "record": "Membership history",
            "basis": "The record of admissions and departures the bylaws require; it now names a pseudonym.",
        },
        {
            "record": "Named ballots and proposals",
            "basis": (
                "Ballots cast openly and proposals made stay as they were so closed decisions can be recounted "
                "and their tallies never change; they now name a pseudonym. Secret ballots never named anyone "
                "and are untouched."
            ),
        },
        {
            "record": "Moderation records",
            "basis": "The append-only transparency log of the co-op's decisions, required by the bylaws.",
        },
    ]


def due_account_deletions(now: datetime | None = None) -> list[int]:
    """Return ids of scheduled deletions whose grace period is over."""
    return list(
        AccountDeletion.objects.filter(state=AccountDeletion.State.SCHEDULED, erase_after__lte=now or timezone.now())
        .order_by("erase_after")
        .values_list("id", flat=True)[:100]
    )


def do_erase_account(deletion_id: int, *, now: datetime | None = None) -> bool:
    """Erase the account of a due deletion; return False if it is not due (already erased, cancelled, early).

    Everything happens in one transaction, so a worker that dies half-way
    leaves the request scheduled and the next run starts again.
    """
    moment = now or timezone.now()
    with transaction.atomic():
        deletion = (
            AccountDeletion.objects.select_for_update(of=("self",))
            .select_related("user", "actor")
            .filter(pk=deletion_id, state=AccountDeletion.State.SCHEDULED, erase_after__lte=moment)
            .first()
        )
        if deletion is None or deletion.user is None:
            return False
        user, actor = deletion.user, deletion.actor
        email = user.email
        # Servers are told in order: each status's audience, then the actor to its followers first.
        inboxes = content_inboxes(actor)
        activity_ids = do_publish_status_deletes(actor)
        actor_delete = do_publish_actor_delete(actor, inboxes)
        if actor_delete is not None:
            activity_ids.append(actor_delete.pk)
        do_forget_outbound_content(actor, activity_ids)
        do_forget_inbox_recipients(actor)
        files = do_erase_account_content(actor)
        files += do_erase_actor_profile(actor)
        private_files = _erase_data_rights_files(user)
        _pseudonymise_user(user)
        deletion.state = AccountDeletion.State.ERASED
        deletion.erased_at = moment
        deletion.activity_ids = activity_ids
        deletion.servers = list(dict.fromkeys([*deletion.servers, *hosts_of(inboxes)]))
        deletion.user = None
        deletion.save(update_fields=["state", "erased_at", "activity_ids", "servers", "user"])
        transaction.on_commit(lambda: _remove_files(files))
        transaction.on_commit(lambda: _remove_private_files(private_files))
        _mail_on_commit(
            email,
            "Your account has been erased",
            "Your account has been erased. The receipt page you were given lists every server told and "
            "whether it acknowledged; it is updated as deliveries finish.\n",
        )
    return True


def _pseudonymise_user(user: User) -> None:
    """Replace the login's identifying data with a pseudonym; the row stays for the records that cite it."""
    do_end_membership_for_erasure(user)
    user.username = f"erased-{secrets.token_hex(8)}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    # A new unusable password also invalidates every session, whose hash derives from it.
    user.set_unusable_password()
    user.save()
    RoleHolding.objects.filter(user=user).delete()
    AccessToken.objects.filter(user=user).delete()
    RefreshToken.objects.filter(user=user).delete()
    Grant.objects.filter(user=user).delete()
    IDToken.objects.filter(user=user).delete()
    # The authenticator secret and the list of signed-in browsers are personal data too.
    TwoFactorDevice.objects.filter(user=user).delete()
    WebSession.objects.filter(user=user).delete()


def _erase_data_rights_files(user: User) -> list[Path]:
    """Delete the member's archives and uploaded imports; return the private files to remove after commit."""
    paths = [
        exports_folder() / name
        for name in DataExport.objects.filter(user=user).exclude(file_name="").values_list("file_name", flat=True)
    ]
    paths += [
        imports_folder() / name
        for name in DataImport.objects.filter(user=user).exclude(file_name="").values_list("file_name", flat=True)
    ]
    DataExport.objects.filter(user=user).delete()
    DataImport.objects.filter(user=user).delete()
    return paths


def _remove_private_files(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _remove_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not remove %s after erasure", name)


def _mail_on_commit(
    address: str, subject: str, body: str, *, attachments: list[tuple[str, str, str]] | None = None
) -> None:
    if not address:
        return
    message = EmailMessage(subject, body, None, [address])
    for name, content, mimetype in attachments or []:
        message.attach(name, content, mimetype)
    transaction.on_commit(lambda: message.send(fail_silently=True))


def _notice_text(deletion: AccountDeletion, token: str) -> str:
    servers = "\n".join(f"  - {host}" for host in deletion.servers) or "  (none so far)"
    return (
        f"The account {deletion.handle} will be erased after {deletion.erase_after:%Y-%m-%d %H:%M} UTC.\n"
        "Until then you can cancel by signing in on the cancellation page with your password.\n\n"
        f"These servers received your content or follow you and will be told to delete it:\n{servers}\n\n"
        f"Your deletion receipt (keep this link private; it is not stored anywhere):\n"
        f"{base_url()}{receipt_path(token)}\n"
    )

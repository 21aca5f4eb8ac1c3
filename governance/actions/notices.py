"""Tell members what concerns them: a moderation action against them, a vote about to close."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail, send_mass_mail
from django.db import transaction
from django.utils import timezone

from governance.models import Elector, ModerationAction, Participation, Proposal

REMINDER_BEFORE_CLOSE = timedelta(days=1)


def do_notify_moderation_action(action_id: int) -> bool:
    """Email the affected member the action and the rule it enforces, once; return whether sent."""
    with transaction.atomic():
        action = (
            ModerationAction.objects.select_for_update(of=("self",))
            .select_related("target_account__user")
            .filter(pk=action_id, notified_at__isnull=True)
            .first()
        )
        if action is None or action.target_account is None or action.target_account.user is None:
            return False
        user = action.target_account.user
        rules = "\n".join(f"- Rule {version.rule.position}: {version.text}" for version in action.rule_versions.all())
        body = (
            f"The moderators of {settings.MUTUALS_INSTANCE_NAME} took this action on your account: "
            f"{action.get_kind_display()}.\n\nRules it enforces ({action.authority}):\n{rules}\n"
            + (f"\nMessage from the moderators:\n{action.text}\n" if action.text else "")
            + "\nYou may appeal it from your account settings."
        )
        action.notified_at = timezone.now()
        action.save(update_fields=["notified_at"])
    if user.email:
        send_mail(f"Moderation: {action.get_kind_display()}", body, None, [user.email])
    return True


def do_send_closing_reminders(*, now: datetime | None = None) -> int:
    """Email every elector who has not voted on a proposal closing within a day; once per proposal."""
    now = now or timezone.now()
    sent = 0
    due = Proposal.objects.filter(
        state=Proposal.State.OPEN, reminded_at__isnull=True, closes_at__lte=now + REMINDER_BEFORE_CLOSE
    ).values_list("pk", flat=True)
    for proposal_id in list(due):
        with transaction.atomic():
            proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
            if proposal.reminded_at is not None:
                continue
            voted = Participation.objects.filter(proposal=proposal).values("user_id")
            emails = list(
                Elector.objects.filter(proposal=proposal)
                .exclude(user_id__in=voted)
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
            proposal.reminded_at = now
            proposal.save(update_fields=["reminded_at"])
        subject = f"Closing soon: {proposal.title}"
        body = f"Proposal #{proposal.pk} closes at {proposal.closes_at:%Y-%m-%d %H:%M} UTC and you have not voted yet."
        send_mass_mail([(subject, body, None, [email]) for email in emails])
        sent += len(emails)
    return sent

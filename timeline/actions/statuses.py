"""Post statuses: the one way a status comes into being, from any interface."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from federation.models import Actor
from federation.uris import status_uri, status_url
from timeline.actions.fan_out import fan_out_on_commit
from timeline.errors import StatusRefused
from timeline.ids import snowflake_id
from timeline.models import Status, Visibility
from timeline.rendering import render_plain_text

MAX_STATUS_CHARACTERS = 500
MAX_SPOILER_CHARACTERS = 500


@dataclass(frozen=True)
class StatusDraft:
    """A status that passed its checks and may be stored."""

    text: str
    visibility: Visibility
    spoiler_text: str
    sensitive: bool
    language: str


def check_create_status(
    author: Actor,
    *,
    text: str,
    visibility: str = Visibility.PUBLIC,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str = "",
) -> StatusDraft:
    """Validate a local member's new status, raising StatusRefused with the reason."""
    if not author.is_local or author.user is None:
        raise StatusRefused("Only accounts on this server can post here.")
    if not author.user.is_active:
        raise StatusRefused("This account is not active and cannot post.")
    text = text.strip()
    if not text:
        raise StatusRefused("Text can't be blank.")
    if len(text) > MAX_STATUS_CHARACTERS:
        raise StatusRefused(f"Text is too long ({len(text)} characters; the limit is {MAX_STATUS_CHARACTERS}).")
    if len(spoiler_text) > MAX_SPOILER_CHARACTERS:
        raise StatusRefused(f"Content warning is too long (the limit is {MAX_SPOILER_CHARACTERS}).")
    if visibility not in Visibility.values:
        raise StatusRefused(f"Visibility must be one of {', '.join(Visibility.values)}.")
    if language and (len(language) > 16 or not language.replace("-", "").isalnum()):
        raise StatusRefused("Language must be an ISO 639 code such as en or pt-BR.")
    return StatusDraft(
        text=text,
        visibility=Visibility(visibility),
        spoiler_text=spoiler_text.strip(),
        sensitive=sensitive or bool(spoiler_text.strip()),
        language=language,
    )


def do_create_status(author: Actor, draft: StatusDraft, *, created_at: datetime | None = None) -> Status:
    """Store a checked status and, after commit, fan it out to its audience."""
    created_at = created_at or timezone.now()
    status_id = snowflake_id(created_at)
    with transaction.atomic():
        status = Status.objects.create(
            id=status_id,
            account=author,
            uri=status_uri(author.username, status_id),
            url=status_url(author.username, status_id),
            text=draft.text,
            content=render_plain_text(draft.text),
            spoiler_text=draft.spoiler_text,
            sensitive=draft.sensitive,
            visibility=draft.visibility,
            language=draft.language,
            local=True,
            created_at=created_at,
        )
        fan_out_on_commit(status.id)
    return status

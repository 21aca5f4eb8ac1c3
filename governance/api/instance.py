"""The client API's instance resource: what this server is, its limits, rules, peers and policies."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.views.decorators.cache import never_cache

from config.api.errors import api_view
from config.api.timestamps import iso_with_millis
from config.vapid import vapid_public_key
from federation.models import Actor, DomainPolicy
from federation.selectors import domain_candidates, domain_policies_in_force
from federation.uris import base_url
from governance.selectors import current_charter, instance_contact_email, instance_title, rules_in_force
from members.models import User
from timeline.actions.media import MAX_ATTACHMENTS as MAX_MEDIA_ATTACHMENTS
from timeline.actions.media import MAX_DESCRIPTION_CHARACTERS as MEDIA_DESCRIPTION_LIMIT
from timeline.actions.pins import MAX_PINNED_STATUSES
from timeline.actions.statuses import (
    MAX_POLL_OPTION_CHARACTERS,
    MAX_POLL_OPTIONS,
    MAX_POLL_SECONDS,
    MAX_STATUS_CHARACTERS,
    MIN_POLL_SECONDS,
)
from timeline.actions.tags import MAX_FEATURED_TAGS
from timeline.entities.accounts import account_entity, default_avatar_url
from timeline.entities.emojis import custom_emoji_entity
from timeline.ids import snowflake_floor
from timeline.imaging import IMAGE_MATRIX_LIMIT, IMAGE_SIZE_LIMIT, SUPPORTED_TYPES, VIDEO_MATRIX_LIMIT, VIDEO_SIZE_LIMIT
from timeline.models import Status
from timeline.selectors import listed_custom_emojis

MASTODON_COMPATIBLE_VERSION = "4.3.0"
MASTODON_API_VERSION = 2
# Video frame rate and size are not checked here (no transcoder): clients that scale
# video down before uploading read them as advice, the values Mastodon uses.
VIDEO_FRAME_RATE_LIMIT = 60
ACTIVITY_WEEKS = 12


def version_string() -> str:
    """Return the version clients parse: a Mastodon version they know, then this software's own."""
    return f"{MASTODON_COMPATIBLE_VERSION} (compatible; Mutuals {settings.SOFTWARE_VERSION})"


def streaming_url() -> str:
    """Return the WebSocket base URL of the streaming API."""
    scheme = "wss" if settings.MUTUALS_SCHEME == "https" else "ws"
    return f"{scheme}://{settings.MUTUALS_DOMAIN}"


def rule_entities() -> list[dict[str, str]]:
    """Return the co-op's rules in force as Mastodon Rule entities; ids are the rules' own ids."""
    return [{"id": str(version.rule_id), "text": version.text, "hint": version.hint} for version in rules_in_force()]


def contact_account() -> Actor | None:
    """Return the account of the first administrator, the instance's contact."""
    return (
        Actor.objects.filter(domain="", user__is_active=True)
        .filter(Q(user__is_superuser=True) | Q(user__is_staff=True))
        .order_by("user_id")
        .first()
    )


def _limits() -> dict[str, Any]:
    return {
        "statuses": {
            "max_characters": MAX_STATUS_CHARACTERS,
            "max_media_attachments": MAX_MEDIA_ATTACHMENTS,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": list(SUPPORTED_TYPES),
            "description_limit": MEDIA_DESCRIPTION_LIMIT,
            "image_size_limit": IMAGE_SIZE_LIMIT,
            "image_matrix_limit": IMAGE_MATRIX_LIMIT,
            "video_size_limit": VIDEO_SIZE_LIMIT,
            "video_frame_rate_limit": VIDEO_FRAME_RATE_LIMIT,
            "video_matrix_limit": VIDEO_MATRIX_LIMIT,
        },
        "polls": {
            "max_options": MAX_POLL_OPTIONS,
            "max_characters_per_option": MAX_POLL_OPTION_CHARACTERS,
            "min_expiration": MIN_POLL_SECONDS,
            "max_expiration": MAX_POLL_SECONDS,
        },
    }


def _description() -> str:
    charter = current_charter()
    return charter.title if charter is not None else ""


def _active_users(days: int) -> int:
    since = timezone.now() - timedelta(days=days)
    return User.objects.filter(is_active=True, actor__isnull=False, last_login__gte=since).count()


@never_cache
@api_view("GET")
def instance_v2(request: HttpRequest) -> JsonResponse:
    """Describe the server in Mastodon's v2 Instance shape."""
    contact = contact_account()
    configuration = _limits()
    configuration["urls"] = {
        "streaming": streaming_url(),
        "status": None,
        "about": f"{base_url()}/",
        "privacy_policy": None,
        "terms_of_service": None,
    }
    configuration["accounts"] = {"max_featured_tags": MAX_FEATURED_TAGS, "max_pinned_statuses": MAX_PINNED_STATUSES}
    configuration["translation"] = {"enabled": False}
    configuration["vapid"] = {"public_key": vapid_public_key()}
    configuration["timelines_access"] = {
        "live_feeds": {"local": "public", "remote": "public"},
        "hashtag_feeds": {"local": "public", "remote": "public"},
        "trending_link_feeds": {"local": "disabled", "remote": "disabled"},
    }
    return JsonResponse(
        {
            "domain": settings.MUTUALS_DOMAIN,
            "title": instance_title(),
            "version": version_string(),
            "source_url": f"{base_url()}/",
            "description": _description(),
            "usage": {"users": {"active_month": _active_users(30)}},
            "thumbnail": {"url": default_avatar_url(), "blurhash": None, "versions": {}},
            "icon": [],
            "languages": [code for code, _ in settings.LANGUAGES],
            "configuration": configuration,
            # Anyone may apply, on the web or from an app (POST /api/v1/accounts); the co-op admits applicants.
            "registrations": {"enabled": True, "approval_required": True, "message": None, "url": None},
            "api_versions": {"mastodon": MASTODON_API_VERSION},
            "contact": {
                "email": instance_contact_email(),
                "account": account_entity(contact) if contact is not None else None,
            },
            "rules": rule_entities(),
        }
    )


@never_cache
@api_view("GET")
def instance_v1(request: HttpRequest) -> JsonResponse:
    """Describe the server in Mastodon's v1 Instance shape (`uri` is the bare domain)."""
    contact = contact_account()
    configuration = _limits()
    configuration["accounts"] = {"max_featured_tags": MAX_FEATURED_TAGS}
    return JsonResponse(
        {
            "uri": settings.MUTUALS_DOMAIN,
            "title": instance_title(),
            "short_description": _description(),
            "description": _description(),
            "email": instance_contact_email(),
            "version": version_string(),
            "urls": {"streaming_api": streaming_url()},
            "stats": {
                "user_count": User.objects.filter(is_active=True, actor__isnull=False).count(),
                "status_count": Status.objects.filter(local=True).count(),
                "domain_count": Actor.objects.exclude(domain="").values("domain").distinct().count(),
            },
            "thumbnail": default_avatar_url(),
            "languages": [code for code, _ in settings.LANGUAGES],
            "registrations": True,
            "approval_required": True,
            "invites_enabled": True,
            "configuration": configuration,
            "contact_account": account_entity(contact) if contact is not None else None,
            "rules": rule_entities(),
        }
    )


@api_view("GET")
def rules(request: HttpRequest) -> JsonResponse:
    """Return the co-op's rules in force."""
    return JsonResponse(rule_entities(), safe=False)


@api_view("GET")
def peers(request: HttpRequest) -> JsonResponse:
    """Return the domains this server knows actors on, except suspended ones."""
    domains = Actor.objects.exclude(domain="").values_list("domain", flat=True).distinct().order_by("domain")
    suspended = {policy.domain for policy in domain_policies_in_force() if policy.is_suspended}
    known = [domain for domain in domains if not suspended.intersection(domain_candidates(domain))]
    return JsonResponse(known, safe=False)


@api_view("GET")
def activity(request: HttpRequest) -> JsonResponse:
    """Return local statuses, logins and registrations for each of the last twelve weeks, newest first."""
    now = timezone.now()
    start_of_week = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    weeks = []
    for back in range(ACTIVITY_WEEKS):
        start = start_of_week - timedelta(weeks=back)
        end = start + timedelta(weeks=1)
        statuses = Status.objects.filter(
            local=True, id__gte=snowflake_floor(start), id__lt=snowflake_floor(end)
        ).count()
        # Only each person's latest sign-in is recorded, so a week counts the
        # people whose most recent sign-in fell in it.
        logins = User.objects.filter(last_login__gte=start, last_login__lt=end).count()
        registrations = User.objects.filter(date_joined__gte=start, date_joined__lt=end).count()
        weeks.append(
            {
                "week": str(int(start.timestamp())),
                "statuses": str(statuses),
                "logins": str(logins),
                "registrations": str(registrations),
            }
        )
    return JsonResponse(weeks, safe=False)


@api_view("GET")
def extended_description(request: HttpRequest) -> JsonResponse:
    """Return the co-op's charter as the server's extended description."""
    charter = current_charter()
    if charter is None:
        return JsonResponse({"updated_at": None, "content": ""})
    return JsonResponse(
        {
            "updated_at": iso_with_millis(charter.effective_at),
            "content": f"<h2>{escape(charter.title)}</h2>{linebreaks(escape(charter.text))}",
        }
    )


def _obfuscated(domain: str) -> str:
    # Mastodon's obfuscation: keep the first and last characters of each label.
    return ".".join(
        label if len(label) <= 2 else label[0] + "*" * (len(label) - 2) + label[-1] for label in domain.split(".")
    )


@api_view("GET")
def domain_blocks(request: HttpRequest) -> JsonResponse:
    """Return the domain policies the co-op enacted, publicly, in Mastodon's DomainBlock shape."""
    blocks = [
        {
            "domain": _obfuscated(policy.domain) if policy.obfuscate else policy.domain,
            "digest": hashlib.sha256(policy.domain.encode()).hexdigest(),
            "severity": policy.severity,
            "comment": policy.public_comment or None,
        }
        for policy in domain_policies_in_force()
        if policy.severity != DomainPolicy.Severity.NOOP
    ]
    return JsonResponse(blocks, safe=False)


@api_view("GET")
def custom_emojis(request: HttpRequest) -> JsonResponse:
    """Return the co-op's custom emoji apps offer in their pickers (public, as on Mastodon)."""
    return JsonResponse([custom_emoji_entity(emoji) for emoji in listed_custom_emojis()], safe=False)

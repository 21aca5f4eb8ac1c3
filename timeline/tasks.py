"""Celery tasks for timelines: thin wrappers that take ids and call actions."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from timeline.actions.custom_emojis import do_fetch_remote_emoji
from timeline.actions.fan_out import do_fan_out_status, pending_fan_outs
from timeline.actions.media import do_process_media, do_remove_unattached_media, pending_media
from timeline.actions.preview_cards import do_fetch_preview_card
from timeline.actions.push import do_attempt_pushes, schedule_due_pushes
from timeline.actions.remote_media import do_cache_actor_images, do_cache_status_media, do_remove_cached_remote_media
from timeline.actions.scheduled_statuses import do_publish_scheduled_status, due_scheduled_statuses
from timeline.actions.trends import do_refresh_trends
from timeline.models import CustomEmoji


@shared_task(name="timeline.tasks.fan_out_status")
def fan_out_status(status_id: int) -> int:
    """Fan a status out to home timelines."""
    return do_fan_out_status(status_id)


@shared_task(name="timeline.tasks.requeue_pending_fan_outs")
def requeue_pending_fan_outs(min_age_seconds: int = 15) -> int:
    """Queue again the fan-out of statuses whose fan-out never finished.

    Beat runs this every minute. A status 15 s old has had its own task's
    chance (a fan-out runs in well under a second), so one whose task was
    lost (a web process killed between commit and queueing, a broker that
    lost its messages) reaches timelines within about a minute; a fan-out
    queued twice finds the status done and does nothing.
    """
    ids = list(pending_fan_outs(timedelta(seconds=min_age_seconds)).values_list("id", flat=True)[:10_000])
    for status_id in ids:
        fan_out_status.delay(status_id)
    return len(ids)


@shared_task(name="timeline.tasks.publish_scheduled_status")
def publish_scheduled_status(scheduled_id: int) -> int | None:
    """Publish one due scheduled status."""
    status = do_publish_scheduled_status(scheduled_id)
    return status.pk if status is not None else None


@shared_task(name="timeline.tasks.requeue_due_scheduled_statuses")
def requeue_due_scheduled_statuses(min_age_seconds: int = 0) -> int:
    """Queue the publication of every scheduled status whose time has come (run by beat every minute).

    `min_age_seconds`, which workers pass to every recovery task at start-up,
    changes nothing here: a status that is due is due however long ago.
    """
    ids = list(due_scheduled_statuses().values_list("id", flat=True)[:10_000])
    for scheduled_id in ids:
        publish_scheduled_status.delay(scheduled_id)
    return len(ids)


@shared_task(name="timeline.tasks.process_media")
def process_media(media_id: int) -> str:
    """Finish processing an upload (re-encode, preview, blurhash) that the request left for a worker."""
    return do_process_media(media_id)


@shared_task(name="timeline.tasks.requeue_pending_media")
def requeue_pending_media(min_age_seconds: int = 120) -> int:
    """Queue again the processing of uploads whose task was lost."""
    ids = list(pending_media(timedelta(seconds=min_age_seconds)).values_list("id", flat=True)[:1_000])
    for media_id in ids:
        process_media.delay(media_id)
    return len(ids)


@shared_task(name="timeline.tasks.remove_unattached_media")
def remove_unattached_media(older_than_hours: int = 24) -> int:
    """Delete uploads that no status used within a day, as Mastodon does."""
    return do_remove_unattached_media(timedelta(hours=older_than_hours))


@shared_task(name="timeline.tasks.deliver_pushes")
def deliver_pushes(delivery_ids: list[int]) -> dict[int, str]:
    """Send the due Web Push deliveries among the ids."""
    return do_attempt_pushes(delivery_ids)


@shared_task(name="timeline.tasks.requeue_due_pushes")
def requeue_due_pushes(min_age_seconds: int = 0) -> int:
    """Queue pending pushes due now or within the next minute or so, each for its due time.

    These are retries whose back-off was too long to queue when they failed,
    and pushes whose task was lost. Return how many were queued.
    """
    return schedule_due_pushes(min_age=timedelta(seconds=min_age_seconds))


@shared_task(name="timeline.tasks.fetch_preview_card")
def fetch_preview_card(status_id: int) -> int | None:
    """Fetch (or reuse) the preview card of a status's first link; return the card's id."""
    return do_fetch_preview_card(status_id)


@shared_task(name="timeline.tasks.cache_status_media")
def cache_status_media(status_id: int) -> int:
    """Copy a remote status's attachments here."""
    return do_cache_status_media(status_id)


@shared_task(name="timeline.tasks.cache_actor_images")
def cache_actor_images(actor_id: int) -> list[str]:
    """Copy a remote actor's avatar and header here."""
    return do_cache_actor_images(actor_id)


@shared_task(name="timeline.tasks.remove_cached_remote_media")
def remove_cached_remote_media() -> int:
    """Delete copies of remote attachments older than MUTUALS_MEDIA_CACHE_DAYS (beat runs this daily; 0 keeps all)."""
    days = int(settings.MUTUALS_MEDIA_CACHE_DAYS)
    if days <= 0:
        return 0
    return do_remove_cached_remote_media(timedelta(days=days)).attachments


@shared_task(name="timeline.tasks.fetch_remote_emojis")
def fetch_remote_emojis(domain: str, shortcodes: list[str]) -> int:
    """Download the images of a remote server's emoji; return how many are now shown."""
    ids = CustomEmoji.objects.filter(domain=domain, shortcode__in=shortcodes).values_list("pk", flat=True)
    return sum(do_fetch_remote_emoji(emoji_id) for emoji_id in ids)


@shared_task(name="timeline.tasks.refresh_trends")
def refresh_trends() -> int:
    """Recompute the trend scores of hashtags, links and statuses (beat runs this every ten minutes)."""
    figures = do_refresh_trends()
    return figures.tags + figures.statuses + figures.links

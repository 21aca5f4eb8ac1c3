from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"

    def ready(self) -> None:
        """Register the timeline's ActivityPub interface with the federation floor.

        The inbox handlers register themselves as their modules load; the
        rest are functions federation asks the timeline through.
        """
        # Imported here, not at the top: apps load before models.
        from federation.actions.remote_actors import register_actor_document_reader  # noqa: PLC0415
        from federation.inbox.registry import wrap_batches  # noqa: PLC0415
        from federation.renderers import register_actor_tag_renderer, register_field_value_renderer  # noqa: PLC0415
        from federation.views.discovery import register_usage_reader  # noqa: PLC0415
        from federation.views.fetch_guard import register_author_refusal  # noqa: PLC0415
        from timeline.actions.remote_media import cache_actor_images_on_commit  # noqa: PLC0415
        from timeline.activitypub import (  # noqa: PLC0415, F401 (importing a handler module registers it)
            blocks,
            follows,
            interactions,
            moves,
            pins,
            statuses,
        )
        from timeline.activitypub.emojis import actor_emoji_tags, remote_actor_emojis_stored  # noqa: PLC0415
        from timeline.activitypub.fetches import author_refuses_fetcher  # noqa: PLC0415
        from timeline.activitypub.inbox_batches import statuses_fanned_out_together  # noqa: PLC0415
        from timeline.activitypub.nodeinfo import usage  # noqa: PLC0415
        from timeline.rendering import render_field_value  # noqa: PLC0415
        from timeline.streaming.events import events_batched  # noqa: PLC0415

        wrap_batches(events_batched, in_transaction=False)
        wrap_batches(statuses_fanned_out_together, in_transaction=True)
        register_author_refusal(author_refuses_fetcher)
        register_usage_reader(usage)
        register_field_value_renderer(render_field_value)
        register_actor_document_reader(cache_actor_images_on_commit)
        register_actor_tag_renderer(actor_emoji_tags)
        register_actor_document_reader(remote_actor_emojis_stored)

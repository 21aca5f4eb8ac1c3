from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        """Tell timeline who moderates, may post and is listed; register the handlers of remote accounts' updates."""
        # Importing the module registers its handlers; here, not at the top, since apps load before models.
        from members.activitypub import actors  # noqa: PLC0415, F401
        from members.selectors import account_posting_refusal, moderates, unlisted_account_ids  # noqa: PLC0415
        from timeline.restrictions import (  # noqa: PLC0415
            register_moderator_check,
            register_posting_refusal,
            register_unlisted_account_reader,
        )

        register_moderator_check(moderates)
        register_posting_refusal(account_posting_refusal)
        register_unlisted_account_reader(unlisted_account_ids)

from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        """Tell timeline who moderates and who may post, which membership and roles decide."""
        from members.selectors import account_posting_refusal, moderates  # noqa: PLC0415 (apps load before models)
        from timeline.restrictions import register_moderator_check, register_posting_refusal  # noqa: PLC0415

        register_moderator_check(moderates)
        register_posting_refusal(account_posting_refusal)

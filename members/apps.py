from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        """Register the inbox handlers of remote accounts updating or deleting themselves."""
        # Importing the module registers its handlers; here, not at the top, since apps load before models.
        from members.activitypub import actors  # noqa: PLC0415, F401

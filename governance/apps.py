from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        """Tell the federation floor how to read account suspensions, and register the Flag handler.

        Suspensions are this app's moderation actions; remote reports become its reports.
        """
        from federation.selectors import register_suspension_reader  # noqa: PLC0415 (apps load before models)
        from governance.activitypub import reports  # noqa: PLC0415, F401 (importing it registers its handler)
        from governance.selectors import suspended_account_uris  # noqa: PLC0415

        register_suspension_reader(suspended_account_uris)

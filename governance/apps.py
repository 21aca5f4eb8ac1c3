from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        """Tell the apps below how to read what this app decides: restrictions of accounts, proposals' polls."""
        from federation.selectors import register_suspension_reader  # noqa: PLC0415 (apps load before models)
        from governance.actions.proposal_polls import claim_proposal_polls  # noqa: PLC0415
        from governance.selectors import (  # noqa: PLC0415
            is_account_restricted,
            restricted_account_ids,
            suspended_account_uris,
        )
        from timeline.poll_claims import register_poll_claimer  # noqa: PLC0415
        from timeline.restrictions import register_restriction_readers  # noqa: PLC0415

        register_suspension_reader(suspended_account_uris)
        register_restriction_readers(account_ids=restricted_account_ids, is_restricted=is_account_restricted)
        register_poll_claimer(claim_proposal_polls)

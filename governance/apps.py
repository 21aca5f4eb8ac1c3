from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        """Tell the apps below what this app decides and holds, and register the Flag handler.

        Restrictions, proposals' polls and members' records are this app's; remote reports become its reports.
        """
        from federation.selectors import register_suspension_reader  # noqa: PLC0415 (apps load before models)
        from governance import data_rights  # noqa: PLC0415
        from governance.actions.proposal_polls import claim_proposal_polls  # noqa: PLC0415
        from governance.activitypub import reports  # noqa: PLC0415, F401 (importing it registers its handler)
        from governance.selectors import (  # noqa: PLC0415
            is_account_restricted,
            restricted_account_ids,
            suspended_account_uris,
        )
        from members.data_archive import register_archive_document  # noqa: PLC0415
        from members.data_inventory import register_account_categories, register_member_categories  # noqa: PLC0415
        from timeline.poll_claims import register_poll_claimer  # noqa: PLC0415
        from timeline.restrictions import register_restriction_readers  # noqa: PLC0415

        register_suspension_reader(suspended_account_uris)
        register_restriction_readers(account_ids=restricted_account_ids, is_restricted=is_account_restricted)
        register_poll_claimer(claim_proposal_polls)
        register_account_categories(data_rights.account_categories)
        register_member_categories(data_rights.member_categories)
        register_archive_document(data_rights.BALLOTS)
        register_archive_document(data_rights.MODERATION)

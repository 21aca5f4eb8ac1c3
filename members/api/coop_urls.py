"""Routes of the co-op API (/api/v1/coop/...)."""

from django.urls import URLPattern, URLResolver, path

from members.api import coop, data_rights, deletion, migration

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/coop/membership", coop.membership, name="coop_membership"),
    path("api/v1/coop/holdings", coop.holdings, name="coop_holdings"),
    path("api/v1/coop/dues", coop.dues, name="coop_dues"),
    path("api/v1/coop/dues/tier", coop.choose_dues_tier, name="coop_dues_tier"),
    path("api/v1/coop/patronage", coop.patronage, name="coop_patronage"),
    path("api/v1/coop/bylaws", coop.bylaws, name="coop_bylaws"),
    path("api/v1/coop/share_classes", coop.share_classes, name="coop_share_classes"),
    path("api/v1/coop/subscriptions", coop.subscribe, name="coop_subscribe"),
    path("api/v1/coop/subscriptions/<int:sequence>/confirm_payment", coop.confirm_payment, name="coop_confirm"),
    path("api/v1/coop/subscriptions/<int:sequence>/issue", coop.issue, name="coop_issue"),
    path("api/v1/coop/invitations", coop.invite, name="coop_invitations"),
    path("api/v1/coop/applications", coop.applications, name="coop_applications"),
    path("api/v1/coop/applications/<int:user_id>/admit", coop.admit, name="coop_admit"),
    path("api/v1/coop/dues_payments", coop.record_dues_payment, name="coop_dues_payments"),
    path("api/v1/coop/transfers", coop.transfer, name="coop_transfers"),
    path("api/v1/coop/redemptions", coop.redeem, name="coop_redemptions"),
    path("api/v1/coop/roles/grant", coop.grant_role, name="coop_grant_role"),
    path("api/v1/coop/roles/revoke", coop.revoke_role, name="coop_revoke_role"),
    path("api/v1/coop/register", coop.register, name="coop_register"),
    path("api/v1/coop/deletion", deletion.request_deletion, name="coop_deletion"),
    path("api/v1/coop/deletion/cancel", deletion.cancel_deletion, name="coop_deletion_cancel"),
    path("api/v1/coop/aliases", migration.aliases, name="coop_aliases"),
    path("api/v1/coop/aliases/add", migration.add_alias, name="coop_add_alias"),
    path("api/v1/coop/aliases/remove", migration.remove_alias, name="coop_remove_alias"),
    path("api/v1/coop/move", migration.move, name="coop_move"),
    path("api/v1/coop/data", data_rights.data_held, name="coop_data"),
    path("api/v1/coop/exports", data_rights.exports, name="coop_exports"),
    path("api/v1/coop/exports/<int:export_id>", data_rights.export_detail, name="coop_export"),
    path("api/v1/coop/exports/<int:export_id>/download", data_rights.export_download, name="coop_export_download"),
    path("api/v1/coop/imports", data_rights.imports, name="coop_imports"),
    path("api/v1/coop/imports/<int:import_id>", data_rights.import_detail, name="coop_import"),
]

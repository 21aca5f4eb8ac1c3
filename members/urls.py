"""Members' URLs: the client API (OAuth, apps, accounts), the co-op API and the membership pages."""

from django.urls import include, path

from members.views import data_rights, deletion, documents, membership, migration, officers, ownership

app_name = "members"

urlpatterns = [
    path("", include("members.api.client_urls")),
    path("", include("members.api.coop_urls")),
    path("coop/apply", membership.apply, name="apply"),
    path("coop/membership", membership.membership, name="membership"),
    path("coop/certificate", documents.certificate, name="certificate"),
    path("coop/statement", documents.statement, name="statement"),
    path("coop/subscribe", membership.subscribe, name="subscribe"),
    path("coop/dues-tier", membership.choose_dues_tier, name="choose_dues_tier"),
    path("coop/resign", membership.resign, name="resign"),
    path("coop/officers", officers.officers, name="officers"),
    path("coop/officers/entries/<int:sequence>/confirm", officers.confirm_payment, name="confirm_payment"),
    path("coop/officers/entries/<int:sequence>/issue", officers.issue_shares, name="issue_shares"),
    path("coop/officers/applications/<int:user_id>/admit", officers.admit, name="admit"),
    path("coop/officers/dues", officers.record_dues, name="record_dues"),
    path("coop/officers/transfers", officers.record_transfer, name="record_transfer"),
    path("coop/officers/redemptions", officers.record_redemption, name="record_redemption"),
    path("coop/officers/register", officers.register, name="register"),
    path(
        "coop/officers/payment-instructions",
        officers.change_payment_instructions,
        name="change_payment_instructions",
    ),
    path("coop/officers/ownership", ownership.ownership, name="ownership"),
    path("coop/officers/share-classes", ownership.create_share_class, name="create_share_class"),
    path("coop/officers/share-classes/<int:share_class_id>", ownership.change_share_class, name="change_share_class"),
    path("coop/officers/dues-tiers", ownership.create_dues_tier, name="create_dues_tier"),
    path("coop/officers/dues-tiers/<int:tier_id>", ownership.change_dues_tier, name="change_dues_tier"),
    path("coop/officers/dues/import", ownership.import_dues, name="import_dues"),
    path("coop/officers/contributions", ownership.record_contribution, name="record_contribution"),
    path("coop/officers/contributions/import", ownership.import_contributions, name="import_contributions"),
    path("coop/officers/patronage", ownership.allocate_patronage, name="allocate_patronage"),
    path("coop/officers/patronage/<int:allocation_id>", ownership.patronage_statements, name="patronage_statements"),
    path("coop/deletion", deletion.request_deletion, name="deletion"),
    path("coop/deletion/cancel", deletion.cancel_deletion, name="deletion_cancel"),
    path("coop/deletion/receipt/<str:token>.json", deletion.receipt_json, name="deletion_receipt_json"),
    path("coop/deletion/receipt/<str:token>.txt", deletion.receipt_txt, name="deletion_receipt_txt"),
    path("coop/deletion/receipt/<str:token>", deletion.receipt, name="deletion_receipt"),
    path("coop/migration", migration.migration, name="migration"),
    path("coop/data", data_rights.data, name="data"),
    path("coop/data/exports", data_rights.request_export, name="data_request_export"),
    path("coop/data/exports/<int:export_id>/download", data_rights.download_export, name="data_export_download"),
    path("coop/data/imports", data_rights.start_import, name="data_start_import"),
    path("coop/data/imports/<int:import_id>", data_rights.import_report, name="data_import"),
]

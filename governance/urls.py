"""Governance's URLs: the co-op API, reports, the admin API subset, and the web pages."""

from django.urls import URLPattern, URLResolver, path, re_path

from governance.api import admin, announcements, appeals, instance, proposals, reports
from governance.views import history, instance_settings, log, moderation, officers, pages, trends
from governance.views import reports as report_views

app_name = "governance"

urlpatterns: list[URLPattern | URLResolver] = [
    # The instance's description: the co-op's title, charter, rules and limits.
    re_path(r"^api/v1/instance/?$", instance.instance_v1, name="instance_v1"),
    re_path(r"^api/v2/instance/?$", instance.instance_v2, name="instance_v2"),
    path("api/v1/instance/rules", instance.rules, name="instance_rules"),
    path("api/v1/instance/peers", instance.peers, name="instance_peers"),
    path("api/v1/instance/activity", instance.activity, name="instance_activity"),
    path("api/v1/instance/extended_description", instance.extended_description, name="instance_description"),
    path("api/v1/instance/domain_blocks", instance.domain_blocks, name="instance_domain_blocks"),
    path("api/v1/custom_emojis", instance.custom_emojis, name="custom_emojis"),
    path("api/v1/announcements", announcements.announcements, name="announcements"),
    path("api/v1/announcements/<str:announcement_id>/dismiss", announcements.dismiss, name="announcement_dismiss"),
    path(
        "api/v1/announcements/<str:announcement_id>/reactions/<str:name>",
        announcements.reaction,
        name="announcement_reaction",
    ),
    path("api/v1/coop/proposals", proposals.proposals, name="api_proposals"),
    path("api/v1/coop/proposals/<str:proposal_id>", proposals.proposal_detail, name="api_proposal"),
    path("api/v1/coop/proposals/<str:proposal_id>/vote", proposals.proposal_vote, name="api_proposal_vote"),
    path("api/v1/coop/proposals/<str:proposal_id>/ballots", proposals.proposal_ballots, name="api_proposal_ballots"),
    path("api/v1/coop/proposals/<str:proposal_id>/comments", proposals.proposal_comments, name="api_proposal_comments"),
    path("api/v1/coop/log", proposals.log, name="api_log"),
    path("api/v1/coop/moderation/actions", appeals.my_actions, name="api_my_actions"),
    path("api/v1/coop/moderation/actions/<str:action_id>/appeal", appeals.file_appeal, name="api_file_appeal"),
    path("api/v1/coop/appeals/<str:appeal_id>/decide", appeals.decide_appeal, name="api_decide_appeal"),
    path("api/v1/coop/appeals/<str:appeal_id>/escalate", appeals.escalate_appeal, name="api_escalate_appeal"),
    path("api/v1/reports", reports.create_report, name="api_reports"),
    # Mastodon.py lists domain blocks at the path with a trailing slash; Mastodon answers both.
    re_path(r"^api/v1/admin/domain_blocks/?$", admin.domain_blocks, name="admin_domain_blocks"),
    path("api/v1/admin/domain_blocks/<str:block_id>", admin.domain_block, name="admin_domain_block"),
    path("api/v1/admin/reports", admin.reports, name="admin_reports"),
    path("api/v1/admin/reports/<str:report_id>", admin.report_detail, name="admin_report"),
    path(
        "api/v1/admin/reports/<str:report_id>/<str:transition>",
        admin.report_transition,
        name="admin_report_transition",
    ),
    path("api/v1/admin/accounts/<str:account_id>/action", admin.account_action, name="admin_account_action"),
    path("governance/log", log.log_page, name="log"),
    path("governance/moderation/reports/<int:report_id>", moderation.report_detail, name="report_detail"),
    path("governance/moderation/appeals", moderation.appeals, name="appeals"),
    path("governance/moderation/trends", trends.trend_review, name="trend_review"),
    path("governance/my-moderation", moderation.my_moderation, name="my_moderation"),
    path("governance/my-moderation/<int:action_id>/appeal", moderation.appeal_action, name="appeal_action"),
    path("governance/admin/settings", instance_settings.instance_settings, name="instance_settings"),
    path("governance/admin/emoji", officers.custom_emojis, name="custom_emojis_page"),
    path("governance/admin/emoji/<str:shortcode>/remove", officers.remove_custom_emoji, name="remove_custom_emoji"),
    path("governance/admin/announcements", officers.announcements, name="announcements_page"),
    path(
        "governance/admin/announcements/<int:announcement_id>/withdraw",
        officers.withdraw_announcement,
        name="withdraw_announcement",
    ),
    path("governance/rules", history.rules, name="rules"),
    path("governance/bylaws", history.bylaws, name="bylaws"),
    path("governance/receipts", history.receipts, name="receipts"),
    path("governance/log/<int:sequence>", log.log_entry, name="log_entry"),
    path("governance/proposals", pages.proposal_list, name="proposals"),
    path("governance/proposals/new", pages.new_proposal, name="new_proposal"),
    path("governance/proposals/<int:proposal_id>", pages.proposal_page, name="proposal"),
    path("governance/proposals/<int:proposal_id>/ballots.json", pages.proposal_ballots_json, name="proposal_ballots"),
    path("governance/moderation", pages.moderation_queue, name="moderation"),
    path("governance/report/<int:account_id>", report_views.report_account, name="report_account"),
]

"""Routes of the Mastodon client API that the members app owns: OAuth, apps, accounts, search, preferences."""

from django.urls import URLPattern, URLResolver, path

from members.api import accounts, apps, oauth, preferences, search

urlpatterns: list[URLPattern | URLResolver] = [
    path("oauth/token", oauth.token, name="oauth_token"),
    path("oauth/revoke", oauth.revoke, name="oauth_revoke"),
    path(
        ".well-known/oauth-authorization-server",
        oauth.authorization_server_metadata,
        name="oauth_authorization_server",
    ),
    path("api/v1/apps", apps.create_app, name="apps"),
    path("api/v1/apps/verify_credentials", apps.verify_app_credentials, name="apps_verify_credentials"),
    path("api/v1/accounts", accounts.create_account, name="accounts"),
    path("api/v1/accounts/verify_credentials", accounts.verify_credentials, name="verify_credentials"),
    path("api/v1/accounts/update_credentials", accounts.update_credentials, name="update_credentials"),
    path("api/v1/accounts/relationships", accounts.relationships, name="relationships"),
    path("api/v1/accounts/lookup", accounts.lookup, name="account_lookup"),
    path("api/v1/accounts/search", accounts.search, name="account_search"),
    path("api/v1/accounts/<str:account_id>", accounts.account_detail, name="account"),
    path("api/v1/accounts/<str:account_id>/followers", accounts.followers, name="account_followers"),
    path("api/v1/accounts/<str:account_id>/following", accounts.following, name="account_following"),
    path("api/v1/accounts/<str:account_id>/statuses", accounts.account_statuses, name="account_statuses"),
    path("api/v1/preferences", preferences.preferences, name="preferences"),
    path("api/v2/search", search.search, name="search"),
]

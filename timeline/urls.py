"""Timeline's URLs (client API and ActivityPub routes the app owns)."""

from django.urls import URLPattern, URLResolver, path

from timeline.api import (
    favourites,
    interactions,
    notifications,
    polls,
    relationships,
    search,
    statuses,
    timelines,
)

app_name = "timeline"

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/statuses", statuses.create_status, name="statuses"),
    path("api/v1/statuses/<str:status_id>", statuses.status_resource, name="status"),
    path("api/v1/statuses/<str:status_id>/context", statuses.status_context, name="status_context"),
    path("api/v1/statuses/<str:status_id>/source", statuses.status_source, name="status_source"),
    path("api/v1/statuses/<str:status_id>/favourite", interactions.favourite, name="favourite"),
    path("api/v1/statuses/<str:status_id>/unfavourite", interactions.unfavourite, name="unfavourite"),
    path("api/v1/statuses/<str:status_id>/reblog", interactions.reblog, name="reblog"),
    path("api/v1/statuses/<str:status_id>/unreblog", interactions.unreblog, name="unreblog"),
    path("api/v1/statuses/<str:status_id>/favourited_by", interactions.favourited_by, name="favourited_by"),
    path("api/v1/statuses/<str:status_id>/reblogged_by", interactions.reblogged_by, name="reblogged_by"),
    path("api/v1/polls/<str:poll_id>", polls.poll_detail, name="poll"),
    path("api/v1/polls/<str:poll_id>/votes", polls.vote, name="poll_votes"),
    path("api/v1/timelines/home", timelines.home, name="home_timeline"),
    path("api/v1/timelines/public", timelines.public, name="public_timeline"),
    path("api/v1/timelines/tag/<str:hashtag>", timelines.hashtag, name="hashtag_timeline"),
    path("api/v1/accounts/<str:account_id>/follow", relationships.follow, name="follow"),
    path("api/v1/accounts/<str:account_id>/unfollow", relationships.unfollow, name="unfollow"),
    path(
        "api/v1/accounts/<str:account_id>/remove_from_followers",
        relationships.remove_from_followers,
        name="remove_from_followers",
    ),
    path("api/v1/accounts/<str:account_id>/block", relationships.block, name="block"),
    path("api/v1/accounts/<str:account_id>/unblock", relationships.unblock, name="unblock"),
    path("api/v1/follow_requests", relationships.follow_requests, name="follow_requests"),
    path(
        "api/v1/follow_requests/<str:account_id>/authorize",
        relationships.authorize_follow_request,
        name="authorize_follow_request",
    ),
    path(
        "api/v1/follow_requests/<str:account_id>/reject",
        relationships.reject_follow_request,
        name="reject_follow_request",
    ),
    path("api/v1/blocks", relationships.blocks, name="blocks"),
    path("api/v1/mutes", relationships.mutes, name="mutes"),
    path("api/v1/domain_blocks", relationships.domain_blocks, name="domain_blocks"),
    path("api/v1/endorsements", relationships.endorsements, name="endorsements"),
    path("api/v1/favourites", favourites.favourites, name="favourites"),
    path("api/v2/search", search.search, name="search"),
    path("api/v1/notifications", notifications.notifications, name="notifications"),
    path("api/v1/notifications/unread_count", notifications.unread_count, name="notifications_unread_count"),
    path("api/v1/notifications/<str:notification_id>", notifications.notification_detail, name="notification"),
]

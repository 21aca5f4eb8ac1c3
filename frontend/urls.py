"""The web app's URLs."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from frontend.views import account, conversations, home, posts, profile_settings, public, scheduled, social, tools

app_name = "frontend"

urlpatterns = [
    path("", public.landing, name="landing"),
    path("home", home.home, name="home"),
    path("login", account.SignInView.as_view(), name="login"),
    path("login/code", account.login_code, name="login_code"),
    path(
        "password/reset",
        auth_views.PasswordResetView.as_view(
            template_name="frontend/password_reset/request.html",
            email_template_name="frontend/password_reset/email.txt",
            subject_template_name="frontend/password_reset/subject.txt",
            success_url=reverse_lazy("frontend:password_reset_sent"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent",
        auth_views.PasswordResetDoneView.as_view(template_name="frontend/password_reset/sent.html"),
        name="password_reset_sent",
    ),
    path(
        "password/reset/<uidb64>/<token>",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="frontend/password_reset/confirm.html",
            success_url=reverse_lazy("frontend:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete",
        auth_views.PasswordResetCompleteView.as_view(template_name="frontend/password_reset/complete.html"),
        name="password_reset_complete",
    ),
    path("settings/security", account.security, name="security"),
    path("settings/profile", profile_settings.profile_settings, name="profile_settings"),
    path("settings/language", profile_settings.interface_language, name="interface_language"),
    path("settings/time-zone", profile_settings.time_zone, name="time_zone"),
    path("settings/sessions/<int:session_id>/end", account.end_session, name="end_session"),
    path("settings/apps/<int:application_id>/revoke", account.revoke_app, name="revoke_app"),
    path("logout", auth_views.LogoutView.as_view(next_page="frontend:landing"), name="logout"),
    path("timelines/local", social.local_timeline, name="local"),
    path("timelines/federated", social.federated_timeline, name="federated"),
    path("tags/<str:name>", social.hashtag, name="hashtag"),
    path("statuses/<int:status_id>", social.thread, name="thread"),
    path("statuses/<int:status_id>/bookmark", tools.bookmark, name="bookmark"),
    path("statuses/<int:status_id>/edit", posts.edit_status, name="edit_status"),
    path("statuses/<int:status_id>/delete", posts.delete_status, name="delete_status"),
    path("statuses/<int:status_id>/history", posts.status_history, name="history"),
    path("polls/<int:poll_id>/votes", posts.vote, name="vote"),
    path("statuses/<int:status_id>/mute", posts.mute_conversation, name="mute_conversation"),
    path("statuses/<int:status_id>/<str:verb>", social.interact, name="interact"),
    path("notifications", social.notifications, name="notifications"),
    path("conversations", conversations.conversations, name="conversations"),
    path("conversations/<int:conversation_id>", conversations.conversation, name="conversation"),
    path("conversations/<int:conversation_id>/remove", conversations.remove_conversation, name="remove_conversation"),
    path("scheduled", scheduled.scheduled, name="scheduled"),
    path("scheduled/<int:scheduled_id>/reschedule", scheduled.reschedule, name="reschedule"),
    path("scheduled/<int:scheduled_id>/cancel", scheduled.cancel_scheduled, name="cancel_scheduled"),
    path("search", social.search, name="search"),
    path("accounts/<int:account_id>", social.account, name="account"),
    path("accounts/<int:account_id>/follow", social.follow, name="follow"),
    path("accounts/<int:account_id>/unfollow", social.unfollow, name="unfollow"),
    path("accounts/<int:account_id>/block", social.block, name="block"),
    path("accounts/<int:account_id>/mute", tools.mute, name="mute"),
    path("follow_requests", social.follow_requests, name="follow_requests"),
    path("follow_requests/<int:account_id>/<str:verb>", social.answer_follow_request, name="answer_follow_request"),
    path("bookmarks", tools.bookmarks, name="bookmarks"),
    path("favourites", tools.favourites, name="favourites"),
    path("lists", tools.lists, name="lists"),
    path("lists/<int:list_id>", tools.list_detail, name="list"),
    path("filters", tools.filters, name="filters"),
    path("mutes", tools.mutes, name="mutes"),
    path("@<str:username>", public.profile, name="profile"),
    path("@<str:username>/<int:status_id>", public.status_detail, name="status"),
]

"""The ActivityPub ids of the timeline's documents: local statuses and the collections of local actors.

Mounted beside `federation.urls` by `config/urls.py`; the paths are under
the actors' ids, as Mastodon has them.
"""

from django.urls import path

from timeline.activitypub import views

app_name = "timeline_activitypub"

urlpatterns = [
    path("actor/followers", views.instance_followers, name="instance_followers"),
    path("users/<str:username>/outbox", views.outbox, name="outbox"),
    path("users/<str:username>/followers", views.followers, name="followers"),
    path("users/<str:username>/following", views.following, name="following"),
    path("users/<str:username>/collections/featured", views.featured, name="featured"),
    path("users/<str:username>/collections/tags", views.featured_tags, name="featured_tags"),
    path("users/<str:username>/statuses/<int:status_id>", views.status_document, name="status"),
]

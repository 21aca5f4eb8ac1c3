"""Federation's URLs: the ActivityPub ids of this server's actors and objects."""

from django.urls import path

from federation.views import objects

app_name = "federation"

urlpatterns = [
    path("users/<str:username>", objects.actor_document, name="actor"),
    path("users/<str:username>/statuses/<int:status_id>", objects.status_document, name="status"),
]

"""Federation's URLs: discovery, the ActivityPub ids of this server's actors and objects, inboxes."""

from django.urls import path

from federation.views import collections, discovery, inbox, objects

app_name = "federation"

urlpatterns = [
    path(".well-known/webfinger", discovery.webfinger, name="webfinger"),
    path(".well-known/host-meta", discovery.host_meta, name="host_meta"),
    path(".well-known/nodeinfo", discovery.nodeinfo_links, name="nodeinfo_links"),
    path("nodeinfo/<str:version>", discovery.nodeinfo, name="nodeinfo"),
    path("actor", objects.instance_actor_document, name="instance_actor"),
    path("actor/inbox", inbox.shared_inbox, name="instance_actor_inbox"),
    path("actor/followers", collections.instance_followers, name="instance_followers"),
    path("inbox", inbox.shared_inbox, name="shared_inbox"),
    path("users/<str:username>", objects.actor_document, name="actor"),
    path("users/<str:username>/inbox", inbox.personal_inbox, name="inbox"),
    path("users/<str:username>/outbox", collections.outbox, name="outbox"),
    path("users/<str:username>/followers", collections.followers, name="followers"),
    path("users/<str:username>/following", collections.following, name="following"),
    path("users/<str:username>/collections/featured", collections.featured, name="featured"),
    path("users/<str:username>/statuses/<int:status_id>", objects.status_document, name="status"),
]

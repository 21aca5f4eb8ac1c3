"""Federation's URLs: discovery, the ActivityPub ids of this server's actors, inboxes.

The documents of the apps' objects (statuses, the collections of follows
and posts) are the apps' own: `timeline.activitypub.urls`.
"""

from django.urls import path

from federation.views import discovery, inbox, objects

app_name = "federation"

urlpatterns = [
    path(".well-known/webfinger", discovery.webfinger, name="webfinger"),
    path(".well-known/host-meta", discovery.host_meta, name="host_meta"),
    path(".well-known/nodeinfo", discovery.nodeinfo_links, name="nodeinfo_links"),
    path("nodeinfo/<str:version>", discovery.nodeinfo, name="nodeinfo"),
    path("actor", objects.instance_actor_document, name="instance_actor"),
    path("actor/inbox", inbox.shared_inbox, name="instance_actor_inbox"),
    path("inbox", inbox.shared_inbox, name="shared_inbox"),
    path("users/<str:username>", objects.actor_document, name="actor"),
    path("users/<str:username>/inbox", inbox.personal_inbox, name="inbox"),
]

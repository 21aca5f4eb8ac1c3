"""Routes of the client API that belong to the whole instance."""

from django.urls import path, re_path

from config.api import instance

urlpatterns = [
    re_path(r"^api/v1/instance/?$", instance.instance_v1, name="instance_v1"),
    re_path(r"^api/v2/instance/?$", instance.instance_v2, name="instance_v2"),
    path("api/v1/instance/rules", instance.rules, name="instance_rules"),
    path("api/v1/instance/peers", instance.peers, name="instance_peers"),
    path("api/v1/instance/activity", instance.activity, name="instance_activity"),
    path("api/v1/instance/extended_description", instance.extended_description, name="instance_description"),
    path("api/v1/instance/domain_blocks", instance.domain_blocks, name="instance_domain_blocks"),
    path("api/v1/custom_emojis", instance.custom_emojis, name="custom_emojis"),
]

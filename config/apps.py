"""The config app: operator commands and health checks that span every app."""

from django.apps import AppConfig


class ConfigAppConfig(AppConfig):
    name = "config"
    label = "config"
    verbose_name = "Configuration"

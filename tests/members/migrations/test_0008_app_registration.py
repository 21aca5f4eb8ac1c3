"""Apps registered before their scopes were kept are registered for the scopes they were granted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("members", "0007_posting_preferences"), ("oauth2_provider", "0022_refreshtoken_token_family_index")]
AFTER = [("members", "0008_app_registration")]


def test_existing_apps_get_the_scopes_of_their_tokens_and_codes_or_the_usual_ones() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    application_model = old.get_model("oauth2_provider", "Application")
    user = old.get_model("members", "User").objects.create(username="olga")
    with_tokens, with_code, untouched = (
        application_model.objects.create(
            name=name, client_type="confidential", authorization_grant_type="authorization-code"
        )
        for name in ("tokens", "code", "untouched")
    )
    expires = timezone.now() + timedelta(days=1)
    tokens = old.get_model("oauth2_provider", "AccessToken").objects
    tokens.create(user=user, application=with_tokens, token="a", token_checksum="a", expires=expires, scope="read")
    tokens.create(
        user=user, application=with_tokens, token="b", token_checksum="b", expires=expires, scope="write:statuses read"
    )
    old.get_model("oauth2_provider", "Grant").objects.create(
        user=user, application=with_code, code="c", expires=expires, redirect_uri="urn:x", scope="admin:read"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    registrations = new.get_model("members", "AppRegistration").objects
    assert registrations.get(application_id=with_tokens.pk).scopes == "read write:statuses"
    assert registrations.get(application_id=with_code.pk).scopes == "admin:read"
    assert registrations.get(application_id=untouched.pk).scopes == "read write follow push"
    # Leave the schema as the later tests expect it: every migration applied.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

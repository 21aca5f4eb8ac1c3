"""Existing share classes stay redeemable, tiers monthly, and the founding bylaws reserve classes and patronage."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("members", "0008_app_registration")]
AFTER = [("members", "0009_ownership_settings")]


def test_existing_rows_get_the_defaults_that_keep_their_meaning() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    old.get_model("members", "ShareClass").objects.create(name="Member share", nominal_value=Decimal(10))
    old.get_model("members", "DuesTier").objects.create(name="Low", monthly_amount=Decimal(1))
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    assert new.get_model("members", "ShareClass").objects.get().redeemable is True
    tier = new.get_model("members", "DuesTier").objects.get()
    assert (tier.period_months, tier.sliding_scale_max, tier.hardship_waiver) == (1, None, False)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

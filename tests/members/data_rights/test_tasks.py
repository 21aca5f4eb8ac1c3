"""The data-rights tasks: lost builds and imports are queued again, and beat expires archives."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from config.celery import RECOVERY_TASKS, app
from members.actions.imports import check_start_import, do_start_import
from members.models import DataExport, DataImport
from members.tasks import requeue_data_rights_work
from tests.members.data_rights.conftest import Member


def test_beat_expires_archives_and_recovers_lost_work() -> None:
    assert app.conf.beat_schedule["members.tasks.expire_data_exports"]["schedule"] == 3600.0
    assert "members.tasks.requeue_data_rights_work" in RECOVERY_TASKS


@pytest.mark.django_db
def test_a_lost_export_and_a_lost_import_are_done_on_recovery(rich_member: Member) -> None:
    user = rich_member.user
    # Created without their tasks, as when the broker was down at commit.
    export = DataExport.objects.create(user=user, requested_at=timezone.now() - timedelta(minutes=5))
    plan = check_start_import(user, "domain_blocks", "merge", SimpleUploadedFile("d.csv", b"lost.example\n"))
    data_import = do_start_import(user, plan)
    DataImport.objects.filter(pk=data_import.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert requeue_data_rights_work(min_age_seconds=3600) == 0
    assert requeue_data_rights_work(min_age_seconds=60) == 2
    export.refresh_from_db()
    data_import.refresh_from_db()
    assert export.state == DataExport.State.READY
    assert data_import.state == DataImport.State.FINISHED and data_import.succeeded == 1
    assert requeue_data_rights_work(min_age_seconds=0) == 0


@pytest.mark.django_db
def test_a_build_that_died_with_its_worker_is_built_again(rich_member: Member) -> None:
    long_ago = timezone.now() - timedelta(hours=3)
    export = DataExport.objects.create(
        user=rich_member.user, requested_at=long_ago, started_at=long_ago, state=DataExport.State.RUNNING
    )
    assert requeue_data_rights_work(min_age_seconds=60) == 1
    export.refresh_from_db()
    assert export.state == DataExport.State.READY

"""`manage.py export_member_data`: the same archive as the page, for an operator."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from members.models import DataExport
from tests.members.data_rights.conftest import Member


@pytest.mark.django_db
def test_the_command_builds_the_archive_and_prints_its_path(rich_member: Member) -> None:
    out = io.StringIO()
    call_command("export_member_data", "nadia", stdout=out)
    path = Path(out.getvalue().strip())
    with zipfile.ZipFile(path) as archive:
        assert "outbox.json" in archive.namelist()
    assert DataExport.objects.get().state == DataExport.State.READY


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_member_and_changes_nothing() -> None:
    with pytest.raises(CommandError, match="no member ghost"):
        call_command("export_member_data", "ghost")
    assert not DataExport.objects.exists()

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


@pytest.mark.django_db
def test_the_command_waits_for_a_worker_that_claimed_the_export_first(
    rich_member: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    from members.actions import exports
    from members.management.commands import export_member_data

    def worker_got_there_first(export_id: int) -> None:
        # The queued task ran in a worker before the command's own claim, which then finds nothing to do.
        exports.do_build_export(export_id)

    monkeypatch.setattr(export_member_data, "do_build_export", worker_got_there_first)
    out = io.StringIO()
    call_command("export_member_data", "nadia", stdout=out)
    with zipfile.ZipFile(Path(out.getvalue().strip())) as archive:
        assert "outbox.json" in archive.namelist()
